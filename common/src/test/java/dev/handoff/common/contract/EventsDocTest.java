package dev.handoff.common.contract;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.handoff.common.event.EventType;
import dev.handoff.common.event.Stage;
import dev.handoff.common.event.Topics;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** docs/events.md, the contract reference, names every type, its topic and every field of its schema. */
class EventsDocTest {
    private static final Path DOC = Path.of("..", "docs", "events.md");

    private static String doc() throws IOException {
        assertThat(DOC).as("the contract reference, docs/events.md").exists();
        return Files.readString(DOC, StandardCharsets.UTF_8);
    }

    @ParameterizedTest
    @EnumSource(EventType.class)
    void theReferenceHasASectionWithTheTypesTopicAndEveryFieldOfItsSchema(EventType type) throws IOException {
        // Given
        JsonNode schema = Samples.read(type.schemaResource(type.currentVersion()));
        List<String> fields = new ArrayList<>();
        collectFields(schema, schema, "", fields);

        // When
        String section = section(doc(), "`" + type.type() + "`");

        // Then
        assertThat(section)
                .as("a ### heading naming `%s` in %s", type.type(), DOC)
                .isNotEmpty();
        assertThat(section).contains("`" + type.topic() + "`");
        for (String field : fields) {
            assertThat(section).as("field %s of %s", field, type.type()).contains("| `" + field + "` |");
        }
    }

    @Test
    void theReferenceListsEveryTopicAndEveryDeadLetterHeader() throws IOException {
        // Given
        String doc = doc();

        // When / Then
        for (String topic : Topics.CHAIN) {
            assertThat(doc).contains("`" + topic + "`");
        }
        for (Stage stage : Stage.values()) {
            assertThat(doc).contains("`" + Topics.replay(stage) + "`");
        }
        assertThat(doc)
                .contains("`<topic>.dlq`")
                .contains("handoff-dlq-reason")
                .contains("handoff-dlq-message")
                .contains("handoff-dlq-topic")
                .contains("handoff-dlq-partition")
                .contains("handoff-dlq-offset")
                .contains("handoff-dlq-consumer");
    }

    /** The text from the first {@code ###} heading that contains {@code marker} to the next heading. */
    private static String section(String doc, String marker) {
        List<String> lines = doc.lines().toList();
        StringBuilder out = new StringBuilder();
        boolean inside = false;
        for (String line : lines) {
            if (line.startsWith("#")) {
                if (inside) {
                    break;
                }
                inside = line.startsWith("### ") && line.contains(marker);
            }
            if (inside) {
                out.append(line).append('\n');
            }
        }
        return out.toString();
    }

    private static void collectFields(JsonNode root, JsonNode node, String prefix, List<String> out) {
        JsonNode s = resolve(root, node);
        s.path("properties").properties().forEach(e -> {
            String path = prefix + e.getKey();
            out.add(path);
            JsonNode property = resolve(root, e.getValue());
            if (property.has("properties")) {
                collectFields(root, property, path + ".", out);
            }
            JsonNode items = resolve(root, property.path("items"));
            if (items.has("properties")) {
                collectFields(root, items, path + "[].", out);
            }
        });
    }

    private static JsonNode resolve(JsonNode root, JsonNode node) {
        JsonNode current = node;
        while (current.has("$ref")) {
            current = root.at(current.get("$ref").asText().substring(1));
        }
        return current;
    }
}
