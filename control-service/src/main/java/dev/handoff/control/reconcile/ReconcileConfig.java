package dev.handoff.control.reconcile;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** How control-service finds pushes no webhook delivered ({@link BranchReconciler}). */
@ConfigMapping(prefix = "handoff.reconcile")
public interface ReconcileConfig {
    /**
     * How often each repository's branch head is read ({@code HANDOFF_RECONCILE_INTERVAL}, default 5 minutes; also
     * once at start). {@code 0s} turns reconciliation off.
     */
    @WithDefault("5m")
    Duration interval();
}
