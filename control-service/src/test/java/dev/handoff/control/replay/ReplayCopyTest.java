package dev.handoff.control.replay;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.handoff.common.event.EventEnvelope;
import dev.handoff.common.event.EventType;
import dev.handoff.common.event.Stage;
import dev.handoff.common.event.Topics;
import dev.handoff.common.serde.EventCodec;
import dev.handoff.common.serde.Json;
import java.io.IOException;
import java.io.InputStream;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

class ReplayCopyTest {
    private final EventCodec codec = new EventCodec();

    @Test
    void aCopyIsEncodedAsTheCodecEncodesItAndDecodesToTheCopy() throws Exception {
        // Given an original as a stage reads it, and its replayed copy
        EventEnvelope sent = new EventEnvelope(
                "5f0c1a3e-8b7d-4c2a-9e61-3d2f4b5a6c7d",
                "/handoff/secrets-service",
                EventType.SECRET_FACTS_COMPLETED.type(),
                "cloud-edge-1",
                OffsetDateTime.parse("2026-12-06T10:15:30.123456Z"),
                EventType.SECRET_FACTS_COMPLETED.dataSchema(1),
                "0d3c9a4f-2e1b-4f6a-8c7d-1a2b3c4d5e6f",
                null,
                null,
                sample("/samples/secret-facts.completed/v1/cloud-edge-1.json"));
        ConsumerRecord<String, byte[]> read = asRead(codec.encode(sent));
        EventEnvelope original = codec.decode(read);
        EventEnvelope copy =
                ReplayPlan.copy("9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d", original, OffsetDateTime.now(ZoneOffset.UTC));
        String channel = Topics.replay(Stage.CONVERGE);

        // When
        ProducerRecord<String, byte[]> record = ReplayCopy.record(channel, copy, read);

        // Then: the record the validating codec writes, with the original's validated body, read back as the copy
        ProducerRecord<String, byte[]> expected = codec.encode(channel, copy);
        assertThat(record.topic()).isEqualTo(expected.topic());
        assertThat(record.key()).isEqualTo(expected.key());
        assertThat(record.partition()).isEqualTo(expected.partition());
        assertThat(record.value()).isSameAs(read.value()).isEqualTo(expected.value());
        assertThat(record.headers().toArray())
                .extracting(Header::key, Header::value)
                .containsExactlyElementsOf(
                        java.util.Arrays.stream(expected.headers().toArray())
                                .map(h -> org.assertj.core.groups.Tuple.tuple(h.key(), h.value()))
                                .toList());
        assertThat(codec.decode(asRead(record))).isEqualTo(copy);
    }

    private static JsonNode sample(String resource) throws IOException {
        try (InputStream in = ReplayCopyTest.class.getResourceAsStream(resource)) {
            return Json.mapper().readTree(in);
        }
    }

    private static ConsumerRecord<String, byte[]> asRead(ProducerRecord<String, byte[]> sent) {
        return new ConsumerRecord<>(
                sent.topic(),
                0,
                0L,
                0L,
                TimestampType.CREATE_TIME,
                -1,
                -1,
                sent.key(),
                sent.value(),
                sent.headers(),
                Optional.empty());
    }
}
