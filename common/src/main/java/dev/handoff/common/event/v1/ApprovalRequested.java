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
 */
public record ApprovalRequested(
        String host,
        String stage,
        String repository,
        String commit,
        CloudFacts.PlanSummary plan,
        List<Change> changes,
        Instant requestedAt,
        Instant expiresAt) {

    /**
     * One destructive resource change.
     *
     * @param stack the stack directory, e.g. {@code stacks/compute}
     * @param address the resource address, e.g. {@code oci_core_volume.data}
     * @param actions the planned actions, e.g. {@code [delete, create]}
     */
    public record Change(String stack, String address, List<String> actions) {}
}
