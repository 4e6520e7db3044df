package dev.handoff.secrets.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.util.Optional;

/** secrets-service settings under {@code handoff.*}. A key is never configured here, only the path of a key file. */
@ConfigMapping(prefix = "handoff")
public interface SecretsConfig {

    /** Path of the {@code handoff.yaml} inventory ({@code HANDOFF_INVENTORY}). */
    String inventory();

    /** The secrets stage. */
    Secrets secrets();

    /** Settings of the secrets stage. */
    interface Secrets {
        /**
         * Path of an age identity file the service may read ({@code HANDOFF_SECRETS_VALIDATION_IDENTITY}). With it,
         * every value is decrypted and the MAC verified (facts say {@code VERIFIED}); without it, only structure,
         * recipients and key paths are checked ({@code NOT_CHECKED}). Its recipient must be in every host file.
         */
        Optional<String> validationIdentity();

        /** Largest SOPS file the stage reads; larger files fail with {@code file-too-large} without being read. */
        @WithDefault("1048576")
        long maxFileBytes();

        /** Kafka consumer group reading {@code handoff.commits} and {@code handoff.cloud-facts}. */
        @WithDefault("handoff-secrets")
        String consumerGroup();

        /**
         * How many hosts this replica works on at once ({@code handoff.secrets.concurrency}): one host is never worked on twice
         * at once, and of the triggers that wait for one host only the newest of each kind runs (docs/operators.md).
         */
        @WithDefault("16")
        int concurrency();

        /** Folder of the service's bare copies of the secrets repositories (fetched before every check). */
        @WithDefault("${java.io.tmpdir}/handoff-secrets-service")
        String repositoryCache();

        /** How long to wait for Kafka to acknowledge the stage's events. */
        @WithDefault("30s")
        java.time.Duration publishTimeout();
    }
}
