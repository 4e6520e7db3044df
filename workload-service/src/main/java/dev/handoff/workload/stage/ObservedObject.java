package dev.handoff.workload.stage;

import java.util.List;

/**
 * What one read of the cluster saw of a declared object.
 *
 * @param declared the declaration
 * @param exists whether the object exists
 * @param generation its {@code metadata.generation} (workload kinds), or null
 * @param observedGeneration its {@code status.observedGeneration}, or null
 * @param readyReplicas ready replicas (DaemonSet: {@code numberReady})
 * @param updatedReplicas updated replicas (DaemonSet: {@code updatedNumberScheduled})
 * @param pods its pods (selected by the declared selector)
 */
public record ObservedObject(
        DeclaredObject declared,
        boolean exists,
        Long generation,
        Long observedGeneration,
        int readyReplicas,
        int updatedReplicas,
        List<ObservedPod> pods) {

    /** An object that does not exist. */
    public static ObservedObject missing(DeclaredObject declared) {
        return new ObservedObject(declared, false, null, null, 0, 0, List.of());
    }

    /**
     * One pod.
     *
     * @param name its name
     * @param ready whether its {@code Ready} condition is {@code True}
     * @param hostNetwork its {@code spec.hostNetwork}
     * @param hostPaths the host paths of its volumes
     * @param containers its containers as the kubelet reports them
     */
    public record ObservedPod(
            String name,
            boolean ready,
            boolean hostNetwork,
            List<String> hostPaths,
            List<ObservedContainer> containers) {}

    /**
     * One container of a pod: its spec and its status.
     *
     * @param name its name
     * @param specImage the image in the pod spec
     * @param statusImage the image the kubelet reports, or null before it started
     * @param restartCount its restart count
     * @param waitingReason the reason it waits ({@code ErrImagePull}, {@code CrashLoopBackOff}…), or null
     * @param waitingMessage the kubelet's message, or null
     * @param ports the container ports in the pod spec
     */
    public record ObservedContainer(
            String name,
            String specImage,
            String statusImage,
            int restartCount,
            String waitingReason,
            String waitingMessage,
            List<Integer> ports) {}
}
