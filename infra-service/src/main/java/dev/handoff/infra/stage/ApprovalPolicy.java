package dev.handoff.infra.stage;

import dev.handoff.common.event.v1.CloudFacts.PlanSummary;
import java.util.Collection;

/**
 * Decides whether a plan may be applied at once or must wait for an operator. Only deletes (and replacements) wait:
 * moves, imports, forgets and output changes are applied at once, as OpenTofu itself does not count them as
 * destructive. A forget leaves the object in the cloud; it is shown in the approval request and the cloud facts.
 */
public final class ApprovalPolicy {
    private ApprovalPolicy() {}

    /** What to do with a plan. */
    public enum Verdict {
        /** Nothing to apply: OpenTofu would not apply the plan either. */
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
        if (!plan.changesAnything()) {
            return Verdict.NOTHING_TO_APPLY;
        }
        if (plan.destructive() && !autoApprove.contains(repository)) {
            return Verdict.ASK_OPERATOR;
        }
        return Verdict.APPLY;
    }
}
