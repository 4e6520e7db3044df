package dev.handoff.common.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.handoff.common.contract.Samples;
import dev.handoff.common.event.EventEnvelope;
import dev.handoff.common.event.EventType;
import dev.handoff.common.event.v1.CommitPushed;
import dev.handoff.common.serde.InvalidEventException.Reason;
import dev.handoff.common.serde.fixtures.CommitPushedV2;
import dev.handoff.common.serde.fixtures.SplitRepository;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * A breaking change ships as v2 with an upcaster; consumers that read v2 still read every v1 record. The v2 here
 * (record, schema under src/test/resources, upcaster) exists only in test code.
 */
class UpcastersTest {
    private static final String V1_SAMPLE = "/samples/commit.pushed/v1/edge-cluster-infra-main.json";

    private final EventCodec v1Producer = new EventCodec();
    private final EventCodec v2Consumer = new EventCodec(
            new SchemaCatalog(), new Upcasters(List.of(new SplitRepository()), Map.of(EventType.COMMIT_PUSHED, 2)));

    private static EventEnvelope commitEvent(int version, JsonNode data) {
        return new EventEnvelope(
                "6a2f8e1c-4b3d-4c5a-9e7f-1d2c3b4a5e6f",
                "/handoff/control-service",
                EventType.COMMIT_PUSHED.type(),
                "cloud-edge-1",
                OffsetDateTime.parse("2025-11-24T09:12:44Z"),
                EventType.COMMIT_PUSHED.dataSchema(version),
                "0c8e2f55-1b7d-4f7e-a3f4-62f0d9b1e5c2",
                null,
                null,
                data);
    }

    private ConsumerRecord<String, byte[]> v1Record() throws InvalidEventException {
        return Records.received(v1Producer.encode(commitEvent(1, Samples.read(V1_SAMPLE))), 11);
    }

    private static JsonNode v2Payload() {
        return new SplitRepository().upcast(Samples.read(V1_SAMPLE));
    }

    @Test
    void aV2ConsumerReadsAV1RecordAsAValidV2Payload() throws Exception {
        // Given a record written by a v1 producer
        ConsumerRecord<String, byte[]> record = v1Record();
        CommitPushed v1 = Json.mapper().treeToValue(Samples.read(V1_SAMPLE), CommitPushed.class);

        // When a consumer that reads v2 decodes it
        EventEnvelope event = v2Consumer.decode(record);
        CommitPushedV2 v2 = v2Consumer.payload(event, CommitPushedV2.class);

        // Then it got the v2 shape, valid against the v2 schema, with nothing else changed
        assertThat(event.dataSchema()).isEqualTo("https://handoff.dev/schemas/commit.pushed/v2");
        assertThat(event.schemaVersion()).isEqualTo(2);
        assertThat(new SchemaCatalog().violations(EventType.COMMIT_PUSHED, 2, event.data()))
                .isEmpty();
        assertThat(event.data().has("repository")).isFalse();
        assertThat(v2.owner()).isEqualTo("ops");
        assertThat(v2.name()).isEqualTo("edge-cluster-infra");
        assertThat(v2.after()).isEqualTo(v1.after());
        assertThat(v2.headCommit()).isEqualTo(v1.headCommit());
        assertThat(event.id()).isEqualTo("6a2f8e1c-4b3d-4c5a-9e7f-1d2c3b4a5e6f");
    }

    @Test
    void aV2ConsumerReadsAV2RecordAsItIs() throws Exception {
        // Given a record written by a v2 producer
        EventEnvelope sent = commitEvent(2, v2Payload());
        ConsumerRecord<String, byte[]> record = Records.received(v2Consumer.encode(sent), 12);

        // When
        EventEnvelope event = v2Consumer.decode(record);

        // Then
        assertThat(event).isEqualTo(sent);
    }

    @Test
    void aV1OnlyConsumerRefusesAV2RecordAsAnUnknownVersion() throws Exception {
        // Given a record written by a v2 producer
        ConsumerRecord<String, byte[]> record = Records.received(v2Consumer.encode(commitEvent(2, v2Payload())), 13);

        // When a consumer that still reads v1 decodes it
        InvalidEventException refused =
                catchThrowableOfType(InvalidEventException.class, () -> v1Producer.decode(record));

        // Then it goes to the dead-letter topic as unknown-version, asking for an upgrade
        assertThat(refused).isNotNull();
        assertThat(refused.reason()).isEqualTo(Reason.UNKNOWN_VERSION);
        assertThat(refused.reasonCode()).isEqualTo("unknown-version");
        assertThat(refused).hasMessageContaining("v2").hasMessageContaining("upgrade the consumer");
    }

    @Test
    void aMissingUpcasterStepIsRefusedAsUpcastFailed() throws Exception {
        // Given a consumer that reads v2 but has no v1 -> v2 upcaster
        EventCodec forgetful =
                new EventCodec(new SchemaCatalog(), new Upcasters(List.of(), Map.of(EventType.COMMIT_PUSHED, 2)));

        // When
        InvalidEventException refused =
                catchThrowableOfType(InvalidEventException.class, () -> forgetful.decode(v1Record()));

        // Then
        assertThat(refused).isNotNull();
        assertThat(refused.reason()).isEqualTo(Reason.UPCAST_FAILED);
        assertThat(refused.reasonCode()).isEqualTo("upcast-failed");
        assertThat(refused).hasMessageContaining("no upcaster from handoff.commit.pushed v1 to v2");
    }

    @Test
    void anUpcasterThatThrowsOrReturnsNothingIsRefusedAsUpcastFailed() throws Exception {
        // Given
        Upcaster throwing = upcaster(data -> {
            throw new IllegalStateException("owner lookup failed");
        });
        Upcaster empty = upcaster(data -> null);

        // When
        InvalidEventException thrown = decodeWith(throwing);
        InvalidEventException nothing = decodeWith(empty);

        // Then
        assertThat(thrown.reason()).isEqualTo(Reason.UPCAST_FAILED);
        assertThat(thrown).hasMessageContaining("owner lookup failed");
        assertThat(nothing.reason()).isEqualTo(Reason.UPCAST_FAILED);
        assertThat(nothing).hasMessageContaining("returned no payload");
    }

    @Test
    void anUpcasterWhoseOutputBreaksTheTargetSchemaIsRefusedNamingTheField() throws Exception {
        // Given an upcaster that forgets "name"
        Upcaster sloppy = upcaster(data -> {
            ObjectNode v2 = data.deepCopy();
            v2.remove("repository");
            v2.put("owner", "ops");
            return v2;
        });

        // When
        InvalidEventException refused = decodeWith(sloppy);

        // Then
        assertThat(refused.reason()).isEqualTo(Reason.SCHEMA_VIOLATION);
        assertThat(refused).hasMessageContaining("v2").hasMessageContaining("name");
    }

    @Test
    void twoUpcastersForTheSameStepAreAConfigurationError() {
        // Given
        List<Upcaster> twice = List.of(new SplitRepository(), new SplitRepository());

        // When / Then
        assertThatThrownBy(() -> new Upcasters(twice, Map.of(EventType.COMMIT_PUSHED, 2)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("two upcasters for handoff.commit.pushed v1");
    }

    private InvalidEventException decodeWith(Upcaster upcaster) throws InvalidEventException {
        EventCodec codec = new EventCodec(
                new SchemaCatalog(), new Upcasters(List.of(upcaster), Map.of(EventType.COMMIT_PUSHED, 2)));
        ConsumerRecord<String, byte[]> record = v1Record();
        InvalidEventException refused = catchThrowableOfType(InvalidEventException.class, () -> codec.decode(record));
        assertThat(refused).as("decode must refuse the record").isNotNull();
        return refused;
    }

    private static Upcaster upcaster(java.util.function.UnaryOperator<JsonNode> step) {
        return new Upcaster() {
            @Override
            public EventType type() {
                return EventType.COMMIT_PUSHED;
            }

            @Override
            public int fromVersion() {
                return 1;
            }

            @Override
            public JsonNode upcast(JsonNode data) {
                return step.apply(data);
            }
        };
    }
}
