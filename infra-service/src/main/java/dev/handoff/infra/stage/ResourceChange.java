package dev.handoff.infra.stage;

import java.util.List;

/**
 * One resource change of a plan, as {@code tofu show -json} reports it.
 *
 * @param stack the stack directory, e.g. {@code stacks/compute}
 * @param address the resource address, e.g. {@code oci_core_volume.data}
 * @param actions the planned actions, e.g. {@code [delete, create]}
 */
public record ResourceChange(String stack, String address, List<String> actions) {
    public ResourceChange {
        actions = List.copyOf(actions);
    }

    /** Whether the change deletes the resource (a delete or a replacement). */
    public boolean destructive() {
        return actions.contains("delete");
    }

    /** Whether the change creates the resource (a create or a replacement). */
    public boolean creates() {
        return actions.contains("create");
    }

    /** Whether the resource is updated in place. */
    public boolean updates() {
        return actions.contains("update");
    }
}
