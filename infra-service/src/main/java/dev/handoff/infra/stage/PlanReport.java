package dev.handoff.infra.stage;

import dev.handoff.common.event.v1.CloudFacts.PlanSummary;
import dev.handoff.common.event.v1.CloudFacts.StateChanges;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * What one stack's plan would do, read from {@code tofu show -json}, and whether OpenTofu would apply it at all.
 *
 * <p>{@link #hasChanges()} is OpenTofu's own verdict ({@code Plan.CanApply} and {@code Changes.Empty} in
 * {@code internal/plans}, the answer {@code tofu plan -detailed-exitcode} gives with exit code 2): a resource action
 * other than {@code no-op} ({@code read} and {@code forget} included), a resource that moves or is imported even when
 * its action is {@code no-op}, or a root output whose value changes. The counts are those of tofu's
 * {@code Plan: … to import, … to add, … to change, … to destroy, … to forget} line: a replacement is one add and one
 * destroy, a {@code [forget, create]} one add and one forget.
 *
 * @param stack the stack directory
 * @param formatVersion the plan JSON's {@code format_version}
 * @param changes every resource change ({@code resource_changes}), no-ops included
 * @param outputs every root output change ({@code output_changes}), no-ops included
 * @param drift the changes made outside OpenTofu that the plan records ({@code resource_drift})
 * @param sensitiveValues every string the plan marks sensitive, to redact; never logged or published
 */
public record PlanReport(
        String stack,
        String formatVersion,
        List<ResourceChange> changes,
        List<OutputChange> outputs,
        List<ResourceChange> drift,
        Set<String> sensitiveValues) {
    public PlanReport {
        changes = List.copyOf(changes);
        outputs = List.copyOf(outputs);
        drift = List.copyOf(drift);
        sensitiveValues = Set.copyOf(sensitiveValues);
    }

    /** A plan of resource changes only, e.g. the empty plan of a stack tofu found nothing to do for. */
    public PlanReport(String stack, String formatVersion, List<ResourceChange> changes) {
        this(stack, formatVersion, changes, List.of(), List.of(), Set.of());
    }

    /**
     * The planned change of one root output.
     *
     * @param name the output's name
     * @param actions {@code [no-op]}, {@code [create]}, {@code [update]} or {@code [delete]}
     */
    public record OutputChange(String name, List<String> actions) {
        public OutputChange {
            actions = List.copyOf(actions);
        }

        /** Whether the output's value changes. */
        public boolean changes() {
            return !actions.equals(List.of("no-op"));
        }
    }

    /** Resources created, replacements included. */
    public int add() {
        return count(ResourceChange::creates);
    }

    /** Resources updated in place. */
    public int change() {
        return count(ResourceChange::updates);
    }

    /** Resources deleted, replacements included. */
    public int destroy() {
        return count(ResourceChange::destructive);
    }

    /** Resources that move to a new address, with or without other changes. */
    public int move() {
        return count(ResourceChange::moves);
    }

    /** Resources imported into the state. */
    public int imports() {
        return count(ResourceChange::importing);
    }

    /** Resources removed from the state and left in the cloud. */
    public int forget() {
        return count(ResourceChange::forgets);
    }

    /** The names of the root outputs whose value changes, sorted. */
    public List<String> outputChanges() {
        return outputs.stream()
                .filter(OutputChange::changes)
                .map(OutputChange::name)
                .sorted()
                .toList();
    }

    /**
     * Whether OpenTofu would apply the plan. Beyond the resource and output changes above, a plan with no resource
     * changes at all but with {@code resource_drift} is a refresh-only plan whose apply records the drift in the
     * state: tofu applies it. (The JSON does not name the planning mode; a normal plan never lacks resource changes
     * while it records drift, unless it plans nothing for any resource, and then tofu already said "no changes".)
     */
    public boolean hasChanges() {
        return changes.stream().anyMatch(ResourceChange::changesAnything)
                || outputs.stream().anyMatch(OutputChange::changes)
                || (changes.isEmpty() && !drift.isEmpty());
    }

    /** The deletes and replacements. */
    public List<ResourceChange> destructiveChanges() {
        return changes.stream().filter(ResourceChange::destructive).toList();
    }

    /** The moves, imports and forgets that are not destructive: shown to an operator with the destructive ones. */
    public List<ResourceChange> stateChanges() {
        return changes.stream()
                .filter(c -> c.changesTheState() && !c.destructive())
                .toList();
    }

    /** The counts over several stacks' plans. */
    public static PlanSummary summary(Collection<PlanReport> reports) {
        int destroy = reports.stream().mapToInt(PlanReport::destroy).sum();
        Set<String> outputs = new TreeSet<>();
        reports.forEach(r -> outputs.addAll(r.outputChanges()));
        return new PlanSummary(
                reports.stream().mapToInt(PlanReport::add).sum(),
                reports.stream().mapToInt(PlanReport::change).sum(),
                destroy,
                destroy > 0,
                new StateChanges(
                        reports.stream().mapToInt(PlanReport::move).sum(),
                        reports.stream().mapToInt(PlanReport::imports).sum(),
                        reports.stream().mapToInt(PlanReport::forget).sum()),
                List.copyOf(outputs),
                reports.stream().anyMatch(PlanReport::hasChanges));
    }

    /** Leaves the sensitive values out, so that logging a plan never prints them. */
    @Override
    public String toString() {
        return "PlanReport[stack=" + stack + ", formatVersion=" + formatVersion + ", changes=" + changes + ", outputs="
                + outputs + ", drift=" + drift + ", sensitiveValues=(" + sensitiveValues.size() + " redacted)]";
    }

    /** Counts as tofu's plan line does: ephemeral resources and deleted data sources are not shown there. */
    private int count(Predicate<ResourceChange> what) {
        return (int) changes.stream()
                .filter(c -> !"ephemeral".equals(c.mode()))
                .filter(c -> !("data".equals(c.mode()) && c.actions().contains("delete")))
                .filter(what)
                .count();
    }
}
