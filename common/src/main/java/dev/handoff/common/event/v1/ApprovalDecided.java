package dev.handoff.common.event.v1;

import java.time.Instant;

/**
 * An operator's answer to an approval request ({@code handoff.approval.decided}), published by control-service.
 *
 * @param host the host of the request
 * @param stage the stage that waits
 * @param decision {@code approve} or {@code reject}
 * @param comment the operator's reason, if given
 * @param decidedBy the operator token's name
 * @param decidedAt when the operator answered
 * @param requestId the event id of the {@code approval.requested} this answers
 */
public record ApprovalDecided(
        String host,
        String stage,
        String decision,
        String comment,
        String decidedBy,
        Instant decidedAt,
        String requestId) {}
