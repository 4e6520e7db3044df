package dev.handoff.control.webhook;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** How control-service judges whether a push is fresh, under {@code handoff.webhook.*}. */
@ConfigMapping(prefix = "handoff.webhook")
public interface PushFreshnessConfig {

    /**
     * Whether a push is deployed only when its commit is the branch head or descends from the last commit deployed
     * from the repository on the host ({@code HANDOFF_WEBHOOK_FRESHNESS_CHECK}). Turned off, a re-sent or late webhook
     * rolls a host back to an older commit; only tests whose inventories name no real repository turn it off.
     */
    @WithDefault("true")
    boolean freshnessCheck();

    /**
     * Folder of the bare repositories the check fetches branches into, one per repository name
     * ({@code HANDOFF_WEBHOOK_REPOSITORY_CACHE}); only the configured branch is fetched.
     */
    @WithDefault("${java.io.tmpdir}/handoff-repository-cache")
    String repositoryCache();

    /** Limit of one look at a repository (the branch head, or fetching the branch) before answering 503. */
    @WithDefault("20s")
    Duration repositoryTimeout();
}
