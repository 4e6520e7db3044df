package dev.handoff.infra.stage;

import dev.handoff.common.event.v1.CloudFacts.PlanSummary;
import java.util.Collection;
import java.util.List;

/**
 * The resource changes of one stack's plan, and their counts the way OpenTofu counts them: a replacement is one add
 * and one destroy; {@code read}, {@code no-op} and {@code forget} change nothing.
 *
 * @param stack the stack directory
 * @param formatVersion the plan JSON's {@code format_version}
 * @param changes every resource change, no-ops included
 */
public record PlanReport(String stack, String formatVersion, List<ResourceChange> changes) {
    public PlanReport {
        changes = List.copyOf(changes);
    }

    public int add() {
        return (int) changes.stream().filter(ResourceChange::creates).count();
    }

    public int change() {
        return (int) changes.stream().filter(ResourceChange::updates).count();
    }

    public int destroy() {
        return (int) changes.stream().filter(ResourceChange::destructive).count();
    }

    /** Whether applying the plan would change anything. */
    public boolean hasChanges() {
        return add() + change() + destroy() > 0;
    }

    /** The deletes and replacements. */
    public List<ResourceChange> destructiveChanges() {
        return changes.stream().filter(ResourceChange::destructive).toList();
    }

    /** The counts over several stacks' plans. */
    public static PlanSummary summary(Collection<PlanReport> reports) {
        int add = reports.stream().mapToInt(PlanReport::add).sum();
        int change = reports.stream().mapToInt(PlanReport::change).sum();
        int destroy = reports.stream().mapToInt(PlanReport::destroy).sum();
        return new PlanSummary(add, change, destroy, destroy > 0);
    }
}
