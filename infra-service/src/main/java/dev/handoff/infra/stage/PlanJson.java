package dev.handoff.infra.stage;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.handoff.common.event.v1.StageFailed;
import dev.handoff.common.serde.Json;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads the JSON of {@code tofu show -json <planfile>}: {@code format_version}, {@code resource_changes} (actions,
 * {@code previous_address}, {@code importing}), {@code output_changes}, {@code resource_drift} and every value the
 * plan marks sensitive. Only major version 1 of the format is understood (OpenTofu writes 1.x; Terraform 0.12–0.15
 * wrote 0.x, which Handoff does not read); any other is refused rather than guessed, because a misread plan could
 * hide a delete. So is an action tofu does not write, and a plan tofu itself would refuse to apply ({@code errored}).
 */
public final class PlanJson {
    /** The plan JSON major version this reader understands. */
    public static final int SUPPORTED_MAJOR = 1;

    /** Every action list tofu writes ({@code jsonplan.UnmarshalActions}). */
    private static final Set<List<String>> RESOURCE_ACTIONS = Set.of(
            List.of("no-op"),
            List.of("create"),
            List.of("read"),
            List.of("update"),
            List.of("delete"),
            List.of("forget"),
            List.of("delete", "create"),
            List.of("create", "delete"),
            List.of("forget", "create"));

    private static final Set<List<String>> OUTPUT_ACTIONS =
            Set.of(List.of("no-op"), List.of("create"), List.of("update"), List.of("delete"));

    private PlanJson() {}

    /**
     * Parses one stack's plan JSON.
     *
     * @throws StageFailure {@code plan-format} when the JSON is unreadable, of an unknown major format version, a
     *     state instead of a plan, or names an unknown action; {@code plan-error} when tofu marked the plan errored
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
        // bounded before the regex: a long "1.1.1…" overflows the stack of a repeated group
        if (version.length() > 32 || !version.matches("\\d+(\\.\\d+)*")) {
            throw failure(stack, "has no format_version");
        }
        if (!version.split("\\.")[0].equals(String.valueOf(SUPPORTED_MAJOR))) {
            throw new StageFailure(
                    "plan-format",
                    "the plan JSON of stack " + stack + " has format_version " + version + "; Handoff reads major "
                            + "version " + SUPPORTED_MAJOR + " only. Use an OpenTofu release whose 'tofu show -json' "
                            + "writes format " + SUPPORTED_MAJOR + ".x, or upgrade Handoff.",
                    false,
                    List.of(new StageFailed.Detail(
                            "unsupported-format-version", stack, "format_version " + version + " is not 1.x")));
        }
        if (root.has("values") && !root.has("planned_values") && !root.has("resource_changes")) {
            throw failure(stack, "is a state ('tofu show -json' without a plan file), not a plan");
        }
        if (root.path("errored").asBoolean(false)) {
            throw new StageFailure(
                    "plan-error",
                    "tofu marked the plan of stack " + stack + " as errored: planning stopped part-way, so the plan "
                            + "is incomplete and tofu refuses to apply it. Fix the errors 'tofu plan' printed for "
                            + stack + " and push again.",
                    false,
                    List.of(new StageFailed.Detail("errored-plan", stack, "the plan JSON says errored: true")));
        }
        Set<String> sensitive = new LinkedHashSet<>();
        List<ResourceChange> changes = resourceChanges(stack, root.path("resource_changes"), sensitive);
        List<ResourceChange> drift = resourceChanges(stack, root.path("resource_drift"), sensitive);
        List<PlanReport.OutputChange> outputs = new ArrayList<>();
        for (Map.Entry<String, JsonNode> e : root.path("output_changes").properties()) {
            JsonNode change = e.getValue();
            List<String> actions = actions(stack, change, "output " + e.getKey(), OUTPUT_ACTIONS);
            outputs.add(new PlanReport.OutputChange(e.getKey(), actions));
            markedSensitive(change.path("before"), change.path("before_sensitive"), sensitive);
            markedSensitive(change.path("after"), change.path("after_sensitive"), sensitive);
        }
        sensitiveInValues(root.path("planned_values"), sensitive);
        sensitiveInValues(root.path("prior_state").path("values"), sensitive);
        sensitiveVariables(root.path("variables"), root.path("configuration"), sensitive);
        return new PlanReport(stack, version, changes, outputs, drift, sensitive);
    }

    private static List<ResourceChange> resourceChanges(String stack, JsonNode list, Set<String> sensitive)
            throws StageFailure {
        List<ResourceChange> changes = new ArrayList<>();
        for (JsonNode rc : list) {
            String address = rc.path("address").asText("");
            if (address.isEmpty()) {
                throw failure(stack, "has a resource change without an address");
            }
            JsonNode change = rc.path("change");
            List<String> actions = actions(stack, change, address, RESOURCE_ACTIONS);
            String previous = rc.path("previous_address").asText("");
            JsonNode importing = change.path("importing");
            changes.add(new ResourceChange(
                    stack,
                    address,
                    rc.path("mode").asText("managed"),
                    actions,
                    previous.isEmpty() || previous.equals(address) ? null : previous,
                    importing.isObject(),
                    importing.path("id").isTextual() ? importing.path("id").asText() : null));
            markedSensitive(change.path("before"), change.path("before_sensitive"), sensitive);
            markedSensitive(change.path("after"), change.path("after_sensitive"), sensitive);
        }
        return changes;
    }

    private static List<String> actions(String stack, JsonNode change, String what, Set<List<String>> known)
            throws StageFailure {
        List<String> actions = new ArrayList<>();
        for (JsonNode a : change.path("actions")) {
            actions.add(a.asText());
        }
        if (actions.isEmpty()) {
            throw failure(stack, "has no actions for " + what);
        }
        if (!known.contains(actions)) {
            String named = actions.size() == 1 ? "action '" + actions.get(0) + "'" : "actions " + actions;
            throw failure(stack, "plans the unknown " + named + " for " + what);
        }
        return actions;
    }

    /**
     * Adds the strings of {@code value} that {@code marker} marks sensitive. The marker is tofu's parallel structure
     * ({@code before_sensitive}, {@code after_sensitive}, {@code sensitive_values}): {@code true} marks the whole value
     * at that place, an object or array descends into the same keys or indexes of the value.
     */
    private static void markedSensitive(JsonNode value, JsonNode marker, Set<String> out) {
        if (value.isMissingNode() || value.isNull()) {
            return;
        }
        if (marker.isBoolean() && marker.booleanValue()) {
            strings(value, out);
        } else if (marker.isObject() && value.isObject()) {
            marker.properties().forEach(e -> markedSensitive(value.path(e.getKey()), e.getValue(), out));
        } else if (marker.isArray() && value.isArray()) {
            for (int i = 0; i < Math.min(marker.size(), value.size()); i++) {
                markedSensitive(value.get(i), marker.get(i), out);
            }
        }
    }

    /** The sensitive outputs and resource attributes of {@code planned_values} or of {@code prior_state.values}. */
    private static void sensitiveInValues(JsonNode values, Set<String> out) {
        for (JsonNode output : values.path("outputs")) {
            if (output.path("sensitive").asBoolean(false)) {
                strings(output.path("value"), out);
            }
        }
        sensitiveInModule(values.path("root_module"), out);
    }

    private static void sensitiveInModule(JsonNode module, Set<String> out) {
        for (JsonNode resource : module.path("resources")) {
            markedSensitive(resource.path("values"), resource.path("sensitive_values"), out);
        }
        for (JsonNode child : module.path("child_modules")) {
            sensitiveInModule(child, out);
        }
    }

    /** The values of root variables the configuration declares {@code sensitive}: the plan holds them in clear. */
    private static void sensitiveVariables(JsonNode variables, JsonNode configuration, Set<String> out) {
        configuration.path("root_module").path("variables").properties().forEach(e -> {
            if (e.getValue().path("sensitive").asBoolean(false)) {
                strings(variables.path(e.getKey()).path("value"), out);
            }
        });
    }

    private static void strings(JsonNode node, Set<String> out) {
        if (node.isTextual()) {
            out.add(node.asText());
        } else if (node.isContainerNode()) {
            node.forEach(child -> strings(child, out));
        }
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
