package dev.handoff.infra.stage;

import dev.handoff.common.event.v1.StageFailed;
import java.util.List;

/**
 * Why the infra stage failed for a host, as the {@code cloud-facts.failed} event will say it. Thrown by the run and
 * by the decisions; its message is for a person and names the thing and the fix.
 */
public final class StageFailure extends Exception {
    private final String reason;
    private final boolean retryable;
    private final List<StageFailed.Detail> details;

    /**
     * @param reason stable kebab-case code, e.g. {@code drift}, {@code apply-error}
     * @param message what failed, where, and what to do
     * @param retryable whether running the stage again unchanged may succeed
     * @param details every finding
     */
    public StageFailure(String reason, String message, boolean retryable, List<StageFailed.Detail> details) {
        super(message);
        this.reason = reason;
        this.retryable = retryable;
        this.details = List.copyOf(details);
    }

    public String reason() {
        return reason;
    }

    public boolean retryable() {
        return retryable;
    }

    public List<StageFailed.Detail> details() {
        return details;
    }
}
