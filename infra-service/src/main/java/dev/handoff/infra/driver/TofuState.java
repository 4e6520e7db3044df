package dev.handoff.infra.driver;

import com.fasterxml.jackson.databind.JsonNode;
import dev.handoff.common.serde.Json;
import java.io.IOException;
import java.util.Optional;

/**
 * What Handoff checks of a state document ({@code tofu state pull}, an archive): format {@code version} 4 with a
 * {@code lineage} and {@code serial}, or OpenTofu's encrypted form ({@code encrypted_data}).
 */
public final class TofuState {
    private TofuState() {}

    /**
     * Whether a stack has no state yet: {@code tofu state pull} prints nothing for the {@code local} backend, and an
     * empty snapshot (no lineage, serial 0, no resources, no outputs) for a remote one such as {@code pg}.
     */
    public static boolean isEmpty(byte[] state) {
        if (state == null || new String(state, java.nio.charset.StandardCharsets.UTF_8).isBlank()) {
            return true;
        }
        try {
            JsonNode root = Json.mapper().readTree(state);
            return root != null
                    && root.isObject()
                    && !root.has("encrypted_data")
                    && root.path("lineage").asText("").isEmpty()
                    && root.path("resources").isEmpty()
                    && root.path("outputs").isEmpty();
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Checks that {@code state} is a state document.
     *
     * @throws StateArchive.ArchiveException naming the stack and what is missing
     */
    public static void check(String stack, byte[] state) throws StateArchive.ArchiveException {
        if (isEmpty(state)) {
            throw new StateArchive.ArchiveException(
                    "stack " + stack + " has no state to archive (tofu state pull printed nothing)");
        }
        JsonNode root;
        try {
            root = Json.mapper().readTree(state);
        } catch (IOException e) {
            root = null;
        }
        if (root == null || !root.isObject()) {
            throw new StateArchive.ArchiveException(
                    "the state of stack " + stack + " is not JSON, so it is not an OpenTofu state");
        }
        if (root.has("encrypted_data")) {
            return;
        }
        if (root.path("version").asInt(-1) < 3
                || root.path("lineage").asText("").isEmpty()
                || !root.path("serial").canConvertToLong()) {
            throw new StateArchive.ArchiveException("the state of stack " + stack
                    + " lacks version, lineage or serial, so it is not an OpenTofu state");
        }
    }

    /** The {@code serial} of a state document, when it has one. */
    public static Optional<Long> serial(byte[] state) {
        try {
            JsonNode root = Json.mapper().readTree(state);
            return root != null && root.path("serial").canConvertToLong()
                    ? Optional.of(root.path("serial").asLong())
                    : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
