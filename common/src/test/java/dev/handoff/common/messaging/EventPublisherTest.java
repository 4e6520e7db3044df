package dev.handoff.common.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.handoff.common.contract.Samples;
import dev.handoff.common.event.EventEnvelope;
import dev.handoff.common.event.EventType;
import dev.handoff.common.event.Topics;
import dev.handoff.common.serde.EventCodec;
import dev.handoff.common.serde.InvalidEventException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

class EventPublisherTest {
    private final MockProducer<String, byte[]> producer =
            new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer());
    private final EventPublisher publisher = new EventPublisher(producer, new EventCodec());

    private static EventEnvelope commitFor(String id, ObjectNode payload) {
        return new EventEnvelope(
                id,
                "/handoff/control-service",
                EventType.COMMIT_PUSHED.type(),
                payload.get("host").asText(),
                OffsetDateTime.parse("2025-11-24T09:12:44Z"),
                EventType.COMMIT_PUSHED.dataSchema(1),
                null,
                null,
                null,
                payload);
    }

    private static ObjectNode sample(String name) {
        return (ObjectNode) Samples.read("/samples/commit.pushed/v1/" + name + ".json");
    }

    @Test
    void publishAllSendsEveryEventAndReturnsOnceAllAreAcknowledged() throws Exception {
        // Given
        List<EventEnvelope> events = List.of(
                commitFor("a1b2c3d4-0000-4000-8000-000000000001", sample("edge-cluster-infra-main")),
                commitFor("a1b2c3d4-0000-4000-8000-000000000002", sample("infrastructure-nixos-no-compare-url")));

        // When
        List<RecordMetadata> acknowledged = publisher.publishAll(events, Duration.ofSeconds(5));

        // Then
        assertThat(acknowledged).hasSize(2);
        assertThat(producer.history())
                .extracting(r -> r.topic() + "/" + r.key())
                .containsExactly(Topics.COMMITS + "/cloud-edge-1", Topics.COMMITS + "/forgejo-pi");
    }

    @Test
    void publishAllSendsNothingWhenOneEventIsInvalid() {
        // Given a batch whose second event has no delivery id
        ObjectNode broken = sample("infrastructure-nixos-no-compare-url");
        broken.remove("deliveryId");
        List<EventEnvelope> events = List.of(
                commitFor("a1b2c3d4-0000-4000-8000-000000000003", sample("edge-cluster-infra-main")),
                commitFor("a1b2c3d4-0000-4000-8000-000000000004", broken));

        // When
        InvalidEventException refused = catchThrowableOfType(
                InvalidEventException.class, () -> publisher.publishAll(events, Duration.ofSeconds(5)));

        // Then
        assertThat(refused).isNotNull().hasMessageContaining("deliveryId");
        assertThat(producer.history()).isEmpty();
    }
}
