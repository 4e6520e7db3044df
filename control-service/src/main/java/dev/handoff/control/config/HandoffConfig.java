package dev.handoff.control.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** control-service settings under {@code handoff.*}. Secrets come from the environment, never from files in Git. */
@ConfigMapping(prefix = "handoff")
public interface HandoffConfig {

    /** Path of the {@code handoff.yaml} inventory ({@code HANDOFF_INVENTORY}). */
    String inventory();

    /** Webhook settings. */
    Webhook webhook();

    /** API authentication. */
    Auth auth();

    /** Ledger settings. */
    Ledger ledger();

    /** Replays. */
    Replay replay();

    /** Webhook ingress. */
    interface Webhook {
        /** The shared secret Forgejo signs deliveries with ({@code HANDOFF_WEBHOOK_SECRET}); required. */
        java.util.Optional<String> secret();

        /** Largest body accepted; bigger deliveries get 413. */
        @WithDefault("5242880")
        int maxBodyBytes();

        /** How long to wait for Kafka to acknowledge the commit events before answering 503. */
        @WithDefault("10s")
        Duration ackTimeout();
    }

    /** Bearer tokens of the operator API. */
    interface Auth {
        /**
         * Comma-separated {@code name:role:sha256hex} entries ({@code HANDOFF_AUTH_TOKENS}); role is {@code viewer}
         * or {@code operator}; sha256hex is the lower-case hex SHA-256 of the token. Plain tokens are never
         * configured.
         */
        java.util.Optional<String> tokens();
    }

    /** The audit ledger. */
    interface Ledger {
        /** Kafka consumer group of the ledger; it reads every handoff topic from the beginning. */
        @WithDefault("handoff-ledger")
        String consumerGroup();

        /**
         * Static membership id of this instance in the ledger's group ({@code group.instance.id}): a restarted
         * instance with the same id takes its partitions back at once instead of waiting for the session of the
         * killed one to expire. Must differ between replicas; defaults to the host name (the pod name on
         * Kubernetes).
         */
        @WithDefault("${HOSTNAME:control-service}")
        String instanceId();

        /** Largest page the list endpoints return. */
        @WithDefault("500")
        int maxPageSize();

        /**
         * Most records the ledger stores in one transaction: larger batches mean fewer commits (faster catch-up
         * after downtime, ≥ 10,000 events/s); a poll never waits to fill a batch, so latency does not grow.
         */
        @WithDefault("5000")
        int maxPollRecords();
    }

    /** Replays of a stage from records of one of its input topics. */
    interface Replay {
        /** Most records one replay may span ({@code HANDOFF_REPLAY_MAX_RECORDS}); larger requests get 400. */
        @WithDefault("10000")
        int maxRecords();

        /** How long reading the records, and then Kafka's acknowledgement of the copies, may each take. */
        @WithDefault("30s")
        Duration timeout();
    }
}
