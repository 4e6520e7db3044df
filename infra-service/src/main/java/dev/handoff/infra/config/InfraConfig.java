package dev.handoff.infra.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** infra-service's settings ({@code handoff.*}); each key is also an environment variable, e.g. HANDOFF_INFRA_WORK_DIR. */
@ConfigMapping(prefix = "handoff")
public interface InfraConfig {
    /** Path of the {@code handoff.yaml} inventory. */
    String inventory();

    /** The infra stage. */
    Infra infra();

    /** API access. */
    Auth auth();

    /** The infra stage's settings. */
    interface Infra {
        /** Where repositories are checked out and plans written; each run uses a fresh folder below it. */
        Path workDir();

        /** Where stack states, local state archives and the last cloud facts per host are kept. */
        Path stateDir();

        /** Kafka consumer group of the stage. */
        @WithDefault("infra-service")
        String consumerGroup();

        /**
         * How many hosts this replica works on at once ({@code handoff.infra.concurrency}): one host is never worked on twice
         * at once, and of the triggers that wait for one host only the newest of each kind runs (docs/operators.md).
         */
        @WithDefault("16")
        int concurrency();

        /** The tofu executable. */
        Tofu tofu();

        /** The off-machine copy of state archives. */
        Archive archive();

        /** Approval of destructive plans. */
        Approval approval();

        /** The scheduled read-back: on or off. */
        Readback readback();

        /** The scheduled read-back's period and first delay. */
        Watch watch();

        /** The OCI API. */
        Oci oci();
    }

    /** The tofu executable. */
    interface Tofu {
        /** The executable: a name on PATH or a path. */
        @WithDefault("tofu")
        String binary();

        /** How long one tofu command may run before it is killed with its child processes. */
        @WithDefault("30M")
        Duration timeout();

        /** How many of tofu's last output lines a failure carries. */
        @WithDefault("20")
        int tailLines();

        /**
         * How long tofu waits for another run's state lock ({@code -lock-timeout}) before the stage fails
         * {@code state-locked}; matters when replicas share a remote backend.
         */
        @WithDefault("5M")
        Duration lockTimeout();

        /**
         * A file of {@code NAME=value} lines set in tofu's environment, e.g. {@code PG_CONN_STR} of a {@code pg}
         * backend or a provider's credentials (mount it from a secret; {@code #} starts a comment). Values whose name
         * says secret (password, token, key, conn_str…) and passwords inside connection strings are masked in every
         * output.
         */
        Optional<Path> envFile();

        /**
         * Names of further variables of this service's environment passed to tofu (besides PATH, HOME, locale, CA
         * and proxy settings, {@code TF_*} and {@code OCI_*}), e.g. {@code AWS_ACCESS_KEY_ID} for an {@code s3}
         * backend. Nothing else of the service's environment reaches tofu.
         */
        Optional<List<String>> inheritEnv();
    }

    /** The off-machine copy of state archives; at least one of the two should be set. */
    interface Archive {
        /** A directory (e.g. a mounted remote disk) the archive and its checksum are copied to and checked in. */
        Optional<Path> destination();

        /** A command run for the archive and for its checksum file, {@code {archive}} and {@code {name}} replaced. */
        Optional<String> command();
    }

    /** Approval of destructive plans. */
    interface Approval {
        /** How long a destructive plan waits for an operator before the stage fails with approval-timeout. */
        @WithDefault("1H")
        Duration timeout();

        /** Repositories (owner/name) whose destructive plans are applied without asking. */
        Optional<List<String>> autoApprove();
    }

    /** The scheduled read-back that reports drift. */
    interface Readback {
        /**
         * Whether the scheduled read-back runs ({@code HANDOFF_INFRA_READBACK_ENABLED}); {@code false} switches it off
         * as {@code handoff.infra.watch.interval=off} does.
         */
        @WithDefault("true")
        boolean enabled();

        /**
         * Time between two read-backs of every host.
         *
         * @deprecated set {@code handoff.infra.watch.interval} ({@code HANDOFF_INFRA_WATCH_INTERVAL}); this is read
         *     only as its default
         */
        @Deprecated
        @WithDefault("5M")
        Duration interval();
    }

    /** The scheduled read-back as every stage's scheduled check (docs/operators.md, "Scheduled checks"). */
    interface Watch {
        /**
         * Period of the read-back ({@code HANDOFF_INFRA_WATCH_INTERVAL}; Quarkus scheduler syntax: {@code 5m},
         * {@code 1h}; {@code off} disables it); the deprecated {@code handoff.infra.readback.interval} when unset.
         */
        @WithDefault("${handoff.infra.readback.interval:5M}")
        String interval();

        /** Delay of the first read-back after start ({@code HANDOFF_INFRA_WATCH_DELAY}). */
        @WithDefault("1m")
        String delay();
    }

    /** The OCI API. */
    interface Oci {
        /** The OCI config file (user, fingerprint, tenancy, region, key_file). */
        @WithDefault("${user.home}/.oci/config")
        String configFile();

        /** The profile of the config file. */
        @WithDefault("DEFAULT")
        String profile();

        /** An endpoint instead of the region's (the lab's simulated OCI API), e.g. http://127.0.0.1:8091. */
        Optional<String> endpoint();

        /** Connect and read timeout of one OCI API call. */
        @WithDefault("30S")
        Duration timeout();
    }

    /** API access. */
    interface Auth {
        /** Bearer tokens, {@code name:role:sha256hex} comma-separated, as control-service; restore needs operator. */
        Optional<String> tokens();
    }
}
