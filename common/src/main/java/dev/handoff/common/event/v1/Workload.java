package dev.handoff.common.event.v1;

import java.util.List;

/**
 * The declared workloads of a host, as verified in its cluster ({@code handoff.workload.completed}).
 *
 * @param host the host name
 * @param objects one entry per declared object
 * @param checks profile checks beyond the objects (e.g. {@code rustdesk-key}); null when none ran
 */
public record Workload(String host, List<WorkloadObject> objects, List<Check> checks) {

    /** Facts without profile checks. */
    public Workload(String host, List<WorkloadObject> objects) {
        this(host, objects, null);
    }

    /**
     * One declared Kubernetes object.
     *
     * @param kind e.g. {@code Deployment}
     * @param namespace the namespace
     * @param name the object's name
     * @param ready whether it is rolled out and its pods are Ready
     * @param image the running image (for workload kinds)
     * @param ports the declared ports and whether each answered from Handoff's vantage point
     */
    public record WorkloadObject(
            String kind, String namespace, String name, boolean ready, String image, List<Port> ports) {}

    /**
     * One declared port.
     *
     * @param port the port number
     * @param protocol {@code TCP} or {@code UDP}
     * @param reachable whether a connection from Handoff succeeded (TCP only)
     */
    public record Port(int port, String protocol, boolean reachable) {}

    /**
     * One profile check.
     *
     * @param name e.g. {@code rustdesk-key}
     * @param passed whether it held
     * @param detail what was seen (a public key fingerprint at most, never key material)
     */
    public record Check(String name, boolean passed, String detail) {}
}
