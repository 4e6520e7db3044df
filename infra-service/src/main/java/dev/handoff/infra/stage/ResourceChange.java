package dev.handoff.infra.stage;

import java.util.List;

/**
 * One resource change of a plan, as {@code tofu show -json} reports it in {@code resource_changes[]}.
 *
 * @param stack the stack directory, e.g. {@code stacks/compute}
 * @param address the resource address, e.g. {@code oci_core_volume.data}
 * @param mode {@code managed}, {@code data} or {@code ephemeral}
 * @param actions the planned actions, e.g. {@code [delete, create]}
 * @param previousAddress the address the resource moves from ({@code previous_address}), or null when it stays
 * @param importing whether the resource is imported ({@code change.importing} is present)
 * @param importId the id it is imported by ({@code change.importing.id}), or null
 */
public record ResourceChange(
        String stack,
        String address,
        String mode,
        List<String> actions,
        String previousAddress,
        boolean importing,
        String importId) {
    public ResourceChange {
        actions = List.copyOf(actions);
    }

    /** A managed resource's change that neither moves nor imports. */
    public ResourceChange(String stack, String address, List<String> actions) {
        this(stack, address, "managed", actions, null, false, null);
    }

    /**
     * Whether the change deletes a real object: a delete or a replacement of a managed resource. A data source is
     * never deleted anywhere, and a forget leaves the object in the cloud.
     */
    public boolean destructive() {
        return actions.contains("delete") && !"data".equals(mode);
    }

    /** Whether the change creates the resource (a create or any replacement, {@code [forget, create]} included). */
    public boolean creates() {
        return actions.contains("create");
    }

    /** Whether the resource is updated in place. */
    public boolean updates() {
        return actions.contains("update");
    }

    /** Whether the resource is removed from the state but left in the cloud ({@code removed} block). */
    public boolean forgets() {
        return actions.contains("forget");
    }

    /** Whether a data source is read during the apply, because its configuration is not known before. */
    public boolean reads() {
        return actions.contains("read");
    }

    /** Whether the resource moves to its address from another one ({@code moved} block). */
    public boolean moves() {
        return previousAddress != null;
    }

    /**
     * Whether applying this change does anything at all. As OpenTofu decides it: any action but {@code no-op}, and
     * a {@code no-op} that moves or imports the resource, because that still rewrites the state.
     */
    public boolean changesAnything() {
        return !actions.equals(List.of("no-op")) || moves() || importing;
    }

    /** Whether an operator approving the plan must see it beside the destructive changes: moves, imports, forgets. */
    public boolean changesTheState() {
        return moves() || importing || forgets();
    }
}
