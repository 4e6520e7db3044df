package dev.handoff.infra.stage;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.handoff.common.event.v1.StageFailed;
import dev.handoff.common.serde.Json;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The outputs of {@code tofu output -json} ({@code {name: {sensitive, type, value}}}) split into what Handoff may use
 * — the non-sensitive string values — and the sensitive values, which tofu prints in clear and which are only kept
 * to redact them. A sensitive output is never a handoff value.
 *
 * @param values non-sensitive outputs with a string, number or boolean value, by name
 * @param sensitiveValues every string leaf of every sensitive output
 * @param sensitiveNames the names of the sensitive outputs
 */
public record TofuOutputs(Map<String, String> values, Set<String> sensitiveValues, Set<String> sensitiveNames) {
    /** The output names infra-service reads; an instance needs at least {@code instance_id}. */
    public static final List<String> HANDOFF_OUTPUTS =
            List.of("instance_id", "private_ip", "public_ip", "subnet_id", "volume_id", "volume_device", "region");

    public TofuOutputs {
        values = Map.copyOf(values);
        sensitiveValues = Set.copyOf(sensitiveValues);
        sensitiveNames = Set.copyOf(sensitiveNames);
    }

    /** No outputs. */
    public static TofuOutputs empty() {
        return new TofuOutputs(Map.of(), Set.of(), Set.of());
    }

    /**
     * Parses {@code tofu output -json}.
     *
     * @throws StageFailure {@code output-format} when it is not that JSON
     */
    public static TofuOutputs parse(String stack, String json) throws StageFailure {
        JsonNode root;
        try {
            root = Json.mapper().readTree(json);
        } catch (JsonProcessingException e) {
            root = null;
        }
        if (root == null || !root.isObject()) {
            throw new StageFailure(
                    "output-format",
                    "'tofu output -json' of stack " + stack + " did not print a JSON object; check the tofu executable",
                    false,
                    List.of(new StageFailed.Detail("unreadable-outputs", stack, "not a JSON object")));
        }
        Map<String, String> values = new LinkedHashMap<>();
        Set<String> secrets = new LinkedHashSet<>();
        Set<String> sensitiveNames = new LinkedHashSet<>();
        root.properties().forEach(e -> {
            JsonNode output = e.getValue();
            JsonNode value = output.path("value");
            if (output.path("sensitive").asBoolean(false)) {
                sensitiveNames.add(e.getKey());
                collectStrings(value, secrets);
            } else if (value.isValueNode() && !value.isNull()) {
                values.put(e.getKey(), value.asText());
            }
        });
        return new TofuOutputs(values, secrets, sensitiveNames);
    }

    /** The sensitive output values a v4 state file holds (none for an encrypted or unreadable state). */
    public static Set<String> sensitiveInState(String stateJson) {
        try {
            JsonNode outputs = Json.mapper().readTree(stateJson).path("outputs");
            if (!outputs.isObject()) {
                return Set.of();
            }
            return parse("state", outputs.toString()).sensitiveValues();
        } catch (JsonProcessingException | StageFailure e) {
            return Set.of();
        }
    }

    /** This stack's outputs over {@code earlier}'s: a later stack's output of the same name wins. */
    public TofuOutputs over(TofuOutputs earlier) {
        Map<String, String> merged = new LinkedHashMap<>(earlier.values);
        merged.putAll(values);
        Set<String> secrets = new LinkedHashSet<>(earlier.sensitiveValues);
        secrets.addAll(sensitiveValues);
        Set<String> names = new LinkedHashSet<>(earlier.sensitiveNames);
        names.addAll(sensitiveNames);
        merged.keySet().removeAll(names);
        return new TofuOutputs(merged, secrets, names);
    }

    /** A non-sensitive output's value. */
    public Optional<String> value(String name) {
        return Optional.ofNullable(values.get(name)).filter(v -> !v.isBlank());
    }

    /**
     * The instance these outputs describe.
     *
     * @throws StageFailure {@code missing-output} when {@code instance_id} is absent, or is sensitive
     */
    public String instanceId(String repository) throws StageFailure {
        Optional<String> id = value("instance_id");
        if (id.isEmpty()) {
            List<StageFailed.Detail> details = new ArrayList<>();
            details.add(new StageFailed.Detail(
                    "missing-output",
                    "instance_id",
                    sensitiveNames.contains("instance_id")
                            ? "is marked sensitive; Handoff never uses sensitive outputs"
                            : "no stack has this output"));
            throw new StageFailure(
                    "missing-output",
                    "the stacks of " + repository + " have no non-sensitive output instance_id; add 'output "
                            + "\"instance_id\"' (and private_ip, public_ip, subnet_id, volume_id, volume_device) to the "
                            + "stack that creates the host's instance",
                    false,
                    details);
        }
        return id.get();
    }

    /** The non-sensitive outputs as {@code TF_VAR_<name>} variables for the stacks that come after. */
    public Map<String, String> asVariables() {
        Map<String, String> vars = new LinkedHashMap<>();
        values.forEach((k, v) -> vars.put("TF_VAR_" + k, v));
        return vars;
    }

    private static void collectStrings(JsonNode node, Set<String> out) {
        if (node.isValueNode() && !node.isNull()) {
            out.add(node.asText());
        } else {
            node.forEach(child -> collectStrings(child, out));
        }
    }
}
