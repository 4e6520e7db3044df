package dev.handoff.workload.run;

import dev.handoff.common.event.v1.StageFailed.Detail;
import java.util.List;

/** A failed workload run: the {@code workload.failed} event's reason, message, retryability and findings. */
public final class RunFailure extends Exception {
    private final String reason;
    private final boolean retryable;
    private final List<Detail> details;

    /**
     * @param reason the event's reason (a failure code of docs/workload-service.md)
     * @param message what failed, on which host and file, and what to do
     * @param retryable whether running the stage again unchanged may pass
     * @param details every finding (empty: the event gets one made of reason and message)
     */
    public RunFailure(String reason, String message, boolean retryable, List<Detail> details) {
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

    public List<Detail> details() {
        return details;
    }
}
