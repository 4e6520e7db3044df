package dev.handoff.infra.stage;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.handoff.common.event.v1.StageFailed;
import dev.handoff.common.serde.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Reads the JSON of {@code tofu show -json <planfile>}: {@code format_version} and
 * {@code resource_changes[].change.actions}. Only major version 1 of the format is understood; any other is refused
 * rather than guessed, because a misread plan could hide a delete.
 */
public final class PlanJson {
    /** The plan JSON major version this reader understands. */
    public static final int SUPPORTED_MAJOR = 1;

    private static final Set<String> ACTIONS = Set.of("no-op", "create", "read", "update", "delete", "forget");

    private PlanJson() {}

    /**
     * Parses one stack's plan JSON.
     *
     * @throws StageFailure {@code plan-format} when the JSON is unreadable, of an unknown major format version, or
     *     names an unknown action
     */
    public static PlanReport parse(String stack, String json) throws StageFailure {
        JsonNode root;
        try {
            root = Json.mapper().readTree(json);
        } catch (JsonProcessingException e) {
            throw failure(stack, "is not JSON (" + e.getOriginalMessage() + ")");
        }
        if (root == null || !root.isObject()) {
            throw failure(stack, "is not a JSON object");
        }
        String version = root.path("format_version").asText("");
        if (!version.matches("\\d+(\\.\\d+)*")) {
            throw failure(stack, "has no format_version");
        }
        int major = Integer.parseInt(version.split("\\.")[0]);
        if (major != SUPPORTED_MAJOR) {
            throw new StageFailure(
                    "plan-format",
                    "the plan JSON of stack " + stack + " has format_version " + version + "; Handoff reads major "
                            + "version " + SUPPORTED_MAJOR + " only. Use an OpenTofu release whose 'tofu show -json' "
                            + "writes format " + SUPPORTED_MAJOR + ".x, or upgrade Handoff.",
                    false,
                    List.of(new StageFailed.Detail(
                            "unsupported-format-version", stack, "format_version " + version + " is not 1.x")));
        }
        List<ResourceChange> changes = new ArrayList<>();
        for (JsonNode rc : root.path("resource_changes")) {
            String address = rc.path("address").asText("");
            if (address.isEmpty()) {
                throw failure(stack, "has a resource change without an address");
            }
            List<String> actions = new ArrayList<>();
            for (JsonNode a : rc.path("change").path("actions")) {
                if (!ACTIONS.contains(a.asText())) {
                    throw failure(stack, "plans the unknown action '" + a.asText() + "' for " + address);
                }
                actions.add(a.asText());
            }
            if (actions.isEmpty()) {
                throw failure(stack, "has no actions for " + address);
            }
            changes.add(new ResourceChange(stack, address, actions));
        }
        return new PlanReport(stack, version, changes);
    }

    private static StageFailure failure(String stack, String what) {
        return new StageFailure(
                "plan-format",
                "the plan JSON of stack " + stack + " " + what + "; check that the configured tofu executable is "
                        + "OpenTofu and prints 'tofu show -json' output.",
                false,
                List.of(new StageFailed.Detail("unreadable-plan", stack, what)));
    }
}
