package dev.handoff.bench.fleet;

import java.time.Instant;

/**
 * One event of a deployment as the ledger's API returns it ({@code GET /api/deployments/{id}}).
 *
 * @param id the CloudEvents id
 * @param type the CloudEvents type, e.g. {@code handoff.convergence.started}
 * @param time the event's time, set by the service that published it
 * @param causationId the id of the event that caused it (a stage's trigger), or null
 */
public record LedgerEvent(String id, String type, Instant time, String causationId) {}
