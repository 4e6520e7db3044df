package dev.handoff.secrets.stage;

import dev.handoff.common.event.v1.SecretFacts;
import dev.handoff.common.event.v1.StageFailed;
import java.util.List;

/** The stage's decision for one host: facts to publish, or a failure with every finding. */
public sealed interface Verdict permits Verdict.Completed, Verdict.Failed {

    /**
     * Every check passed.
     *
     * @param facts the secret facts
     */
    record Completed(SecretFacts facts) implements Verdict {}

    /**
     * At least one check failed.
     *
     * @param reason the code of the first finding
     * @param message a summary naming the host, the commit and the first finding
     * @param retryable whether the same input may pass later (only I/O problems are)
     * @param details every finding
     */
    record Failed(String reason, String message, boolean retryable, List<StageFailed.Detail> details)
            implements Verdict {}
}
