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

    /** The web page. */
    Ui ui();

    /** Commit statuses posted to Forgejo. */
    CommitStatus commitStatus();

    /**
     * Each stage's state of every deployment, posted to the deployment's commit in Forgejo (context
     * {@code handoff/<host>/<stage>}). Off until {@link #forgejoUrl()} is set.
     */
    interface CommitStatus {
        /** Forgejo's address, e.g. {@code https://forgejo.example.org} ({@code HANDOFF_FORGEJO_URL}); unset: off. */
        java.util.Optional<java.net.URI> forgejoUrl();

        /**
         * The access token Handoff posts statuses with ({@code HANDOFF_FORGEJO_TOKEN}; scope
         * {@code write:repository}); required when {@link #forgejoUrl()} is set. A secret: never logged.
         */
        java.util.Optional<String> token();

        /**
         * The address people open control-service's pages at ({@code HANDOFF_PUBLIC_URL}, e.g.
         * {@code https://handoff.example.org}): each status links to its deployment's page under it. Unset: statuses
         * carry no link.
         */
        java.util.Optional<String> pageUrl();

        /** How often the poster looks for stage states to post ({@code HANDOFF_FORGEJO_STATUS_INTERVAL}). */
        @WithDefault("2s")
        Duration interval();

        /**
         * Only stage states this recent are posted ({@code HANDOFF_FORGEJO_STATUS_WINDOW}): turning statuses on
         * does not post the whole history.
         */
        @WithDefault("24h")
        Duration window();

        /** How long one post to Forgejo may take. */
        @WithDefault("10s")
        Duration timeout();
    }

    /** Webhook ingress. */
    interface Webhook {
        /** The shared secret Forgejo signs deliveries with ({@code HANDOFF_WEBHOOK_SECRET}); required. */
        java.util.Optional<String> secret();

        /**
         * Largest body accepted ({@code HANDOFF_WEBHOOK_MAX_BODY_BYTES}); bigger deliveries get 413, before the body is
         * read when they announce their length. A Forgejo push of 20 commits is a few tens of KiB.
         */
        @WithDefault("1048576")
        int maxBodyBytes();

        /**
         * Most deliveries handled at once ({@code HANDOFF_WEBHOOK_MAX_IN_FLIGHT}): their bodies are read before the
         * signature can be checked, so one more is answered 503 with Retry-After before its body is read.
         */
        @WithDefault("16")
        int maxInFlight();

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

        /**
         * Failed sign-ins (bearer token on {@code /api}, token on {@code /ui/login}) one client address may make per
         * {@link #failureWindow()} ({@code HANDOFF_AUTH_MAX_FAILURES}); after that it gets 429 with Retry-After until the
         * window ends. Behind a reverse proxy, enable {@code quarkus.http.proxy.proxy-address-forwarding} so the
         * address is the client's, not the proxy's.
         */
        @WithDefault("10")
        int maxFailures();

        /** The window {@link #maxFailures()} counts in ({@code HANDOFF_AUTH_FAILURE_WINDOW}). */
        @WithDefault("1m")
        Duration failureWindow();

        /** Most client addresses whose failures are remembered; beyond it the least recently failing are forgotten. */
        @WithDefault("10000")
        int trackedClients();
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

    /** The web page ({@code /ui}). */
    interface Ui {
        /**
         * Whether the session cookie is marked {@code Secure} (sent over HTTPS only) ({@code HANDOFF_UI_SECURE_COOKIE}).
         * Only the lab, which serves plain HTTP, sets it to {@code false}.
         */
        @WithDefault("true")
        boolean secureCookie();
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
