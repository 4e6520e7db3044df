package dev.handoff.lab.world.kube;

import dev.handoff.lab.world.nixos.NixosNode;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * The simulated K3s deploy controller: applies every {@code *.yaml} of the node's manifests folder to the API
 * (create, or update when it exists, bumping {@code metadata.generation} when the spec changed, as the API server
 * does) and deletes the objects of manifests that were removed. Namespaces go first.
 */
final class K3sDeployController {
    private static final Logger LOG = Logger.getLogger(K3sDeployController.class);

    /** What one manifest file created. */
    private record Applied(String kind, String apiVersion, String namespace, String name) {}

    private final KubernetesClient client;
    private final Map<String, Map<Applied, HasMetadata>> appliedByFile = new LinkedHashMap<>();

    K3sDeployController(KubernetesClient client) {
        this.client = client;
    }

    /** Applies the node's manifests folder as it is now; returns how many objects it applied. */
    synchronized int apply(NixosNode node) throws IOException {
        Path dir = node.file(NixosNode.K3S_MANIFESTS);
        Map<String, List<HasMetadata>> files = new LinkedHashMap<>();
        if (Files.isDirectory(dir)) {
            try (Stream<Path> list = Files.list(dir)) {
                for (Path file : list.filter(p -> p.getFileName().toString().endsWith(".yaml"))
                        .sorted()
                        .toList()) {
                    try (InputStream in = Files.newInputStream(file)) {
                        List<HasMetadata> items =
                                new ArrayList<>(client.load(in).items());
                        items.removeIf(Objects::isNull);
                        files.put(file.getFileName().toString(), items);
                    } catch (RuntimeException e) {
                        LOG.warnf("simulated K3s on %s: %s is not valid: %s", node.hostName(), file, e.getMessage());
                        files.put(file.getFileName().toString(), null);
                    }
                }
            }
        }
        int count = 0;
        List<HasMetadata> all = new ArrayList<>();
        files.values().stream().filter(Objects::nonNull).forEach(all::addAll);
        all.sort(Comparator.comparing(o -> o instanceof Namespace ? 0 : 1));
        for (HasMetadata item : all) {
            applyOne(item);
            count++;
        }
        Map<Applied, HasMetadata> now = new LinkedHashMap<>();
        Map<String, Map<Applied, HasMetadata>> next = new LinkedHashMap<>();
        files.forEach((file, items) -> {
            Map<Applied, HasMetadata> objects = new LinkedHashMap<>();
            if (items == null) {
                // an unreadable manifest keeps what it applied before, as K3s does
                objects.putAll(appliedByFile.getOrDefault(file, Map.of()));
            } else {
                items.forEach(item -> objects.put(ref(item), item));
            }
            next.put(file, objects);
            now.putAll(objects);
        });
        for (Map<Applied, HasMetadata> before : appliedByFile.values()) {
            before.forEach((ref, item) -> {
                if (!now.containsKey(ref)) {
                    client.resource(item).delete();
                }
            });
        }
        appliedByFile.clear();
        appliedByFile.putAll(next);
        return count;
    }

    private void applyOne(HasMetadata item) {
        if (item instanceof Namespaced && item.getMetadata().getNamespace() == null) {
            item.getMetadata().setNamespace("default");
        }
        HasMetadata existing = client.resource(item).get();
        if (existing == null) {
            item.getMetadata().setGeneration(1L);
            client.resource(item).create();
            return;
        }
        var serialization = client.getKubernetesSerialization();
        Object specBefore = serialization.convertValue(existing, Map.class).get("spec");
        Object specNow = serialization.convertValue(item, Map.class).get("spec");
        long generation = existing.getMetadata().getGeneration() == null
                ? 1L
                : existing.getMetadata().getGeneration();
        item.getMetadata().setGeneration(Objects.equals(specBefore, specNow) ? generation : generation + 1);
        item.getMetadata().setResourceVersion(existing.getMetadata().getResourceVersion());
        item.getMetadata().setUid(existing.getMetadata().getUid());
        client.resource(item).update();
    }

    private static Applied ref(HasMetadata item) {
        return new Applied(
                item.getKind(),
                item.getApiVersion(),
                item.getMetadata().getNamespace(),
                item.getMetadata().getName());
    }
}
