package dev.handoff.workload.stage;

import dev.handoff.common.event.v1.StageFailed.Detail;
import dev.handoff.common.event.v1.Workload;
import dev.handoff.workload.stage.ObservedObject.ObservedContainer;
import dev.handoff.workload.stage.ObservedObject.ObservedPod;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Judges one read of the cluster against what the host declares: every object exists; workloads are rolled out
 * (observed generation, ready and updated replicas); pods are Ready, pull their image and do not crash-loop (restart
 * counts are compared with the previous read); images, host network, host paths and ports are as declared; exposed
 * TCP ports answer. No I/O.
 */
public final class WorkloadVerdict {
    /** Finding codes, most telling first: the main reason of a failure is the first code that occurs. */
    public static final List<String> CODES = List.of(
            "missing",
            "image-pull-failed",
            "crash-loop",
            "image-mismatch",
            "host-network-mismatch",
            "host-path-missing",
            "port-not-in-pod",
            "not-rolled-out",
            "not-ready",
            "port-unreachable",
            "rustdesk-key-changed",
            "rustdesk-key-missing");

    private static final Set<String> PULL_FAILURES =
            Set.of("ErrImagePull", "ImagePullBackOff", "InvalidImageName", "ErrImageNeverPull");

    /**
     * The judgement of one read.
     *
     * @param objects the facts per object, in declaration order
     * @param findings everything that does not hold (empty: the read is clean)
     * @param restarts the restart count per {@code pod/container}, to compare with the next read
     */
    public record Result(List<Workload.WorkloadObject> objects, List<Detail> findings, Map<String, Integer> restarts) {
        /** Whether everything held. */
        public boolean clean() {
            return findings.isEmpty();
        }
    }

    private WorkloadVerdict() {}

    /**
     * Judges {@code observed}.
     *
     * @param address the host's steady address (how port findings name it)
     * @param probes the TCP connects of this read, by port
     * @param previousRestarts the restart counts of the previous read of this run (empty on the first)
     */
    public static Result judge(
            String address,
            List<ObservedObject> observed,
            Map<Integer, PortProbe> probes,
            Map<String, Integer> previousRestarts) {
        List<Workload.WorkloadObject> objects = new ArrayList<>();
        List<Detail> findings = new ArrayList<>();
        Map<String, Integer> restarts = new java.util.LinkedHashMap<>();
        for (ObservedObject o : observed) {
            DeclaredObject d = o.declared();
            List<Detail> mine = new ArrayList<>();
            if (!o.exists()) {
                mine.add(new Detail(
                        "missing",
                        d.subject(),
                        d.subject() + " is declared in " + d.manifest() + " but does not exist in the cluster"));
            } else if (d.workload()) {
                judgeWorkload(o, previousRestarts, restarts, mine);
            }
            List<Workload.Port> ports = null;
            if (d.workload() && !d.exposedPorts().isEmpty()) {
                ports = new ArrayList<>();
                for (DeclaredObject.Port p : d.exposedPorts()) {
                    boolean tcp = p.protocol().equals("TCP");
                    PortProbe probe = tcp ? probes.get(p.port()) : null;
                    boolean reachable = probe != null && probe.reachable();
                    ports.add(new Workload.Port(p.port(), tcp ? "TCP" : "UDP", reachable));
                    if (tcp && o.exists() && !reachable) {
                        mine.add(new Detail(
                                "port-unreachable",
                                d.subject(),
                                address + ":" + p.port() + "/TCP does not answer from Handoff: "
                                        + (probe == null ? "not probed" : probe.detail())));
                    }
                }
                ports = List.copyOf(ports);
            }
            findings.addAll(mine);
            objects.add(new Workload.WorkloadObject(
                    d.kind(), d.namespace(), d.name(), o.exists() && mine.isEmpty(), runningImage(o), ports));
        }
        return new Result(List.copyOf(objects), List.copyOf(findings), Map.copyOf(restarts));
    }

    private static void judgeWorkload(
            ObservedObject o, Map<String, Integer> previous, Map<String, Integer> restarts, List<Detail> out) {
        DeclaredObject d = o.declared();
        String subject = d.subject();
        for (ObservedPod pod : o.pods()) {
            if (pod.hostNetwork() != d.hostNetwork()) {
                out.add(new Detail(
                        "host-network-mismatch",
                        subject,
                        "pod " + pod.name() + " runs with hostNetwork=" + pod.hostNetwork() + ", declared "
                                + d.hostNetwork()));
            }
            for (String path : d.hostPaths().values()) {
                if (!pod.hostPaths().contains(path)) {
                    out.add(new Detail(
                            "host-path-missing",
                            subject,
                            "pod " + pod.name() + " does not mount the declared hostPath " + path));
                }
            }
            for (DeclaredObject.Container dc : d.containers()) {
                ObservedContainer c = pod.containers().stream()
                        .filter(x -> x.name().equals(dc.name()))
                        .findFirst()
                        .orElse(null);
                if (c == null) {
                    out.add(new Detail(
                            "image-mismatch", subject, "pod " + pod.name() + " has no container " + dc.name()));
                    continue;
                }
                String key = pod.name() + "/" + c.name();
                restarts.put(key, c.restartCount());
                if (c.waitingReason() != null && PULL_FAILURES.contains(c.waitingReason())) {
                    out.add(new Detail(
                            "image-pull-failed",
                            subject,
                            "pod " + pod.name() + " container " + c.name() + " cannot pull " + dc.image() + ": "
                                    + c.waitingReason()
                                    + (c.waitingMessage() == null ? "" : " (" + c.waitingMessage() + ")")));
                    continue;
                }
                Integer before = previous.get(key);
                boolean rising = before != null && c.restartCount() > before;
                if ("CrashLoopBackOff".equals(c.waitingReason()) || rising) {
                    out.add(new Detail(
                            "crash-loop",
                            subject,
                            "pod " + pod.name() + " container " + c.name() + " is crash-looping: "
                                    + (c.waitingReason() == null ? "restarting" : c.waitingReason())
                                    + ", restart count "
                                    + (before == null ? "" : before + " → ") + c.restartCount()));
                    continue;
                }
                String running = c.statusImage() != null ? c.statusImage() : c.specImage();
                if (dc.image() != null && !sameImage(dc.image(), running)) {
                    out.add(new Detail(
                            "image-mismatch",
                            subject,
                            "pod " + pod.name() + " container " + c.name() + " runs " + running + ", declared "
                                    + dc.image()));
                }
                for (DeclaredObject.Port p : dc.ports()) {
                    if (!c.ports().contains(p.containerPort())) {
                        out.add(new Detail(
                                "port-not-in-pod",
                                subject,
                                "pod " + pod.name() + " container " + c.name() + " does not declare port "
                                        + p.containerPort() + "/" + p.protocol()));
                    }
                }
            }
        }
        boolean podFindings = !out.isEmpty();
        if (o.generation() != null && (o.observedGeneration() == null || o.observedGeneration() < o.generation())) {
            out.add(new Detail(
                    "not-rolled-out",
                    subject,
                    subject + " generation " + o.generation() + " is not observed yet (observedGeneration "
                            + o.observedGeneration() + ")"));
        }
        long readyPods = o.pods().stream().filter(ObservedPod::ready).count();
        if (o.readyReplicas() < d.replicas() || o.updatedReplicas() < d.replicas() || readyPods < d.replicas()) {
            if (!podFindings || readyPods < d.replicas()) {
                out.add(new Detail(
                        "not-ready",
                        subject,
                        readyPods + "/" + d.replicas() + " pods Ready, " + o.readyReplicas() + " ready and "
                                + o.updatedReplicas() + " updated replicas"));
            }
        }
    }

    /** Whether two image references name the same image ({@code docker.io/library/} and {@code :latest} implied). */
    static boolean sameImage(String declared, String running) {
        return normalize(declared).equals(normalize(running));
    }

    private static String normalize(String image) {
        if (image == null) {
            return "";
        }
        String name = image;
        int at = name.indexOf('@');
        if (at >= 0) {
            name = name.substring(0, at);
        }
        String first = name.contains("/") ? name.substring(0, name.indexOf('/')) : "";
        boolean hasRegistry = first.contains(".") || first.contains(":") || first.equals("localhost");
        if (!hasRegistry) {
            name = "docker.io/" + (name.contains("/") ? name : "library/" + name);
        }
        if (name.lastIndexOf(':') <= name.lastIndexOf('/')) {
            name = name + ":latest";
        }
        return name;
    }

    private static String runningImage(ObservedObject o) {
        if (!o.declared().workload()) {
            return null;
        }
        for (ObservedPod pod : o.pods()) {
            for (ObservedContainer c : pod.containers()) {
                if (c.statusImage() != null) {
                    return c.statusImage();
                }
            }
        }
        return o.declared().image();
    }

    /** The main reason among {@code findings}: the first code of {@link #CODES} that occurs. */
    public static String mainReason(List<Detail> findings) {
        return findings.stream()
                .map(Detail::code)
                .min(Comparator.comparingInt(c -> CODES.indexOf(c) < 0 ? CODES.size() : CODES.indexOf(c)))
                .orElse("not-ready");
    }
}
