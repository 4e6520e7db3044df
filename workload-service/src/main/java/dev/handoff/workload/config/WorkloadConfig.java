package dev.handoff.workload.config;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/** workload-service settings under {@code handoff.workload.*}. Credentials are never configured here, only paths. */
@ConfigMapping(prefix = "handoff.workload")
public interface WorkloadConfig {
    /** Kafka consumer group of the triggers ({@code handoff.convergence} and {@code handoff.replay.workload}). */
    @WithDefault("handoff-workload")
    String consumerGroup();

    /**
     * How many hosts this replica works on at once ({@code handoff.workload.concurrency}): one host is never worked on twice
     * at once, and of the triggers that wait for one host only the newest of each kind runs (docs/operators.md).
     */
    @WithDefault("16")
    int concurrency();

    /** The runner's SSH private key file (OpenSSH format) ({@code HANDOFF_WORKLOAD_SSH_IDENTITY}). */
    String sshIdentity();

    /** Where SSH to a steady address really goes: {@code address=host:port,…} (unmapped: the address, port 22). */
    Optional<String> sshAddresses();

    /**
     * Where a host's Kubernetes API really is: {@code address:port=host:port,…}, keyed by the steady address and the
     * port of the kubeconfig's server (unmapped: the steady address and that port).
     */
    Optional<String> apiAddresses();

    /** Where the declared ports of a steady address are connected to: {@code address=host,…} (unmapped: itself). */
    Optional<String> portAddresses();

    /** Folder of K3s's manifests on the host: every object of every {@code *.yaml} there is declared. */
    @WithDefault("/var/lib/rancher/k3s/server/manifests")
    String manifestsDir();

    /**
     * The largest host file read over SFTP ({@code HANDOFF_WORKLOAD_MAX_HOST_FILE_SIZE}): each manifest, the kubeconfig
     * and the RustDesk public key. A file over it fails the run with {@code host-file-too-large} without being read.
     * Manifests are a few KiB, a kubeconfig about 3 KiB and a key under 100 bytes; 1M leaves room for a big
     * multi-document manifest while a wrong link (a log, an image) cannot fill the service's memory.
     */
    @WithDefault("1M")
    MemorySize maxHostFileSize();

    /** The kubeconfig K3s writes on the host; its server address is replaced by the host's steady address. */
    @WithDefault("/etc/rancher/k3s/k3s.yaml")
    String kubeconfigPath();

    /**
     * Folder of configured kubeconfigs, {@code <host>.yaml} ({@code HANDOFF_WORKLOAD_KUBECONFIG_DIR}): used instead of
     * reading the host's own when there is one for the host.
     */
    Optional<String> kubeconfigDir();

    /**
     * Whether the API server's certificate must name the address connected to (its CA is always verified). K3s's
     * certificate names 127.0.0.1, the node's IP and host name and every {@code --tls-san}: add the steady address
     * there, or switch this off.
     */
    @WithDefault("true")
    boolean verifyApiHostname();

    /** How long to wait for the declared objects to roll out, become Ready and answer. */
    @WithDefault("5m")
    Duration rolloutTimeout();

    /** How often the cluster is read while waiting. */
    @WithDefault("2s")
    Duration pollInterval();

    /** Timeout of one TCP connect to a declared port. */
    @WithDefault("2s")
    Duration connectTimeout();

    /** Connect and command timeout of one SSH connection. */
    @WithDefault("15s")
    Duration sshTimeout();

    /** Timeout of one Kubernetes API request. */
    @WithDefault("10s")
    Duration apiTimeout();

    /** How long to wait for Kafka to acknowledge the stage's events. */
    @WithDefault("30s")
    Duration publishTimeout();

    /** The scheduled check of the hosts whose workloads were verified (docs/operators.md, "Scheduled checks"). */
    Watch watch();

    /** The scheduled check: its rounds re-verify every watched host and report what no longer holds once. */
    interface Watch {
        /**
         * Period of the rounds ({@code HANDOFF_WORKLOAD_WATCH_INTERVAL}; Quarkus scheduler syntax: {@code 15m},
         * {@code 1h}; {@code off} disables them).
         */
        @WithDefault("15m")
        String interval();

        /** Delay of the first round after start ({@code HANDOFF_WORKLOAD_WATCH_DELAY}). */
        @WithDefault("1m")
        String delay();

        /**
         * How long a round waits for what does not hold to hold again before it reports it: a pod Kubernetes is
         * restarting, a port a moment before its server listens ({@code HANDOFF_WORKLOAD_WATCH_GRACE}).
         */
        @WithDefault("1m")
        Duration grace();
    }
}
