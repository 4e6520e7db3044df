package dev.handoff.infra.stage;

import dev.handoff.common.event.v1.CloudFacts.PlanSummary;
import java.util.Collection;

/** Decides whether a plan may be applied at once or must wait for an operator. */
public final class ApprovalPolicy {
    private ApprovalPolicy() {}

    /** What to do with a plan. */
    public enum Verdict {
        /** Nothing to apply. */
        NOTHING_TO_APPLY,
        /** Apply at once: nothing is deleted, or the repository is set to auto-approve. */
        APPLY,
        /** Publish an approval request and wait for the decision. */
        ASK_OPERATOR
    }

    /**
     * @param plan the counts over every stack
     * @param repository the repository
     * @param autoApprove the repositories whose destructive plans are applied without asking
     */
    public static Verdict decide(PlanSummary plan, String repository, Collection<String> autoApprove) {
        if (plan.add() + plan.change() + plan.destroy() == 0) {
            return Verdict.NOTHING_TO_APPLY;
        }
        if (plan.destructive() && !autoApprove.contains(repository)) {
            return Verdict.ASK_OPERATOR;
        }
        return Verdict.APPLY;
    }
}
