package dev.handoff.deploy;

import static dev.handoff.deploy.ComposeFileTest.map;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * Every key of helm/handoff/values.yaml has a type in values.schema.json and a row in the chart README's values table,
 * so neither drifts from the values. A map whose keys are names (services, secret files) is one row per field, with
 * {@code <name>} for the name; a value the schema describes as free-form (env, resources, topic config) is one row.
 */
class ChartValuesTableTest {
    private static final Path CHART = ProjectFiles.root().resolve("helm/handoff");
    private static final Pattern TABLE_ROW = Pattern.compile("(?m)^\\| `([^`]+)` \\|");

    private final Map<String, Object> schema = new Yaml().load(ProjectFiles.read(CHART.resolve("values.schema.json")));

    @Test
    void everyValueHasATypeInTheSchemaAndARowInTheReadme() {
        // Given the default values, and the rows of the README's table
        Map<String, Object> values = new Yaml().load(ProjectFiles.read(CHART.resolve("values.yaml")));
        Set<String> rows = new LinkedHashSet<>();
        Matcher row = TABLE_ROW.matcher(ProjectFiles.read(CHART.resolve("README.md")));
        while (row.find()) {
            rows.add(row.group(1));
        }

        // When the values are walked along the schema (a key the schema does not know fails here)
        Set<String> keys = new LinkedHashSet<>();
        walk(values, schema, "", keys);

        // Then each has its row, and the table has no row for a value that no longer exists
        assertThat(keys).as("keys of values.yaml").hasSizeGreaterThan(80).contains("tracing.otlpEndpoint");
        assertThat(rows).as("rows of helm/handoff/README.md's values table").containsAll(keys);
        assertThat(keys)
                .as("values.yaml keys (a README row names a value that is gone)")
                .containsAll(rows);
    }

    @Test
    void theSchemaRefusesUnknownKeysWhereTheChartDefinesEveryKey() {
        // The top level and every service block name each key they take: a misspelt key is an error, not ignored
        assertThat(schema.get("additionalProperties")).isEqualTo(false);
        assertThat(resolve(map(schema.get("definitions")).get("service")).get("additionalProperties"))
                .isEqualTo(false);
    }

    private void walk(Map<String, Object> values, Map<String, Object> node, String path, Set<String> keys) {
        Map<String, Object> schemaNode = resolve(node);
        Map<String, Object> named = namedEntries(schemaNode);
        for (Map.Entry<String, Object> entry : values.entrySet()) {
            Map<String, Object> child;
            String segment;
            if (named != null) {
                segment = "<name>";
                child = named;
            } else {
                Object declared = map(schemaNode.get("properties")).get(entry.getKey());
                assertThat(declared)
                        .as("values.schema.json declares %s%s", path, entry.getKey())
                        .isNotNull();
                segment = entry.getKey();
                child = resolve(declared);
            }
            String key = path + segment;
            if (entry.getValue() instanceof Map<?, ?> nested && !nested.isEmpty() && structured(child)) {
                walk(map(nested), child, key + ".", keys);
            } else {
                keys.add(key);
            }
        }
    }

    /** The schema of each entry when the object's keys are names (additionalProperties with fields of its own). */
    private Map<String, Object> namedEntries(Map<String, Object> node) {
        Object additional = node.get("additionalProperties");
        if (additional instanceof Map<?, ?> entrySchema) {
            Map<String, Object> resolved = resolve(map(entrySchema));
            if (resolved.containsKey("properties")) {
                return resolved;
            }
        }
        return null;
    }

    private boolean structured(Map<String, Object> node) {
        return node.containsKey("properties") || namedEntries(node) != null;
    }

    private Map<String, Object> resolve(Object node) {
        Map<String, Object> current = map(node);
        while (current.containsKey("$ref")) {
            String ref = (String) current.get("$ref");
            List<String> parts = List.of(ref.substring(2).split("/"));
            Map<String, Object> target = schema;
            for (String part : parts) {
                target = map(target.get(part));
            }
            assertThat(target).as("values.schema.json resolves " + ref).isNotEmpty();
            current = target;
        }
        return current;
    }
}
