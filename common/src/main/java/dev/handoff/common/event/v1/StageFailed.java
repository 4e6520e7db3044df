package dev.handoff.common.event.v1;

import java.util.List;

/**
 * A stage failed for a host. Shared by every {@code handoff.<stage>.failed} type; carries every reason found,
 * not only the first.
 *
 * @param host the host the stage worked on
 * @param stage the stage id
 * @param reason a stable machine-readable code for the main failure, e.g. {@code drift}, {@code missing-recipient}
 * @param message what failed, where, and what to do, for a person
 * @param retryable whether running the stage again unchanged may succeed (a timeout) or not (a bad config)
 * @param details every individual finding behind the failure
 * @param rolledBack converge only: whether the host was switched back to its previous generation (null: not said)
 */
public record StageFailed(
        String host,
        String stage,
        String reason,
        String message,
        boolean retryable,
        List<Detail> details,
        Boolean rolledBack) {

    /** A failure that says nothing about a rollback (every stage but converge). */
    public StageFailed(
            String host, String stage, String reason, String message, boolean retryable, List<Detail> details) {
        this(host, stage, reason, message, retryable, details, null);
    }

    /**
     * One finding.
     *
     * @param code machine-readable code of the finding
     * @param subject what it is about: a file, a field, an object, a path
     * @param message the finding for a person
     */
    public record Detail(String code, String subject, String message) {}
}
