package dev.handoff.common.asyncapi;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.handoff.common.event.EventType;
import dev.handoff.common.event.Topics;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The AsyncAPI document the build puts on the classpath describes the contract as the code has it. */
class AsyncApiDocumentTest {
    private static final Path EVENTS_DOC = Path.of("..", "docs", "events.md");

    private static String built() throws IOException {
        try (InputStream in = AsyncApiDocumentTest.class.getResourceAsStream(AsyncApiGenerator.RESOURCE)) {
            assertThat(in)
                    .as("asyncapi.yaml in common's classes: the build's process-classes phase writes it")
                    .isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void theBuiltDocumentIsTheOneTheCodeGeneratesNow() throws Exception {
        // Given
        String built = built();
        String version =
                AsyncApiGenerator.read(built).path("info").path("version").asText();

        // Then
        assertThat(built)
                .as("asyncapi.yaml is stale: rebuild common (./mvnw -pl common process-classes)")
                .isEqualTo(AsyncApiGenerator.yaml(version));
    }

    @Test
    void everyEventTypeHasAMessageWithItsHeadersKeyAndPayloadSchema() throws Exception {
        // Given
        JsonNode doc = AsyncApiGenerator.read(built());

        // Then
        assertThat(doc.path("asyncapi").asText()).isEqualTo("3.0.0");
        JsonNode messages = doc.path("components").path("messages");
        for (EventType type : EventType.values()) {
            JsonNode message = messages.path(type.shortName());
            assertThat(message.path("name").asText()).as(type.type()).isEqualTo(type.type());
            assertThat(message.path("contentType").asText()).isEqualTo("application/json");
            String ref = message.path("payload").path("schema").path("$ref").asText();
            assertThat(ref).isEqualTo("schemas/" + type.shortName() + "/v" + type.currentVersion() + ".json");
            assertThat(AsyncApiDocumentTest.class.getResource("/" + ref))
                    .as("the schema " + ref + " of " + type.type())
                    .isNotNull();
            assertThat(message.path("headers").toString())
                    .contains("\"const\":\"" + type.type() + "\"")
                    .contains("#/components/schemas/CloudEventHeaders");
            assertThat(message.path("bindings")
                            .path("kafka")
                            .path("key")
                            .path("type")
                            .asText())
                    .isEqualTo("string");
            assertThat(message.path("examples").size())
                    .as("examples of " + type.type() + ": its samples")
                    .isEqualTo(AsyncApiDocument.samples(type, type.currentVersion())
                            .size())
                    .isPositive();
        }
    }

    @Test
    void everyTopicIsAChannelCarryingTheTypesPublishedThere() throws Exception {
        // Given
        JsonNode channels = AsyncApiGenerator.read(built()).path("channels");

        // Then
        List<String> addresses = new ArrayList<>();
        channels.forEach(c -> addresses.add(c.path("address").asText()));
        assertThat(addresses).containsExactlyElementsOf(Topics.all());
        for (EventType type : EventType.values()) {
            assertThat(channels.path(type.topic()).path("messages").has(type.shortName()))
                    .as(type.type() + " on " + type.topic())
                    .isTrue();
        }
        assertThat(channels.path(Topics.deadLetter(Topics.COMMITS))
                        .path("messages")
                        .has("dead-letter"))
                .isTrue();
        assertThat(channels.path(Topics.HOST_KEYS).path("bindings").toString()).contains("compact");
    }

    @Test
    void docsEventsMdShowsTheDocumentsSummary() throws Exception {
        // Given
        String summary = AsyncApiSummary.markdown(AsyncApiGenerator.read(built()));

        // Then
        assertThat(Files.readString(EVENTS_DOC))
                .as("docs/events.md must hold the AsyncAPI summary as generated; paste this block:%n%s", summary)
                .contains(summary);
    }
}
