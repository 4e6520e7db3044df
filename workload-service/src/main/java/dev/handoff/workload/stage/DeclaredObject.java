package dev.handoff.workload.stage;

import java.util.List;
import java.util.Map;

/**
 * One object a host declares: a document of a manifest in K3s's manifests folder, with what the checks need from it.
 *
 * @param manifest the manifest file's name, e.g. {@code rustdesk.yaml}
 * @param apiVersion e.g. {@code apps/v1}
 * @param kind e.g. {@code Deployment}
 * @param namespace the namespace; null for cluster-scoped kinds
 * @param name the object's name
 * @param annotations the object's annotations
 * @param replicas the declared replicas (1 when not set; 1 for a DaemonSet on a one-node cluster)
 * @param selector the pod selector's {@code matchLabels} (workload kinds)
 * @param hostNetwork whether the pods use the host's network
 * @param containers the pod template's containers (workload kinds)
 * @param hostPaths the pod template's {@code hostPath} volumes: volume name → path
 */
public record DeclaredObject(
        String manifest,
        String apiVersion,
        String kind,
        String namespace,
        String name,
        Map<String, String> annotations,
        int replicas,
        Map<String, String> selector,
        boolean hostNetwork,
        List<Container> containers,
        Map<String, String> hostPaths) {

    /** The kinds whose pods are checked. */
    public static final List<String> WORKLOAD_KINDS = List.of("Deployment", "DaemonSet", "StatefulSet");

    /**
     * A declared container.
     *
     * @param name its name
     * @param image the declared image
     * @param ports the declared ports
     * @param mounts the volume names it mounts
     */
    public record Container(String name, String image, List<Port> ports, List<String> mounts) {}

    /**
     * A declared port.
     *
     * @param port the port a client connects to on the host (the host port, or the container port on the host network)
     * @param containerPort the container port
     * @param protocol {@code TCP}, {@code UDP} or {@code SCTP}
     * @param exposed whether it is reachable on the host's address (host network or a host port)
     */
    public record Port(int port, int containerPort, String protocol, boolean exposed) {}

    /** Whether this kind has pods that are checked. */
    public boolean workload() {
        return WORKLOAD_KINDS.contains(kind);
    }

    /** {@code Kind/namespace/name}, or {@code Kind/name} for cluster-scoped kinds: how findings name it. */
    public String subject() {
        return kind + "/" + (namespace == null ? "" : namespace + "/") + name;
    }

    /** The declared image of the first container (what the event reports), or null. */
    public String image() {
        return containers.isEmpty() ? null : containers.get(0).image();
    }

    /** The ports reachable on the host's address, in declaration order. */
    public List<Port> exposedPorts() {
        return containers.stream()
                .flatMap(c -> c.ports().stream())
                .filter(Port::exposed)
                .toList();
    }
}
