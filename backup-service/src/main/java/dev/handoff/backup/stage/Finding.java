package dev.handoff.backup.stage;

import dev.handoff.common.event.v1.StageFailed;

/**
 * One reason a recovery contract does not hold.
 *
 * @param code the reason code, e.g. {@code stale}, {@code missing-path}
 * @param contract the contract it is about
 * @param subject what exactly: a path, an archive, the repository
 * @param message for a person: what failed and what to do
 * @param retryable whether running again unchanged may help (an unreachable repository) or not (a wrong password)
 */
public record Finding(String code, String contract, String subject, String message, boolean retryable) {

    /** The finding as a detail of {@code backup.failed}: the subject is {@code <contract>} or {@code <contract>:<subject>}. */
    public StageFailed.Detail detail() {
        return new StageFailed.Detail(
                code, subject == null || subject.isBlank() ? contract : contract + ":" + subject, message);
    }
}
