package dev.handoff.workload.run;

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
import dev.handoff.workload.driver.HostFileTooLargeException;
import dev.handoff.workload.driver.HostFiles;
import dev.handoff.workload.driver.KubeClusters;
import dev.handoff.workload.driver.KubeException;
import dev.handoff.workload.driver.SshException;
import dev.handoff.workload.driver.SshjHostFiles;
import dev.handoff.workload.driver.TcpProbes;
import dev.handoff.workload.driver.WorkloadStore;
import dev.handoff.workload.stage.DeclaredObject;
import dev.handoff.workload.stage.RustdeskKey;
import dev.handoff.workload.stage.WorkloadVerdict;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
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
public final class WorkloadRun {
    private static final Logger LOG = Logger.getLogger(WorkloadRun.class);

    /** Findings that running the stage again unchanged will not fix: Git or the host must change. */
    private static final Set<String> NOT_RETRYABLE = Set.of(
            "manifest-missing",
            "manifest-unreadable",
            "manifest-empty",
            "manifest-invalid",
            "host-file-too-large",
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
    private final dev.handoff.support.StageOutcomes outcomes;
    private final SshjHostFiles ssh;
    private final KubeClusters kube;
    private final WorkloadConfig config;
    private final String source;
    private final HostDeclaration declaration;
    private final RolloutWait rollout;

    public WorkloadRun(
            Inventory inventory,
            EventCodec codec,
            EventPublisher publisher,
            WorkloadStore store,
            HostLock lock,
            SshjHostFiles ssh,
            KubeClusters kube,
            TcpProbes tcp,
            WorkloadConfig config,
            String source,
            dev.handoff.support.StageOutcomes outcomes) {
        this.inventory = inventory;
        this.codec = codec;
        this.publisher = publisher;
        this.store = store;
        this.lock = lock;
        this.ssh = ssh;
        this.kube = kube;
        this.config = config;
        this.source = source;
        this.outcomes = outcomes;
        this.declaration = new HostDeclaration(config);
        this.rollout = new RolloutWait(kube, tcp, config);
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
                // delivered again after its run ended: the same outcome again (docs/workload-service.md)
                if (!outcomes.republished(trigger, host, config.publishTimeout())) {
                    run(trigger, convergence);
                }
            }
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
            List<Detail> details = new ArrayList<>(f.details());
            if (details.isEmpty()) {
                details.add(new Detail(f.reason(), host, f.getMessage()));
            }
            outcome = event(
                    trigger,
                    EventType.WORKLOAD_FAILED,
                    host,
                    new StageFailed(
                            host,
                            Stage.WORKLOAD.id(),
                            f.reason(),
                            f.getMessage(),
                            f.retryable(),
                            List.copyOf(details)));
            LOG.warnf("workload failed for %s (%s): %s", host, f.reason(), f.getMessage());
        }
        outcomes.publish(trigger, host, outcome, config.publishTimeout());
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
            return verify(host, inventoryHost, address, files);
        } catch (HostFileTooLargeException e) {
            throw new RunFailure(
                    "host-file-too-large",
                    e.getMessage(),
                    false,
                    List.of(new Detail("host-file-too-large", e.path(), e.getMessage())));
        }
    }

    private Workload verify(String host, Inventory.Host inventoryHost, String address, HostFiles files)
            throws RunFailure, Exception {
        List<DeclaredObject> declared = declaration.objects(host, inventoryHost.workloads(), files);
        if (declared.isEmpty()) {
            // only a host that lists no workloads gets here: a listed one without objects failed manifest-empty
            LOG.infof("workload: %s lists no workloads and declares no objects in %s", host, config.manifestsDir());
            return new Workload(host, List.of());
        }
        LOG.infof(
                "workload: %s declares %d objects in %s; waiting up to %s for them",
                host, declared.size(), config.manifestsDir(), config.rolloutTimeout());
        WorkloadVerdict.Result result;
        String kubeconfigSource = declaration.kubeconfigSource(host);
        try (KubernetesClient client =
                kube.open(host, address, declaration.kubeconfig(host, files), kubeconfigSource)) {
            result = rollout.await(host, address, client, declared, kubeconfigSource);
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
}
