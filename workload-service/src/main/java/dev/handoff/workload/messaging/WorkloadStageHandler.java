package dev.handoff.workload.messaging;

import dev.handoff.common.event.EventEnvelope;
import dev.handoff.common.event.EventType;
import dev.handoff.common.event.Stage;
import dev.handoff.common.event.v1.Convergence;
import dev.handoff.common.event.v1.StageFailed;
import dev.handoff.common.event.v1.StageFailed.Detail;
import dev.handoff.common.event.v1.StageStarted;
import dev.handoff.common.event.v1.Workload;
import dev.handoff.common.inventory.Inventory;
import dev.handoff.common.lock.HostLock;
import dev.handoff.common.messaging.EventPublisher;
import dev.handoff.common.messaging.ReceivedEvent;
import dev.handoff.common.serde.EventCodec;
import dev.handoff.workload.config.WorkloadConfig;
import dev.handoff.workload.driver.ClusterReader;
import dev.handoff.workload.driver.HostFiles;
import dev.handoff.workload.driver.KubeClusters;
import dev.handoff.workload.driver.KubeException;
import dev.handoff.workload.driver.SshException;
import dev.handoff.workload.driver.SshjHostFiles;
import dev.handoff.workload.driver.TcpProbes;
import dev.handoff.workload.driver.WorkloadStore;
import dev.handoff.workload.stage.DeclaredObject;
import dev.handoff.workload.stage.Manifests;
import dev.handoff.workload.stage.ObservedObject;
import dev.handoff.workload.stage.PortProbe;
import dev.handoff.workload.stage.RustdeskKey;
import dev.handoff.workload.stage.WorkloadVerdict;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Runs the workload stage for a batch of triggers, one host at a time under its {@link HostLock}: reads what the host
 * declares (K3s's manifests folder and kubeconfig, over SFTP), waits for the objects to roll out and answer, checks
 * the RustDesk key, and publishes {@code workload} events. Event ids derive from the trigger's id, so a redelivered
 * trigger gives the same events (the ledger keeps each id once). Logs and events never carry the kubeconfig.
 */
public final class WorkloadStageHandler {
    private static final Logger LOG = Logger.getLogger(WorkloadStageHandler.class);

    /** Findings that running the stage again unchanged will not fix: Git or the host must change. */
    private static final Set<String> NOT_RETRYABLE = Set.of(
            "manifest-missing",
            "manifest-invalid",
            "no-access",
            "image-mismatch",
            "host-network-mismatch",
            "host-path-missing",
            "port-not-in-pod",
            "rustdesk-key-changed");

    private final Inventory inventory;
    private final EventCodec codec;
    private final EventPublisher publisher;
    private final WorkloadStore store;
    private final HostLock lock;
    private final SshjHostFiles ssh;
    private final KubeClusters kube;
    private final TcpProbes tcp;
    private final WorkloadConfig config;
    private final String source;

    public WorkloadStageHandler(
            Inventory inventory,
            EventCodec codec,
            EventPublisher publisher,
            WorkloadStore store,
            HostLock lock,
            SshjHostFiles ssh,
            KubeClusters kube,
            TcpProbes tcp,
            WorkloadConfig config,
            String source) {
        this.inventory = inventory;
        this.codec = codec;
        this.publisher = publisher;
        this.store = store;
        this.lock = lock;
        this.ssh = ssh;
        this.kube = kube;
        this.tcp = tcp;
        this.config = config;
        this.source = source;
    }

    /** Handles a batch in order; throwing makes the consumer loop retry it. */
    public void handle(List<ReceivedEvent> batch) throws Exception {
        for (ReceivedEvent received : batch) {
            EventEnvelope trigger = received.event();
            if (!EventType.CONVERGENCE_COMPLETED.type().equals(trigger.type())) {
                continue;
            }
            Convergence convergence = codec.payload(trigger, Convergence.class);
            String host = convergence.host();
            if (!inventory.hosts().containsKey(host)) {
                LOG.warnf("workload: %s converged but is not in the inventory; nothing to verify", host);
                continue;
            }
            try (HostLock.Held held = lock.acquire(host)) {
                run(trigger, convergence);
            }
        }
    }

    /** A failed run. */
    static final class RunFailure extends Exception {
        final String reason;
        final boolean retryable;
        final List<Detail> details;

        RunFailure(String reason, String message, boolean retryable, List<Detail> details) {
            super(message);
            this.reason = reason;
            this.retryable = retryable;
            this.details = details;
        }
    }

    private void run(EventEnvelope trigger, Convergence convergence) throws Exception {
        String host = convergence.host();
        publisher.publishAll(
                List.of(event(
                        trigger,
                        EventType.WORKLOAD_STARTED,
                        host,
                        new StageStarted(
                                host,
                                Stage.WORKLOAD.id(),
                                trigger.type(),
                                convergence.repository(),
                                convergence.commit()))),
                config.publishTimeout());
        EventEnvelope outcome;
        try {
            Workload facts = verify(host);
            outcome = event(trigger, EventType.WORKLOAD_COMPLETED, host, facts);
            LOG.infof(
                    "workload completed for %s: %d objects ready%s",
                    host,
                    facts.objects().size(),
                    facts.checks() == null
                            ? ""
                            : ", checks "
                                    + facts.checks().stream()
                                            .map(c -> c.name() + "=" + c.passed())
                                            .toList());
        } catch (RunFailure f) {
            List<Detail> details = new ArrayList<>(f.details);
            if (details.isEmpty()) {
                details.add(new Detail(f.reason, host, f.getMessage()));
            }
            outcome = event(
                    trigger,
                    EventType.WORKLOAD_FAILED,
                    host,
                    new StageFailed(
                            host, Stage.WORKLOAD.id(), f.reason, f.getMessage(), f.retryable, List.copyOf(details)));
            LOG.warnf("workload failed for %s (%s): %s", host, f.reason, f.getMessage());
        }
        publisher.publishAll(List.of(outcome), config.publishTimeout());
    }

    private EventEnvelope event(EventEnvelope trigger, EventType type, String host, Record payload) {
        String id = UUID.nameUUIDFromBytes(
                        (source + "|" + trigger.id() + "|" + type.type()).getBytes(StandardCharsets.UTF_8))
                .toString();
        String deployment = trigger.deploymentId() != null
                ? trigger.deploymentId()
                : UUID.randomUUID().toString();
        return codec.newEvent(id, type, source, host, deployment, trigger.id(), payload);
    }

    private Workload verify(String host) throws RunFailure, Exception {
        Inventory.Host inventoryHost = inventory.hosts().get(host);
        if (inventoryHost.access().isEmpty()) {
            if (inventoryHost.workloads().isEmpty()) {
                LOG.infof("workload: %s declares no workloads and has no SSH access: nothing to verify", host);
                return new Workload(host, List.of());
            }
            throw new RunFailure(
                    "no-access",
                    host + " lists workloads " + inventoryHost.workloads() + " in handoff.yaml but has no access:"
                            + " workload-service reads its manifests over SSH at access.steady; add it",
                    false,
                    List.of());
        }
        Inventory.Endpoint steady = inventoryHost.access().get().steady();
        String address = steady.address();
        try (HostFiles files = open(host, steady)) {
            List<DeclaredObject> declared = declared(host, inventoryHost, files);
            if (declared.isEmpty()) {
                LOG.infof("workload: %s declares no objects in %s", host, config.manifestsDir());
                return new Workload(host, List.of());
            }
            LOG.infof(
                    "workload: %s declares %d objects in %s; waiting up to %s for them",
                    host, declared.size(), config.manifestsDir(), config.rolloutTimeout());
            WorkloadVerdict.Result result;
            String kubeconfigSource = kubeconfigSource(host);
            try (KubernetesClient client = kube.open(host, address, kubeconfig(host, files), kubeconfigSource)) {
                result = await(host, address, client, declared, kubeconfigSource);
            } catch (KubeException e) {
                throw new RunFailure("kubeconfig-invalid", e.getMessage(), false, List.of());
            }
            List<Detail> findings = new ArrayList<>(result.findings());
            List<Workload.Check> checks = new ArrayList<>();
            List<Runnable> keep = new ArrayList<>();
            for (RustdeskKey.DataDir dir : RustdeskKey.dataDirs(declared)) {
                Optional<String> fingerprint = files.read(dir.publicKeyPath()).map(RustdeskKey::fingerprint);
                RustdeskKey.Judgement judgement =
                        RustdeskKey.judge(dir, fingerprint, store.rustdeskKey(host, dir.dataDir()));
                checks.add(judgement.check());
                judgement.finding().ifPresent(findings::add);
                if (judgement.keep()) {
                    keep.add(() -> keepKey(host, dir, fingerprint.orElseThrow()));
                }
            }
            if (!findings.isEmpty()) {
                throw failure(host, address, declared, findings);
            }
            keep.forEach(Runnable::run);
            return new Workload(host, result.objects(), checks.isEmpty() ? null : List.copyOf(checks));
        }
    }

    private HostFiles open(String host, Inventory.Endpoint steady) throws RunFailure {
        try {
            return ssh.open(host, steady.user(), steady.address());
        } catch (SshException e) {
            boolean keyChanged = e.getMessage().contains("HOST KEY CHANGED");
            throw new RunFailure(
                    keyChanged ? "host-key-changed" : "ssh-unreachable",
                    e.getMessage(),
                    !keyChanged,
                    List.of(new Detail(
                            keyChanged ? "host-key-changed" : "ssh-unreachable",
                            host + " " + steady.address(),
                            e.getMessage())));
        }
    }

    private List<DeclaredObject> declared(String host, Inventory.Host inventoryHost, HostFiles files)
            throws RunFailure, SshException {
        String dir = config.manifestsDir();
        List<String> names = files.list(dir).stream()
                .filter(n -> n.endsWith(".yaml") || n.endsWith(".yml") || n.endsWith(".json"))
                .filter(n -> !n.startsWith("."))
                .toList();
        List<Detail> missing = new ArrayList<>();
        for (String workload : inventoryHost.workloads()) {
            if (!names.contains(workload + ".yaml") && !names.contains(workload + ".yml")) {
                missing.add(new Detail(
                        "manifest-missing",
                        dir + "/" + workload + ".yaml",
                        "handoff.yaml lists workload " + workload + " for " + host + " but the host has no "
                                + workload + ".yaml in " + dir
                                + ": declare it with services.k3s.manifests." + workload + ".source"));
            }
        }
        if (!missing.isEmpty()) {
            throw new RunFailure(
                    "manifest-missing",
                    host + ": " + missing.size() + " workload(s) of handoff.yaml not declared on the host: "
                            + missing.stream().map(Detail::subject).toList(),
                    false,
                    missing);
        }
        List<DeclaredObject> declared = new ArrayList<>();
        for (String name : names) {
            byte[] content = files.read(dir + "/" + name).orElse(new byte[0]);
            try {
                declared.addAll(Manifests.parse(name, new String(content, StandardCharsets.UTF_8)));
            } catch (Manifests.InvalidManifestException e) {
                throw new RunFailure(
                        "manifest-invalid",
                        host + ": " + dir + "/" + e.getMessage() + "; fix the manifest in the runtime repository",
                        false,
                        List.of(new Detail("manifest-invalid", dir + "/" + name, e.getMessage())));
            }
        }
        return declared;
    }

    private String kubeconfigSource(String host) {
        return config.kubeconfigDir()
                .map(d -> Path.of(d).resolve(host + ".yaml"))
                .filter(Files::isRegularFile)
                .map(Path::toString)
                .orElse(host + ":" + config.kubeconfigPath());
    }

    private String kubeconfig(String host, HostFiles files) throws Exception {
        Optional<Path> configured = config.kubeconfigDir()
                .map(d -> Path.of(d).resolve(host + ".yaml"))
                .filter(Files::isRegularFile);
        if (configured.isPresent()) {
            return Files.readString(configured.get(), StandardCharsets.UTF_8);
        }
        return new String(
                files.read(config.kubeconfigPath())
                        .orElseThrow(() -> new RunFailure(
                                "kubeconfig-missing",
                                host + ": " + config.kubeconfigPath() + " does not exist: K3s writes it at start;"
                                        + " is k3s running? (or configure handoff.workload.kubeconfig-dir)",
                                true,
                                List.of())),
                StandardCharsets.UTF_8);
    }

    /** Reads until two reads in a row hold (restart counts stable between them) or the rollout timeout passes. */
    private WorkloadVerdict.Result await(
            String host, String address, KubernetesClient client, List<DeclaredObject> declared, String kubeconfig)
            throws Exception {
        long deadline = System.nanoTime() + config.rolloutTimeout().toNanos();
        Set<Integer> tcpPorts = new LinkedHashSet<>();
        declared.forEach(d -> d.exposedPorts().stream()
                .filter(p -> p.protocol().equals("TCP"))
                .forEach(p -> tcpPorts.add(p.port())));
        Map<String, Integer> restarts = Map.of();
        WorkloadVerdict.Result result = null;
        int clean = 0;
        String lastProgress = "";
        while (true) {
            List<ObservedObject> observed;
            try {
                observed = ClusterReader.read(client, declared);
            } catch (KubernetesClientException e) {
                refused(host, address, kubeconfig, e);
                if (System.nanoTime() > deadline) {
                    String why = e.getCode() > 0 ? "HTTP " + e.getCode() : rootCause(e);
                    throw new RunFailure(
                            "api-unreachable",
                            host + ": the Kubernetes API at " + kube.where(address, 6443) + " did not answer within "
                                    + config.rolloutTimeout() + ": " + why
                                    + "; check that k3s runs and that its certificate is the kubeconfig's CA's",
                            true,
                            List.of(new Detail("api-unreachable", address, why)));
                }
                LOG.infof("workload: %s: Kubernetes API not answering yet (%s)", host, rootCause(e));
                Thread.sleep(config.pollInterval().toMillis());
                continue;
            }
            Map<Integer, PortProbe> probes = tcp.probe(address, tcpPorts);
            result = WorkloadVerdict.judge(address, observed, probes, restarts);
            restarts = result.restarts();
            if (result.clean()) {
                if (++clean >= 2) {
                    return result;
                }
            } else {
                clean = 0;
                String progress = result.objects().stream()
                                .filter(Workload.WorkloadObject::ready)
                                .count()
                        + "/" + declared.size() + " objects ready; waiting for "
                        + result.findings().stream()
                                .map(f -> f.subject() + " (" + f.code() + ")")
                                .distinct()
                                .toList();
                if (!progress.equals(lastProgress)) {
                    LOG.infof("workload: %s: %s", host, progress);
                    lastProgress = progress;
                }
            }
            if (System.nanoTime() > deadline) {
                return result;
            }
            Thread.sleep(config.pollInterval().toMillis());
        }
    }

    private RunFailure failure(String host, String address, List<DeclaredObject> declared, List<Detail> findings) {
        String reason = WorkloadVerdict.mainReason(findings);
        List<String> subjects = findings.stream()
                .map(f -> f.subject() + " " + f.code())
                .distinct()
                .toList();
        boolean retryable = findings.stream().noneMatch(f -> NOT_RETRYABLE.contains(f.code()));
        return new RunFailure(
                reason,
                host + " (" + address + "): " + subjects.size() + " finding(s) on " + declared.size()
                        + " declared objects after waiting up to " + config.rolloutTimeout() + ": "
                        + String.join(", ", subjects) + ". "
                        + findings.get(0).message()
                        + (retryable ? "; check the pods' events (kubectl describe)" : ""),
                retryable,
                findings);
    }

    private void keepKey(String host, RustdeskKey.DataDir dir, String fingerprint) {
        try {
            store.keepRustdeskKey(host, dir.dataDir(), fingerprint, dir.rotation(), Instant.now());
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException("cannot record the RustDesk key of " + host + ": " + e.getMessage(), e);
        }
    }

    /**
     * Fails the run at once when the API refuses the kubeconfig's credentials: waiting would not change them. A
     * client certificate the API does not trust ends the TLS handshake with an alert; no certificate at all, or one it
     * no longer accepts, gets 401; a user without read access gets 403.
     *
     * @param kubeconfig where the kubeconfig was read, for the message
     */
    private void refused(String host, String address, String kubeconfig, KubernetesClientException e)
            throws RunFailure {
        String why;
        String fix;
        if (e.getCode() == 401 || rejectedCertificate(e)) {
            why = e.getCode() == 401 ? "HTTP 401 Unauthorized" : "the TLS handshake was refused: " + rootCause(e);
            fix = "its client certificate is not one the API trusts; if K3s's certificates were rotated, the"
                    + " kubeconfig is stale: restart k3s so that it writes a new one, then replay";
        } else if (e.getCode() == 403) {
            why = "HTTP 403 Forbidden";
            fix = "the kubeconfig's user may not read the declared objects; give it get and list on them and on pods";
        } else {
            return;
        }
        throw new RunFailure(
                "api-unauthorized",
                host + ": the Kubernetes API at " + kube.where(address, 6443) + " refused the credentials of "
                        + kubeconfig + " (" + why + "); " + fix,
                true,
                List.of(new Detail("api-unauthorized", address, why)));
    }

    /** Whether the server ended the handshake because of our certificate (a TLS alert it sent, not our check). */
    private static boolean rejectedCertificate(Throwable e) {
        for (Throwable t = e; t != null && t.getCause() != t; t = t.getCause()) {
            String message = t.getMessage();
            if (t instanceof javax.net.ssl.SSLException
                    && message != null
                    && message.contains("Received fatal alert")
                    && (message.contains("certificate") || message.contains("handshake_failure"))) {
                return true;
            }
        }
        return false;
    }

    private static String rootCause(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
    }
}
