package dev.handoff.workload.run;

import dev.handoff.common.event.v1.StageFailed.Detail;
import dev.handoff.common.event.v1.Workload;
import dev.handoff.workload.config.WorkloadConfig;
import dev.handoff.workload.driver.ClusterReader;
import dev.handoff.workload.driver.KubeClusters;
import dev.handoff.workload.driver.TcpProbes;
import dev.handoff.workload.stage.DeclaredObject;
import dev.handoff.workload.stage.ObservedObject;
import dev.handoff.workload.stage.PortProbe;
import dev.handoff.workload.stage.WorkloadVerdict;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * Steps 3 and 4 of a run: reads the declared objects from the API and connects to their ports until they hold or the
 * wait passes (the rollout timeout of a run, the grace of a scheduled check); fails at once when the API refuses the kubeconfig's credentials.
 */
final class RolloutWait {
    private static final Logger LOG = Logger.getLogger(RolloutWait.class);

    private final KubeClusters kube;
    private final TcpProbes tcp;
    private final WorkloadConfig config;

    RolloutWait(KubeClusters kube, TcpProbes tcp, WorkloadConfig config) {
        this.kube = kube;
        this.tcp = tcp;
        this.config = config;
    }

    /** Reads until two reads in a row hold (restart counts stable between them) or {@code wait} passes. */
    WorkloadVerdict.Result await(
            String host,
            String address,
            KubernetesClient client,
            List<DeclaredObject> declared,
            String kubeconfig,
            Duration wait)
            throws Exception {
        long deadline = System.nanoTime() + wait.toNanos();
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
                                    + wait + ": " + why
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
