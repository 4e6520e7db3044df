package dev.handoff.workload.stage;

import dev.handoff.common.event.v1.StageFailed.Detail;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * What the scheduled check reports when a verified host's declared workloads no longer hold: the findings a read of
 * the host judges ({@link WorkloadVerdict#CODES}: not ready, not reachable, crash-looping, RustDesk key changed, …),
 * and the fingerprint that makes the same drift reported once. No I/O.
 *
 * @param fingerprint the distinct {@code <object> <finding>} pairs, sorted: what the drift is, not how it reads now
 *     (restart counts and probe errors change from round to round)
 * @param message the {@code workload.failed} message: the host, what differs since when, and what to do
 */
public record WorkloadDrift(String fingerprint, String message) {
    /** The reason of the {@code workload.failed} that reports a drift (the fleet view's drift). */
    public static final String REASON = "drift";

    private static final Set<String> JUDGED = Set.copyOf(WorkloadVerdict.CODES);

    /**
     * Whether {@code findings} are a drift: the host was read and judged, and something no longer holds. Anything
     * else (SSH or the API unreachable, a manifest gone) means the host could not be checked.
     */
    public static boolean isDrift(List<Detail> findings) {
        return !findings.isEmpty() && findings.stream().allMatch(f -> JUDGED.contains(f.code()));
    }

    /** The drift of {@code host}, verified at {@code verifiedAt}, that {@code findings} show. */
    public static WorkloadDrift of(String host, Instant verifiedAt, List<Detail> findings) {
        List<String> pairs = findings.stream()
                .map(f -> f.subject() + " " + f.code())
                .distinct()
                .sorted()
                .toList();
        String message = host + ": the declared workloads no longer hold as they did when verified at " + verifiedAt
                + ": " + String.join(", ", pairs) + ". " + findings.get(0).message()
                + ". Find what changed on the host (kubectl describe, the pods' events), then converge it again (push"
                + " or replay the runtime repository); the drift stands on the host's page until a workload run"
                + " completes";
        return new WorkloadDrift(String.join("; ", pairs), message);
    }
}
