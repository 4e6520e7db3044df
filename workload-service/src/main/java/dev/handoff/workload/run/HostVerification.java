package dev.handoff.workload.run;

import dev.handoff.common.event.v1.StageFailed.Detail;
import dev.handoff.common.event.v1.Workload;
import dev.handoff.common.inventory.Inventory;
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
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * One verification of a host's declared workloads, shared by the stage's run and its scheduled check: reads what the
 * host declares (K3s's manifests folder and kubeconfig, over SFTP), waits for the objects to roll out and answer, and
 * checks the RustDesk key. Never logs the kubeconfig.
 */
final class HostVerification {
    private static final Logger LOG = Logger.getLogger(HostVerification.class);

    /** Findings that running the stage again unchanged will not fix: Git or the host must change. */
    private static final Set<String> NOT_RETRYABLE = Set.of(
            "manifest-missing",
            "manifest-empty",
            "manifest-invalid",
            "manifest-unreadable",
            "host-file-too-large",
            "no-access",
            "image-mismatch",
            "host-network-mismatch",
            "host-path-missing",
            "port-not-in-pod",
            "rustdesk-key-changed");

    private final Inventory inventory;
    private final WorkloadStore store;
    private final SshjHostFiles ssh;
    private final KubeClusters kube;
    private final WorkloadConfig config;
    private final HostDeclaration declaration;
    private final RolloutWait rollout;

    HostVerification(
            Inventory inventory,
            WorkloadStore store,
            SshjHostFiles ssh,
            KubeClusters kube,
            TcpProbes tcp,
            WorkloadConfig config) {
        this.inventory = inventory;
        this.store = store;
        this.ssh = ssh;
        this.kube = kube;
        this.config = config;
        this.declaration = new HostDeclaration(config);
        this.rollout = new RolloutWait(kube, tcp, config);
    }

    /**
     * Verifies {@code host} now: waits up to {@code wait} for its declared objects to hold.
     *
     * @param keepKeys whether a RustDesk key that passes is recorded as the host's key (a run does; a scheduled check
     *     only compares)
     * @throws RunFailure what does not hold, or why the host could not be read
     */
    Workload verify(String host, Duration wait, boolean keepKeys) throws RunFailure, Exception {
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
            return verify(host, inventoryHost, address, files, wait, keepKeys);
        } catch (HostFileTooLargeException e) {
            throw new RunFailure(
                    "host-file-too-large",
                    e.getMessage(),
                    false,
                    List.of(new Detail("host-file-too-large", e.path(), e.getMessage())));
        }
    }

    private Workload verify(
            String host, Inventory.Host inventoryHost, String address, HostFiles files, Duration wait, boolean keepKeys)
            throws RunFailure, Exception {
        List<DeclaredObject> declared = declaration.objects(host, inventoryHost.workloads(), files);
        if (declared.isEmpty()) {
            // only a host that lists no workloads gets here: a listed one without objects failed manifest-empty
            LOG.infof("workload: %s lists no workloads and declares no objects in %s", host, config.manifestsDir());
            return new Workload(host, List.of());
        }
        LOG.infof(
                "workload: %s declares %d objects in %s; waiting up to %s for them",
                host, declared.size(), config.manifestsDir(), wait);
        WorkloadVerdict.Result result;
        String kubeconfigSource = declaration.kubeconfigSource(host);
        try (KubernetesClient client =
                kube.open(host, address, declaration.kubeconfig(host, files), kubeconfigSource)) {
            result = rollout.await(host, address, client, declared, kubeconfigSource, wait);
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
            if (keepKeys && judgement.keep()) {
                keep.add(() -> keepKey(host, dir, fingerprint.orElseThrow()));
            }
        }
        if (!findings.isEmpty()) {
            throw failure(host, address, declared, findings, wait);
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

    private RunFailure failure(
            String host, String address, List<DeclaredObject> declared, List<Detail> findings, Duration wait) {
        String reason = WorkloadVerdict.mainReason(findings);
        List<String> subjects = findings.stream()
                .map(f -> f.subject() + " " + f.code())
                .distinct()
                .toList();
        boolean retryable = findings.stream().noneMatch(f -> NOT_RETRYABLE.contains(f.code()));
        return new RunFailure(
                reason,
                host + " (" + address + "): " + subjects.size() + " finding(s) on " + declared.size()
                        + " declared objects after waiting up to " + wait + ": "
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
