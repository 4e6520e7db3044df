package dev.handoff.bench.fleet;

import java.util.List;

/**
 * One host's deployment of a push, as the ledger holds it.
 *
 * @param id the deployment id
 * @param host the host
 * @param status {@code running}, {@code succeeded}, {@code failed}, {@code stale} or {@code superseded}
 * @param failure what failed (stage and reason) when it failed, else null
 * @param events its events in time order
 */
public record HostDeployment(String id, String host, String status, String failure, List<LedgerEvent> events) {
    public HostDeployment {
        events = List.copyOf(events);
    }

    /** Whether nothing more will happen to it: succeeded, failed, stale or superseded. */
    public boolean isFinal() {
        return !"running".equals(status);
    }
}
