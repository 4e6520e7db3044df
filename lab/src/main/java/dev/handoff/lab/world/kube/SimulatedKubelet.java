package dev.handoff.lab.world.kube;

import dev.handoff.lab.world.kube.KubeFaults.Fault;
import dev.handoff.lab.world.nixos.NixosNode;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetStatusBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * A small kubelet and workload controller for the one node of a simulated K3s server. Each round (every
 * {@code tick}) it makes the pods of every Deployment, DaemonSet and StatefulSet (Recreate: pods of an older template
 * are deleted), sets pod statuses (phase, {@code Ready} condition, container statuses with image and restart count)
 * and the workloads' statuses ({@code observedGeneration}, ready replicas), and, for host-network pods (and
 * {@code hostPort}s), listens on the declared TCP ports on the node's address so that reachability is a real connect.
 * A {@code rustdesk/rustdesk-server} pod creates {@code id_ed25519} / {@code id_ed25519.pub} in its host-path data
 * dir when absent, like hbbs. Faults come from {@link KubeFaults}.
 */
final class SimulatedKubelet implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(SimulatedKubelet.class);
    private static final String OWNER = "handoff.lab/workload";
    private static final String TEMPLATE_HASH = "pod-template-hash";
    private static final String RUSTDESK_IMAGE = "rustdesk/rustdesk-server";

    /** One workload, whatever its kind. */
    private record Workload(HasMetadata object, PodTemplateSpec template, int replicas) {
        String namespace() {
            return object.getMetadata().getNamespace();
        }

        String name() {
            return object.getMetadata().getName();
        }

        String ownerLabel() {
            return object.getKind().toLowerCase() + "." + name();
        }
    }

    private final KubernetesClient client;
    private final NixosNode node;
    private final InetAddress address;
    private final KubeFaults faults;
    private final Duration restartEvery;
    private final ScheduledExecutorService rounds;
    private final Map<String, Listener> listeners = new HashMap<>();
    private final Map<String, Integer> restarts = new HashMap<>();
    private final Map<String, Instant> lastRestart = new HashMap<>();
    private final Set<Path> rustdeskDirs = new LinkedHashSet<>();
    private String keyRotation;
    private volatile String lastError;

    SimulatedKubelet(KubernetesClient client, NixosNode node, InetAddress address, KubeFaults faults, Duration tick) {
        this.client = client;
        this.node = node;
        this.address = address;
        this.faults = faults;
        this.restartEvery = tick.multipliedBy(3);
        this.keyRotation = faults.snapshot().keyRotation();
        this.rounds = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "simulated-kubelet-" + node.hostName());
            t.setDaemon(true);
            return t;
        });
        if (!tick.isZero()) {
            rounds.scheduleWithFixedDelay(this::roundQuietly, 0, tick.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** The last error of a round, or null. */
    String lastError() {
        return lastError;
    }

    private void roundQuietly() {
        try {
            round();
            lastError = null;
        } catch (RuntimeException e) {
            if (!Objects.equals(lastError, e.toString())) {
                LOG.debugf("simulated kubelet on %s: %s", node.hostName(), e.toString());
            }
            lastError = e.toString();
        }
    }

    /** One round: pods, their statuses, listeners, keys, workload statuses. */
    synchronized void round() {
        KubeFaults.Snapshot now = faults.snapshot();
        List<Workload> workloads = new ArrayList<>();
        for (Deployment d : client.apps().deployments().inAnyNamespace().list().getItems()) {
            workloads.add(new Workload(
                    d, d.getSpec().getTemplate(), replicas(d.getSpec().getReplicas())));
        }
        for (StatefulSet s :
                client.apps().statefulSets().inAnyNamespace().list().getItems()) {
            workloads.add(new Workload(
                    s, s.getSpec().getTemplate(), replicas(s.getSpec().getReplicas())));
        }
        for (DaemonSet d : client.apps().daemonSets().inAnyNamespace().list().getItems()) {
            workloads.add(new Workload(d, d.getSpec().getTemplate(), 1));
        }
        Map<String, List<Pod>> podsByOwner = new HashMap<>();
        for (Pod pod : client.pods().inAnyNamespace().list().getItems()) {
            String owner = pod.getMetadata().getLabels() == null
                    ? null
                    : pod.getMetadata().getLabels().get(OWNER);
            if (owner != null) {
                podsByOwner
                        .computeIfAbsent(pod.getMetadata().getNamespace() + "/" + owner, k -> new ArrayList<>())
                        .add(pod);
            }
        }
        Set<String> livePods = new HashSet<>();
        for (Workload w : workloads) {
            List<Pod> pods = podsByOwner.remove(w.namespace() + "/" + w.ownerLabel());
            List<Pod> current = reconcilePods(w, pods == null ? List.of() : pods);
            int ready = 0;
            for (Pod pod : current) {
                livePods.add(key(pod));
                if (updatePod(w, pod, now)) {
                    ready++;
                }
            }
            updateWorkloadStatus(w, current.size(), ready);
        }
        // pods whose workload is gone
        podsByOwner
                .values()
                .forEach(orphans -> orphans.forEach(p -> client.resource(p).delete()));
        closeListenersExcept(livePods);
        rotateKeysIfAsked(now.keyRotation());
    }

    private static int replicas(Integer replicas) {
        return replicas == null ? 1 : replicas;
    }

    private List<Pod> reconcilePods(Workload w, List<Pod> pods) {
        String hash = templateHash(w.template());
        List<Pod> current = new ArrayList<>();
        for (Pod pod : pods) {
            if (hash.equals(pod.getMetadata().getLabels().get(TEMPLATE_HASH)) && current.size() < w.replicas()) {
                current.add(pod);
            } else {
                client.resource(pod).delete();
                closeListenersOf(key(pod));
            }
        }
        for (int i = current.size(); i < w.replicas(); i++) {
            current.add(client.resource(newPod(w, hash, i)).create());
        }
        return current;
    }

    private Pod newPod(Workload w, String hash, int index) {
        Map<String, String> labels = new LinkedHashMap<>();
        if (w.template().getMetadata() != null && w.template().getMetadata().getLabels() != null) {
            labels.putAll(w.template().getMetadata().getLabels());
        }
        labels.put(OWNER, w.ownerLabel());
        labels.put(TEMPLATE_HASH, hash);
        String suffix = w.object() instanceof StatefulSet
                ? String.valueOf(index)
                : hash.substring(0, 5) + "-" + HexFormat.of().toHexDigits((byte) index);
        PodSpec spec = client.getKubernetesSerialization().clone(w.template().getSpec());
        spec.setNodeName(node.hostName());
        return new PodBuilder()
                .withNewMetadata()
                .withNamespace(w.namespace())
                .withName(w.name() + "-" + suffix)
                .withLabels(labels)
                .withOwnerReferences(new OwnerReferenceBuilder()
                        .withApiVersion(w.object().getApiVersion())
                        .withKind(w.object().getKind())
                        .withName(w.name())
                        .withUid(w.object().getMetadata().getUid())
                        .withController(true)
                        .build())
                .endMetadata()
                .withSpec(spec)
                .build();
    }

    /** Sets the pod's status from the faults; opens or closes its ports; returns whether it is Ready. */
    private boolean updatePod(Workload w, Pod pod, KubeFaults.Snapshot now) {
        String podKey = key(pod);
        boolean pullFails = now.active(Fault.IMAGE_PULL_FAILURE, w.namespace(), w.name());
        boolean crashes = !pullFails && now.active(Fault.CRASH_LOOP, w.namespace(), w.name());
        boolean hostNetwork = Boolean.TRUE.equals(pod.getSpec().getHostNetwork());
        boolean running = !pullFails && !crashes;
        Set<Integer> wanted = new LinkedHashSet<>();
        for (Container c : pod.getSpec().getContainers()) {
            for (ContainerPort p : c.getPorts() == null ? List.<ContainerPort>of() : c.getPorts()) {
                String protocol = p.getProtocol() == null ? "TCP" : p.getProtocol();
                Integer port = p.getHostPort() != null ? p.getHostPort() : hostNetwork ? p.getContainerPort() : null;
                if (running && port != null && protocol.equals("TCP") && !now.portOff(port)) {
                    wanted.add(port);
                }
            }
        }
        syncListeners(podKey, wanted);
        if (crashes) {
            Instant last = lastRestart.get(podKey);
            if (last == null || Instant.now().isAfter(last.plus(restartEvery))) {
                restarts.merge(podKey, 1, Integer::sum);
                lastRestart.put(podKey, Instant.now());
            }
        }
        int restartCount = restarts.getOrDefault(podKey, 0);
        boolean ready = running;
        List<ContainerStatus> statuses = new ArrayList<>();
        for (Container c : pod.getSpec().getContainers()) {
            boolean probeOk = true;
            if (c.getReadinessProbe() != null && c.getReadinessProbe().getTcpSocket() != null) {
                var probePort = c.getReadinessProbe().getTcpSocket().getPort();
                Integer port = probePort == null ? null : probePort.getIntVal();
                probeOk = port == null || wanted.contains(port) || !hostNetwork;
            }
            ready &= probeOk;
            ContainerStatusBuilder status = new ContainerStatusBuilder()
                    .withName(c.getName())
                    .withImage(c.getImage())
                    .withRestartCount(restartCount)
                    .withReady(running && probeOk)
                    .withStarted(running);
            if (pullFails) {
                status.withNewState()
                        .withNewWaiting()
                        .withReason(restartCount % 2 == 0 ? "ImagePullBackOff" : "ErrImagePull")
                        .withMessage("Back-off pulling image \"" + c.getImage() + "\": not found")
                        .endWaiting()
                        .endState();
            } else if (crashes) {
                status.withImageID(imageId(c.getImage()))
                        .withNewState()
                        .withNewWaiting()
                        .withReason("CrashLoopBackOff")
                        .withMessage("back-off 10s restarting failed container=" + c.getName() + " pod="
                                + pod.getMetadata().getName())
                        .endWaiting()
                        .endState()
                        .withNewLastState()
                        .withNewTerminated()
                        .withExitCode(1)
                        .withReason("Error")
                        .endTerminated()
                        .endLastState();
            } else {
                status.withImageID(imageId(c.getImage()))
                        .withNewState()
                        .withNewRunning()
                        .withStartedAt(pod.getMetadata().getCreationTimestamp())
                        .endRunning()
                        .endState();
            }
            statuses.add(status.build());
            if (running && c.getImage() != null && c.getImage().contains(RUSTDESK_IMAGE)) {
                ensureRustdeskKeys(pod, c);
            }
        }
        String hostIp = address.getHostAddress();
        PodStatus status = new PodStatusBuilder()
                .withPhase(pullFails ? "Pending" : "Running")
                .withHostIP(hostIp)
                .withPodIP(hostNetwork ? hostIp : "10.42.0." + (Math.abs(podKey.hashCode()) % 250 + 2))
                .withConditions(
                        condition("PodScheduled", true),
                        condition("Initialized", true),
                        condition("ContainersReady", ready),
                        condition("Ready", ready))
                .withContainerStatuses(statuses)
                .build();
        if (!sameStatus(pod.getStatus(), status)) {
            pod.setStatus(status);
            client.pods().inNamespace(w.namespace()).resource(pod).updateStatus();
        }
        return ready;
    }

    private boolean sameStatus(PodStatus before, PodStatus after) {
        if (before == null) {
            return false;
        }
        var s = client.getKubernetesSerialization();
        Map<?, ?> a = s.convertValue(before, Map.class);
        Map<?, ?> b = s.convertValue(after, Map.class);
        return Objects.equals(stripTimes(a), stripTimes(b));
    }

    private static Object stripTimes(Object value) {
        if (value instanceof Map<?, ?> map) {
            Map<Object, Object> out = new LinkedHashMap<>();
            map.forEach((k, v) -> {
                if (!"lastTransitionTime".equals(k) && !"startedAt".equals(k)) {
                    out.put(k, stripTimes(v));
                }
            });
            return out;
        }
        if (value instanceof List<?> list) {
            return list.stream().map(SimulatedKubelet::stripTimes).toList();
        }
        return value;
    }

    private static PodCondition condition(String type, boolean status) {
        return new PodConditionBuilder()
                .withType(type)
                .withStatus(status ? "True" : "False")
                .withLastTransitionTime(Instant.now().toString())
                .build();
    }

    private void updateWorkloadStatus(Workload w, int pods, int ready) {
        HasMetadata o = w.object();
        Long generation =
                o.getMetadata().getGeneration() == null ? 1L : o.getMetadata().getGeneration();
        if (o instanceof Deployment d) {
            var status = new DeploymentStatusBuilder()
                    .withObservedGeneration(generation)
                    .withReplicas(pods)
                    .withUpdatedReplicas(pods)
                    .withReadyReplicas(ready)
                    .withAvailableReplicas(ready)
                    .withUnavailableReplicas(pods - ready)
                    .build();
            if (!Objects.equals(d.getStatus(), status)) {
                d.setStatus(status);
                client.apps()
                        .deployments()
                        .inNamespace(w.namespace())
                        .resource(d)
                        .updateStatus();
            }
        } else if (o instanceof StatefulSet s) {
            var status = new StatefulSetStatusBuilder()
                    .withObservedGeneration(generation)
                    .withReplicas(pods)
                    .withUpdatedReplicas(pods)
                    .withCurrentReplicas(pods)
                    .withReadyReplicas(ready)
                    .withAvailableReplicas(ready)
                    .build();
            if (!Objects.equals(s.getStatus(), status)) {
                s.setStatus(status);
                client.apps()
                        .statefulSets()
                        .inNamespace(w.namespace())
                        .resource(s)
                        .updateStatus();
            }
        } else if (o instanceof DaemonSet d) {
            var status = new DaemonSetStatusBuilder()
                    .withObservedGeneration(generation)
                    .withDesiredNumberScheduled(1)
                    .withCurrentNumberScheduled(pods)
                    .withUpdatedNumberScheduled(pods)
                    .withNumberReady(ready)
                    .withNumberAvailable(ready)
                    .withNumberMisscheduled(0)
                    .build();
            if (!Objects.equals(d.getStatus(), status)) {
                d.setStatus(status);
                client.apps()
                        .daemonSets()
                        .inNamespace(w.namespace())
                        .resource(d)
                        .updateStatus();
            }
        }
    }

    // ---- RustDesk ----------------------------------------------------------------------------------------------

    private void ensureRustdeskKeys(Pod pod, Container c) {
        for (String path : hostPathsMountedBy(pod.getSpec(), c)) {
            Path dir = node.file(path);
            rustdeskDirs.add(dir);
            if (!Files.isRegularFile(dir.resolve("id_ed25519.pub"))) {
                writeKeyPair(dir);
                LOG.infof("simulated %s: hbbs generated a key pair in %s", node.hostName(), path);
            }
        }
    }

    private void rotateKeysIfAsked(String rotation) {
        if (rotation == null || rotation.equals(keyRotation)) {
            return;
        }
        keyRotation = rotation;
        for (Path dir : rustdeskDirs) {
            writeKeyPair(dir);
            LOG.infof("simulated %s: RustDesk key pair rotated in %s", node.hostName(), dir);
        }
    }

    /** Rotates the RustDesk key pair in every data dir now (the {@code rotate-key} fault, synchronously). */
    synchronized void rotateRustdeskKeys() {
        rustdeskDirs.forEach(SimulatedKubelet::writeKeyPair);
    }

    private static List<String> hostPathsMountedBy(PodSpec spec, Container c) {
        List<String> paths = new ArrayList<>();
        List<Volume> volumes = spec.getVolumes() == null ? List.of() : spec.getVolumes();
        for (VolumeMount mount : c.getVolumeMounts() == null ? List.<VolumeMount>of() : c.getVolumeMounts()) {
            for (Volume v : volumes) {
                if (v.getName().equals(mount.getName()) && v.getHostPath() != null) {
                    paths.add(v.getHostPath().getPath());
                }
            }
        }
        return paths;
    }

    /** hbbs's key files: the 32-byte Ed25519 public key and the 64-byte secret key (seed ‖ public), base64. */
    static void writeKeyPair(Path dir) {
        try {
            KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
            byte[] x509 = pair.getPublic().getEncoded();
            byte[] pub = Arrays.copyOfRange(x509, x509.length - 32, x509.length);
            byte[] pkcs8 = pair.getPrivate().getEncoded();
            byte[] seed = Arrays.copyOfRange(pkcs8, pkcs8.length - 32, pkcs8.length);
            byte[] secret = new byte[64];
            System.arraycopy(seed, 0, secret, 0, 32);
            System.arraycopy(pub, 0, secret, 32, 32);
            Files.createDirectories(dir);
            Path key = dir.resolve("id_ed25519");
            Files.writeString(key, Base64.getEncoder().encodeToString(secret), StandardCharsets.US_ASCII);
            Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
            Files.writeString(
                    dir.resolve("id_ed25519.pub"), Base64.getEncoder().encodeToString(pub), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the RustDesk key pair in " + dir, e);
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---- listeners ---------------------------------------------------------------------------------------------

    private void syncListeners(String podKey, Set<Integer> wanted) {
        for (var it = listeners.entrySet().iterator(); it.hasNext(); ) {
            var e = it.next();
            if (e.getKey().startsWith(podKey + ":")
                    && !wanted.contains(Integer.parseInt(e.getKey().substring(podKey.length() + 1)))) {
                e.getValue().close();
                it.remove();
            }
        }
        for (int port : wanted) {
            listeners.computeIfAbsent(podKey + ":" + port, k -> Listener.open(address, port));
        }
    }

    private void closeListenersOf(String podKey) {
        syncListeners(podKey, Set.of());
    }

    private void closeListenersExcept(Set<String> livePods) {
        for (var it = listeners.entrySet().iterator(); it.hasNext(); ) {
            var e = it.next();
            String podKey = e.getKey().substring(0, e.getKey().lastIndexOf(':'));
            if (!livePods.contains(podKey)) {
                e.getValue().close();
                it.remove();
            }
        }
    }

    private static String key(Pod pod) {
        return pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName();
    }

    private String templateHash(PodTemplateSpec template) {
        return sha256(client.getKubernetesSerialization().asJson(template)).substring(0, 10);
    }

    private static String imageId(String image) {
        String repository = image.contains(":") ? image.substring(0, image.lastIndexOf(':')) : image;
        return repository + "@sha256:" + sha256(image);
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public synchronized void close() {
        rounds.shutdownNow();
        listeners.values().forEach(Listener::close);
        listeners.clear();
    }

    /** A TCP port a pod listens on: accepts and closes every connection. */
    private static final class Listener {
        private final ServerSocket socket;

        private Listener(ServerSocket socket) {
            this.socket = socket;
        }

        static Listener open(InetAddress address, int port) {
            try {
                ServerSocket socket = new ServerSocket();
                socket.setReuseAddress(true);
                socket.bind(new InetSocketAddress(address, port), 50);
                // a small stack: a fleet of simulated hosts keeps thousands of these blocked in accept
                Thread accept = new Thread(
                        null,
                        () -> {
                            while (!socket.isClosed()) {
                                try (Socket ignored = socket.accept()) {
                                    // a TCP connect is all a reachability check needs
                                } catch (IOException e) {
                                    // closed
                                }
                            }
                        },
                        "simulated-pod-port-" + port,
                        256 * 1024);
                accept.setDaemon(true);
                accept.start();
                return new Listener(socket);
            } catch (IOException e) {
                LOG.warnf(
                        "simulated kubelet: cannot listen on %s:%d: %s",
                        address.getHostAddress(), port, e.getMessage());
                return null;
            }
        }

        void close() {
            try {
                socket.close();
            } catch (IOException ignored) {
                // already closed
            }
        }
    }
}
