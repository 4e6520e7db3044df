package dev.handoff.common.event.v1;

import java.time.Instant;
import java.util.List;

/**
 * A stage holds a destructive change until an operator decides ({@code handoff.approval.requested}). The operator
 * answers through control-service, which publishes {@code handoff.approval.decided}; without an answer by
 * {@code expiresAt} the stage fails.
 *
 * @param host the host the change is for
 * @param stage the stage that waits, e.g. {@code infra}
 * @param repository the repository whose commit is being rolled out
 * @param commit that commit
 * @param plan the counts of the held plan, over every stack
 * @param changes every destructive change of the plan (deletes and replacements)
 * @param requestedAt when the stage started to wait
 * @param expiresAt when the stage stops waiting and fails
 * @param otherChanges the plan's moves, imports and forgets that are not destructive, which the operator approves
 *     along with the destructive changes; absent when the producer did not list them (added in v1)
 */
public record ApprovalRequested(
        String host,
        String stage,
        String repository,
        String commit,
        CloudFacts.PlanSummary plan,
        List<Change> changes,
        Instant requestedAt,
        Instant expiresAt,
        List<Change> otherChanges) {

    public ApprovalRequested {
        changes = changes == null ? null : List.copyOf(changes);
        otherChanges = otherChanges == null ? null : List.copyOf(otherChanges);
    }

    /** A request that lists the destructive changes only. */
    public ApprovalRequested(
            String host,
            String stage,
            String repository,
            String commit,
            CloudFacts.PlanSummary plan,
            List<Change> changes,
            Instant requestedAt,
            Instant expiresAt) {
        this(host, stage, repository, commit, plan, changes, requestedAt, expiresAt, null);
    }

    /**
     * One resource change.
     *
     * @param stack the stack directory, e.g. {@code stacks/compute}
     * @param address the resource address, e.g. {@code oci_core_volume.data}
     * @param actions the planned actions, e.g. {@code [delete, create]}
     * @param previousAddress the address the resource moves from, when it moves (added in v1)
     * @param importing true when the resource is imported into the state (added in v1)
     * @param importId the id it is imported by, when tofu reports one (added in v1)
     */
    public record Change(
            String stack,
            String address,
            List<String> actions,
            String previousAddress,
            Boolean importing,
            String importId) {

        public Change {
            actions = actions == null ? null : List.copyOf(actions);
        }

        /** A change that neither moves nor imports. */
        public Change(String stack, String address, List<String> actions) {
            this(stack, address, actions, null, null, null);
        }
    }
}
