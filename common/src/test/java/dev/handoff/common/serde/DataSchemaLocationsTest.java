package dev.handoff.common.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.handoff.common.contract.Samples;
import dev.handoff.common.event.EventEnvelope;
import dev.handoff.common.event.EventType;
import dev.handoff.common.event.SchemaLocations;
import dev.handoff.common.event.v1.CommitPushed;
import dev.handoff.common.serde.InvalidEventException.Reason;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The {@code dataschema} a producer writes (schema id or served copy) and the forms a consumer reads. */
class DataSchemaLocationsTest {
    private static final String SERVED = "http://localhost:8080/schemas/";

    private final EventCodec served = new EventCodec(SchemaLocations.servedAt(SERVED));
    private final EventCodec reader = new EventCodec();

    private EventEnvelope commitEvent(EventCodec producer) throws Exception {
        CommitPushed payload = Json.mapper()
                .treeToValue(
                        Samples.read("/samples/commit.pushed/v1/edge-cluster-infra-main.json"), CommitPushed.class);
        return producer.newEvent(
                EventType.COMMIT_PUSHED, "/handoff/control-service", "cloud-edge-1", null, null, payload);
    }

    @Test
    void aProducerWithABaseUrlNamesTheServedCopyOfTheSchema() throws Exception {
        // When
        EventEnvelope event = commitEvent(served);

        // Then
        assertThat(event.dataSchema()).isEqualTo("http://localhost:8080/schemas/commit.pushed/v1.json");
        assertThat(event.schemaVersion()).isEqualTo(1);
    }

    @Test
    void aProducerWithoutABaseUrlWritesTheSchemaIdAsBefore() throws Exception {
        // When
        EventEnvelope event = commitEvent(reader);

        // Then
        assertThat(event.dataSchema()).isEqualTo("https://handoff.dev/schemas/commit.pushed/v1");
    }

    @Test
    void aBaseWithoutTrailingSlashGetsOne() {
        assertThat(SchemaLocations.servedAt("https://control.example:8443/schemas")
                        .dataSchema(EventType.BACKUP_COMPLETED, 1))
                .isEqualTo("https://control.example:8443/schemas/backup.completed/v1.json");
        assertThat(SchemaLocations.of(Optional.of(" "))).isSameAs(SchemaLocations.IDS);
    }

    @ParameterizedTest
    @ValueSource(strings = {"localhost:8080/schemas", "ftp://host/schemas/", "http://host/schemas/?a=b", "/schemas/"})
    void aBaseThatIsNotAnHttpUrlIsRefusedNamingTheSetting(String base) {
        assertThatThrownBy(() -> SchemaLocations.servedAt(base))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("HANDOFF_SCHEMA_BASE_URL")
                .hasMessageContaining(base);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "https://handoff.dev/schemas/commit.pushed/v1",
                "http://localhost:8080/schemas/commit.pushed/v1.json",
                "https://registry.other.example/contracts/handoff/commit.pushed/v1.json",
                "https://handoff.dev/schemas/commit.pushed/v1.json"
            })
    void everyFormOfDataschemaWithAnyBaseIsRead(String dataSchema) throws Exception {
        // Given a record of another producer (or an old record) with that dataschema
        ConsumerRecord<String, byte[]> record =
                withDataSchema(Records.received(served.encode(commitEvent(served)), 1), dataSchema);

        // When
        EventEnvelope event = reader.decode(record);

        // Then it is read, and keeps the dataschema it came with
        assertThat(event.dataSchema()).isEqualTo(dataSchema);
        assertThat(event.schemaVersion()).isEqualTo(1);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "http://localhost:8080/schemas/commit.pushed/v1.yaml",
                "http://localhost:8080/schemas/commit.pushed/v1.json?x=1",
                "http://localhost:8080/schemas/commit.pushed/v1.json#frag",
                "schemas/commit.pushed/v1.json",
                "http://localhost:8080/schemas/commit.stale/v1.json",
                "http://localhost:8080/schemas/xcommit.pushed/v1.json"
            })
    void aDataschemaThatDoesNotNameTheTypesSchemaIsRefused(String dataSchema) throws Exception {
        // Given
        ConsumerRecord<String, byte[]> record =
                withDataSchema(Records.received(served.encode(commitEvent(served)), 1), dataSchema);

        // When
        InvalidEventException refused = catchThrowableOfType(InvalidEventException.class, () -> reader.decode(record));

        // Then
        assertThat(refused).isNotNull();
        assertThat(refused.reason()).isEqualTo(Reason.BAD_DATASCHEMA);
        assertThat(refused).hasMessageContaining("/commit.pushed/v<N>.json");
    }

    private static ConsumerRecord<String, byte[]> withDataSchema(ConsumerRecord<String, byte[]> record, String value) {
        RecordHeaders headers = new RecordHeaders(Arrays.stream(record.headers().toArray())
                .filter(h -> !h.key().equals(EventCodec.H_DATASCHEMA))
                .toArray(Header[]::new));
        headers.add(EventCodec.H_DATASCHEMA, value.getBytes(StandardCharsets.UTF_8));
        return Records.received(record.topic(), record.key(), record.value(), headers, record.offset());
    }
}
