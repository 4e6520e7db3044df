package dev.handoff.workload.driver;

import dev.handoff.common.trace.Tracing;
import dev.handoff.workload.stage.DeclaredObject;
import dev.handoff.workload.stage.ObservedObject;
import dev.handoff.workload.stage.ObservedObject.ObservedContainer;
import dev.handoff.workload.stage.ObservedObject.ObservedPod;
import io.fabric8.kubernetes.api.Pluralize;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * Reads what a cluster runs for the declared objects (fabric8): each object by kind, namespace and name (plural from
 * the kind, so no API discovery is needed), workload statuses, and the pods each workload's selector picks (one list
 * per namespace and read).
 */
public final class ClusterReader {
    private ClusterReader() {}

    /** One read of every declared object. */
    public static List<ObservedObject> read(KubernetesClient client, List<DeclaredObject> declared) {
        return Tracing.driverCall("kubernetes", "read declared objects", () -> readAll(client, declared));
    }

    private static List<ObservedObject> readAll(KubernetesClient client, List<DeclaredObject> declared) {
        Map<String, List<Pod>> podsByNamespace = new HashMap<>();
        List<ObservedObject> observed = new ArrayList<>();
        for (DeclaredObject d : declared) {
            observed.add(readOne(client, d, podsByNamespace));
        }
        return observed;
    }

    private static ObservedObject readOne(KubernetesClient client, DeclaredObject d, Map<String, List<Pod>> pods) {
        var apps = client.apps();
        return switch (d.kind()) {
            case "Deployment" ->
                rollout(
                        client,
                        d,
                        pods,
                        apps.deployments()
                                .inNamespace(d.namespace())
                                .withName(d.name())
                                .get(),
                        o -> o.getStatus() == null
                                ? null
                                : new Rollout(
                                        o.getStatus().getObservedGeneration(),
                                        o.getStatus().getReadyReplicas(),
                                        o.getStatus().getUpdatedReplicas()));
            case "StatefulSet" ->
                rollout(
                        client,
                        d,
                        pods,
                        apps.statefulSets()
                                .inNamespace(d.namespace())
                                .withName(d.name())
                                .get(),
                        o -> o.getStatus() == null
                                ? null
                                : new Rollout(
                                        o.getStatus().getObservedGeneration(),
                                        o.getStatus().getReadyReplicas(),
                                        o.getStatus().getUpdatedReplicas()));
            case "DaemonSet" ->
                rollout(
                        client,
                        d,
                        pods,
                        apps.daemonSets()
                                .inNamespace(d.namespace())
                                .withName(d.name())
                                .get(),
                        o -> o.getStatus() == null
                                ? null
                                : new Rollout(
                                        o.getStatus().getObservedGeneration(),
                                        o.getStatus().getNumberReady(),
                                        o.getStatus().getUpdatedNumberScheduled()));
            default -> new ObservedObject(d, exists(client, d), null, null, 0, 0, List.of());
        };
    }

    /** What a workload's status says of its rollout; the three kinds name the same facts differently. */
    private record Rollout(Long observedGeneration, Integer ready, Integer updated) {}

    private static <T extends HasMetadata> ObservedObject rollout(
            KubernetesClient client,
            DeclaredObject d,
            Map<String, List<Pod>> pods,
            T object,
            Function<T, Rollout> status) {
        if (object == null) {
            return ObservedObject.missing(d);
        }
        Rollout s = status.apply(object);
        return new ObservedObject(
                d,
                true,
                object.getMetadata().getGeneration(),
                s == null ? null : s.observedGeneration(),
                s == null ? 0 : n(s.ready()),
                s == null ? 0 : n(s.updated()),
                podsOf(client, d, pods));
    }

    private static boolean exists(KubernetesClient client, DeclaredObject d) {
        String apiVersion = d.apiVersion();
        int slash = apiVersion.indexOf('/');
        ResourceDefinitionContext context = new ResourceDefinitionContext.Builder()
                .withGroup(slash < 0 ? "" : apiVersion.substring(0, slash))
                .withVersion(slash < 0 ? apiVersion : apiVersion.substring(slash + 1))
                .withKind(d.kind())
                .withPlural(Pluralize.toPlural(d.kind().toLowerCase(java.util.Locale.ROOT)))
                .withNamespaced(d.namespace() != null)
                .build();
        var resources = client.genericKubernetesResources(context);
        try {
            return (d.namespace() == null
                            ? resources.withName(d.name()).get()
                            : resources
                                    .inNamespace(d.namespace())
                                    .withName(d.name())
                                    .get())
                    != null;
        } catch (KubernetesClientException e) {
            if (e.getCode() == 404) {
                return false;
            }
            throw e;
        }
    }

    private static List<ObservedPod> podsOf(KubernetesClient client, DeclaredObject d, Map<String, List<Pod>> cache) {
        List<Pod> all = cache.computeIfAbsent(
                d.namespace(), ns -> client.pods().inNamespace(ns).list().getItems());
        List<ObservedPod> pods = new ArrayList<>();
        for (Pod pod : all) {
            Map<String, String> labels = pod.getMetadata().getLabels() == null
                    ? Map.of()
                    : pod.getMetadata().getLabels();
            if (d.selector().isEmpty()
                    || !d.selector().entrySet().stream()
                            .allMatch(e -> Objects.equals(labels.get(e.getKey()), e.getValue()))) {
                continue;
            }
            if (pod.getMetadata().getDeletionTimestamp() != null) {
                continue;
            }
            pods.add(pod(pod));
        }
        return pods;
    }

    private static ObservedPod pod(Pod pod) {
        boolean ready = pod.getStatus() != null
                && pod.getStatus().getConditions() != null
                && pod.getStatus().getConditions().stream()
                        .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
        List<String> hostPaths = new ArrayList<>();
        for (Volume v : pod.getSpec().getVolumes() == null
                ? List.<Volume>of()
                : pod.getSpec().getVolumes()) {
            if (v.getHostPath() != null) {
                hostPaths.add(v.getHostPath().getPath());
            }
        }
        Map<String, ContainerStatus> statuses = new HashMap<>();
        if (pod.getStatus() != null && pod.getStatus().getContainerStatuses() != null) {
            pod.getStatus().getContainerStatuses().forEach(s -> statuses.put(s.getName(), s));
        }
        List<ObservedContainer> containers = new ArrayList<>();
        for (Container c : pod.getSpec().getContainers()) {
            ContainerStatus s = statuses.get(c.getName());
            var waiting =
                    s == null || s.getState() == null ? null : s.getState().getWaiting();
            containers.add(new ObservedContainer(
                    c.getName(),
                    c.getImage(),
                    s == null ? null : s.getImage(),
                    s == null ? 0 : n(s.getRestartCount()),
                    waiting == null ? null : waiting.getReason(),
                    waiting == null ? null : waiting.getMessage(),
                    c.getPorts() == null
                            ? List.of()
                            : c.getPorts().stream()
                                    .map(ContainerPort::getContainerPort)
                                    .toList()));
        }
        return new ObservedPod(
                pod.getMetadata().getName(),
                ready,
                Boolean.TRUE.equals(pod.getSpec().getHostNetwork()),
                hostPaths,
                containers);
    }

    private static int n(Integer value) {
        return value == null ? 0 : value;
    }
}
