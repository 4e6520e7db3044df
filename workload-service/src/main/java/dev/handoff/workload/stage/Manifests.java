package dev.handoff.workload.stage;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads K3s manifests (multi-document YAML, as {@code services.k3s.manifests} links them) into the objects they
 * declare. Every document with a kind is declared; a {@code List} declares its items.
 */
public final class Manifests {
    private static final YAMLMapper YAML = new YAMLMapper();

    /** Kinds K3s creates without a namespace. */
    private static final Set<String> CLUSTER_SCOPED = Set.of(
            "Namespace",
            "Node",
            "PersistentVolume",
            "ClusterRole",
            "ClusterRoleBinding",
            "StorageClass",
            "CustomResourceDefinition",
            "PriorityClass",
            "IngressClass",
            "RuntimeClass",
            "MutatingWebhookConfiguration",
            "ValidatingWebhookConfiguration",
            "APIService",
            "CSIDriver");

    private Manifests() {}

    /** A manifest that cannot be read. */
    public static final class InvalidManifestException extends Exception {
        public InvalidManifestException(String message) {
            super(message);
        }
    }

    /** The objects {@code yaml} (the file {@code manifest}) declares, in document order. */
    public static List<DeclaredObject> parse(String manifest, String yaml) throws InvalidManifestException {
        List<DeclaredObject> objects = new ArrayList<>();
        int document = 0;
        try (MappingIterator<JsonNode> docs = YAML.readerFor(JsonNode.class)
                .without(JsonParser.Feature.INCLUDE_SOURCE_IN_LOCATION)
                .readValues(yaml)) {
            while (docs.hasNextValue()) {
                document++;
                JsonNode doc = docs.nextValue();
                if (doc == null || doc.isNull() || doc.isMissingNode() || (doc.isObject() && doc.isEmpty())) {
                    continue;
                }
                if (!doc.isObject()) {
                    throw new InvalidManifestException(
                            manifest + ", document " + document + ": not a Kubernetes object (a mapping with kind)");
                }
                if (doc.path("kind").asText().endsWith("List")
                        && doc.path("items").isArray()) {
                    for (JsonNode item : doc.path("items")) {
                        objects.add(object(manifest, document, item));
                    }
                } else {
                    objects.add(object(manifest, document, doc));
                }
            }
        } catch (IOException | RuntimeException e) {
            throw new InvalidManifestException(
                    manifest + ", document " + (document + 1) + ": not valid YAML: " + firstLine(e.getMessage()));
        }
        return objects;
    }

    private static DeclaredObject object(String manifest, int document, JsonNode doc) throws InvalidManifestException {
        String kind = doc.path("kind").asText("");
        String name = doc.path("metadata").path("name").asText("");
        if (kind.isEmpty()
                || name.isEmpty()
                || doc.path("apiVersion").asText("").isEmpty()) {
            throw new InvalidManifestException(
                    manifest + ", document " + document + ": an object needs apiVersion, kind and metadata.name");
        }
        String namespace = CLUSTER_SCOPED.contains(kind)
                ? null
                : doc.path("metadata").path("namespace").asText("default");
        Map<String, String> annotations = strings(doc.path("metadata").path("annotations"));
        JsonNode spec = doc.path("spec");
        boolean workload = DeclaredObject.WORKLOAD_KINDS.contains(kind);
        JsonNode pod = spec.path("template").path("spec");
        boolean hostNetwork = workload && pod.path("hostNetwork").asBoolean(false);
        List<DeclaredObject.Container> containers = new ArrayList<>();
        Map<String, String> hostPaths = new LinkedHashMap<>();
        if (workload) {
            for (JsonNode c : pod.path("containers")) {
                List<DeclaredObject.Port> ports = new ArrayList<>();
                for (JsonNode p : c.path("ports")) {
                    int containerPort = p.path("containerPort").asInt();
                    int hostPort = p.path("hostPort").asInt(0);
                    ports.add(new DeclaredObject.Port(
                            hostPort > 0 ? hostPort : containerPort,
                            containerPort,
                            p.path("protocol").asText("TCP"),
                            hostNetwork || hostPort > 0));
                }
                List<String> mounts = new ArrayList<>();
                for (JsonNode m : c.path("volumeMounts")) {
                    mounts.add(m.path("name").asText());
                }
                containers.add(new DeclaredObject.Container(
                        c.path("name").asText(), c.path("image").asText(null), ports, mounts));
            }
            for (JsonNode v : pod.path("volumes")) {
                if (v.has("hostPath")) {
                    hostPaths.put(
                            v.path("name").asText(),
                            v.path("hostPath").path("path").asText());
                }
            }
        }
        int replicas = kind.equals("DaemonSet") ? 1 : spec.path("replicas").asInt(1);
        return new DeclaredObject(
                manifest,
                doc.path("apiVersion").asText(),
                kind,
                namespace,
                name,
                annotations,
                replicas,
                strings(spec.path("selector").path("matchLabels")),
                hostNetwork,
                List.copyOf(containers),
                java.util.Collections.unmodifiableMap(hostPaths));
    }

    private static Map<String, String> strings(JsonNode node) {
        Map<String, String> map = new LinkedHashMap<>();
        node.fields().forEachRemaining(e -> map.put(e.getKey(), e.getValue().asText()));
        return map;
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unreadable";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }
}
