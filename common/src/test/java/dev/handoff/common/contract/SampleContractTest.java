package dev.handoff.common.contract;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.handoff.common.contract.Samples.Sample;
import dev.handoff.common.event.EventEnvelope;
import dev.handoff.common.event.EventType;
import dev.handoff.common.serde.EventCodec;
import dev.handoff.common.serde.Json;
import dev.handoff.common.serde.Records;
import dev.handoff.common.serde.SchemaCatalog;
import dev.handoff.common.serde.Upcasters;
import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The contract test: every sample payload of every version ever published is valid against its schema, readable by
 * today's consumer (upcast when old) and survives the trip through the Java record without losing a field.
 */
class SampleContractTest {
    /** The upcasters production consumers use; add each step here when a type gets a new version. */
    static final Upcasters CONSUMER_UPCASTERS = Upcasters.none();

    private final ObjectMapper mapper = Json.mapper();
    private final SchemaCatalog catalog = new SchemaCatalog();
    private final EventCodec producer = new EventCodec();
    private final EventCodec consumer = new EventCodec(new SchemaCatalog(), CONSUMER_UPCASTERS);

    static Stream<Sample> samples() {
        return Samples.all().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void everySampleIsValidAgainstTheSchemaOfItsVersion(Sample sample) {
        // Given
        JsonNode payload = sample.json();

        // When
        List<String> violations = catalog.violations(sample.type(), sample.version(), payload);

        // Then
        assertThat(violations).as(sample.path()).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void everySampleIsReadByTodaysConsumerAndSurvivesTheRecordRoundTrip(Sample sample) throws Exception {
        // Given a record as a producer of the sample's version wrote it
        EventType type = sample.type();
        EventEnvelope sent = new EventEnvelope(
                "5b0f3c3e-6f7a-4d2b-9a51-0c2f1e8d7a61",
                "/handoff/contract-test",
                type.type(),
                sample.host(),
                OffsetDateTime.parse("2025-11-24T09:14:03Z"),
                type.dataSchema(sample.version()),
                "0c8e2f55-1b7d-4f7e-a3f4-62f0d9b1e5c2",
                null,
                null,
                sample.json());
        var record = Records.received(producer.encode(sent), 7);

        // When today's consumer reads it, maps it to the record and writes it back
        EventEnvelope received = consumer.decode(record);
        Record payload = consumer.payload(received, type.payloadClass());
        JsonNode written = mapper.readTree(mapper.writeValueAsBytes(payload));

        // Then it is in the current version, still valid, and (for current samples) nothing was lost
        assertThat(received.schemaVersion()).isEqualTo(type.currentVersion());
        assertThat(catalog.violations(type, type.currentVersion(), written))
                .as(sample.path())
                .isEmpty();
        if (sample.version() == type.currentVersion()) {
            assertThat(written)
                    .as(
                            "%s written back by %s",
                            sample.path(), type.payloadClass().getSimpleName())
                    .isEqualTo(sample.json());
        }
    }

    @ParameterizedTest
    @EnumSource(EventType.class)
    void everyVersionOfEveryTypeHasItsSchemaAndAtLeastOneSample(EventType type) {
        for (int version = 1; version <= type.currentVersion(); version++) {
            // Given
            String resource = type.schemaResource(version);

            // When
            boolean known = catalog.schema(type, version).isPresent();

            // Then
            assertThat(known).as("schema %s of %s", resource, type.type()).isTrue();
            JsonNode schema = Samples.read(resource);
            assertThat(schema.path("$id").asText()).as("$id of " + resource).isEqualTo(type.dataSchema(version));
            assertThat(schema.path("$schema").asText())
                    .as("$schema of " + resource)
                    .isEqualTo("https://json-schema.org/draft/2020-12/schema");
            assertThat(schema.path("title").asText()).as("title of " + resource).isNotBlank();
            assertThat(Samples.of(type, version))
                    .as("samples of %s v%d under /samples/%s/v%d/", type.type(), version, type.shortName(), version)
                    .isNotEmpty();
        }
    }

    @Test
    void theIndexListsEverySampleFileOnceAndNothingElse() throws IOException, URISyntaxException {
        // Given the sample files as they lie in the build output
        URL index = Samples.class.getResource(Samples.INDEX);
        assertThat(index).as(Samples.INDEX).isNotNull();
        Path root = Path.of(index.toURI()).getParent();
        List<String> files;
        try (Stream<Path> walk = Files.walk(root)) {
            files = walk.filter(p -> p.toString().endsWith(".json"))
                    .map(p -> root.relativize(p).toString().replace('\\', '/'))
                    .sorted()
                    .toList();
        }

        // When
        List<String> listed = Samples.indexLines();

        // Then
        assertThat(listed).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(files);
        assertThat(Samples.all()).hasSameSizeAs(listed);
    }
}
