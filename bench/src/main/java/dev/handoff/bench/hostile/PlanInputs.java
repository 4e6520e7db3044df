package dev.handoff.bench.hostile;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Hostile {@code tofu show -json} plans: a valid plan whose sensitive attribute, output and variable hold the planted
 * secret, then seeded edits (unknown actions, wrong types, missing addresses, format versions, nesting, size) and the
 * classic documents.
 */
public final class PlanInputs {
    /** A plan of one update and one replacement, the shape OpenTofu 1.x writes. */
    static final String VALID = """
            {
              "format_version": "1.2",
              "terraform_version": "1.8.5",
              "variables": {"db_password": {"value": "%1$s"}},
              "planned_values": {
                "outputs": {"token": {"sensitive": true, "value": "%1$s"}},
                "root_module": {"resources": [{"address": "oci_core_instance.edge", "mode": "managed",
                  "type": "oci_core_instance", "name": "edge", "values": {"display_name": "edge", "metadata":
                  {"user_data": "%1$s"}}, "sensitive_values": {"metadata": {"user_data": true}}}]}
              },
              "resource_changes": [
                {"address": "oci_core_instance.edge", "mode": "managed", "type": "oci_core_instance", "name": "edge",
                 "change": {"actions": ["update"], "before": {"display_name": "old"},
                   "after": {"display_name": "edge", "metadata": {"user_data": "%1$s"}},
                   "after_sensitive": {"metadata": {"user_data": true}}}},
                {"address": "oci_core_volume.data", "mode": "managed", "type": "oci_core_volume", "name": "data",
                 "previous_address": "oci_core_volume.old",
                 "change": {"actions": ["delete", "create"], "before": {}, "after": {}}}
              ],
              "output_changes": {"token": {"actions": ["update"], "before": "x", "after": "%1$s",
                "after_sensitive": true}},
              "configuration": {"root_module": {"variables": {"db_password": {"sensitive": true}}}}
            }
            """.formatted(PlantedSecret.VALUE);

    private static final List<String> EDITS = List.of(
            "\"format_version\": \"1.2\"",
            "\"actions\": [\"update\"]",
            "\"actions\": [\"delete\", \"create\"]",
            "\"address\": \"oci_core_instance.edge\"",
            "\"previous_address\": \"oci_core_volume.old\"",
            "\"sensitive\": true",
            "\"after_sensitive\": {\"metadata\": {\"user_data\": true}}",
            "\"resource_changes\": [",
            "\"output_changes\": {");

    private static final List<String> REPLACEMENTS = List.of(
            "\"format_version\": \"2.0\"",
            "\"format_version\": 1.2",
            "\"format_version\": \"1.\"",
            "\"format_version\": \"" + "1.".repeat(50_000) + "1\"",
            "\"actions\": [\"destroy\"]",
            "\"actions\": []",
            "\"actions\": \"update\"",
            "\"actions\": [null]",
            "\"actions\": [[\"update\"]]",
            "\"actions\": [\"update\", \"update\"]",
            "\"address\": \"\"",
            "\"address\": null",
            "\"address\": {}",
            "\"errored\": true",
            "\"sensitive\": \"yes\"",
            "\"after_sensitive\": [true]",
            "\"importing\": {\"id\": {\"x\": 1}}",
            "\"resource_changes\": {");

    private PlanInputs() {}

    /** {@code count} plans, the same for the same seed. */
    public static List<Hostile<String>> generate(long seed, int count) {
        Random random = new Random(seed);
        List<Hostile<String>> out = new ArrayList<>(Mutations.classicDocuments());
        out.add(new Hostile<>("valid", VALID));
        out.add(new Hostile<>("a state, not a plan", "{\"format_version\": \"1.0\", \"values\": {}}"));
        out.add(new Hostile<>("10,000 changes", manyChanges(10_000)));
        out.add(new Hostile<>(
                "sensitive marker nested 5000 deep",
                VALID.replace(
                        "\"after_sensitive\": {\"metadata\": {\"user_data\": true}}",
                        "\"after_sensitive\": " + Mutations.deepJson(5000, true))));
        while (out.size() < count) {
            switch (random.nextInt(3)) {
                case 0 -> out.add(new Hostile<>("edited", Mutations.mutate(VALID, random)));
                case 1 -> {
                    String from = EDITS.get(random.nextInt(EDITS.size()));
                    String to = REPLACEMENTS.get(random.nextInt(REPLACEMENTS.size()));
                    out.add(new Hostile<>("field " + LogCapture.shorten(to), VALID.replace(from, to)));
                }
                default ->
                    out.add(new Hostile<>(
                            "json field wrong type",
                            new String(
                                    RecordInputs.wrongType(Mutations.utf8(VALID), random),
                                    java.nio.charset.StandardCharsets.UTF_8)));
            }
        }
        return out;
    }

    private static String manyChanges(int n) {
        StringBuilder out = new StringBuilder("{\"format_version\": \"1.2\", \"resource_changes\": [");
        for (int i = 0; i < n; i++) {
            out.append(i == 0 ? "" : ",")
                    .append("{\"address\": \"null_resource.r")
                    .append(i)
                    .append("\", \"change\": {\"actions\": [\"create\"]}}");
        }
        return out.append("]}").toString();
    }
}
