package dev.handoff.common.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import dev.handoff.common.serde.InvalidEventException;
import dev.handoff.common.serde.Records;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

class DeadLettersTest {

    @Test
    void aRefusedRecordGoesToItsTopicsDlqUnchangedWithWhyWhereAndWhoInHeaders() throws Exception {
        // Given a record of handoff.secret-facts that was refused
        MockProducer<String, byte[]> producer =
                new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer());
        RecordHeaders headers = new RecordHeaders();
        headers.add("ce_id", "1f2e3d4c-5b6a-4978-8a9b-0c1d2e3f4a5b".getBytes(StandardCharsets.UTF_8));
        byte[] body = "{not json".getBytes(StandardCharsets.UTF_8);
        ConsumerRecord<String, byte[]> record =
                Records.received("handoff.secret-facts", "cloud-edge-1", body, headers, 118);
        InvalidEventException why = new InvalidEventException(
                InvalidEventException.Reason.UNREADABLE_BODY, "body of event 1f2e3d4c is not JSON");

        // When
        new DeadLetters(producer, "converge-service").send(record, why);

        // Then
        assertThat(producer.history()).hasSize(1);
        ProducerRecord<String, byte[]> dead = producer.history().get(0);
        assertThat(dead.topic()).isEqualTo("handoff.secret-facts.dlq");
        assertThat(dead.key()).isEqualTo("cloud-edge-1");
        assertThat(dead.value()).isEqualTo(body);
        assertThat(header(dead, "ce_id")).isEqualTo("1f2e3d4c-5b6a-4978-8a9b-0c1d2e3f4a5b");
        assertThat(header(dead, DeadLetters.H_REASON)).isEqualTo("unreadable-body");
        assertThat(header(dead, DeadLetters.H_MESSAGE)).isEqualTo("body of event 1f2e3d4c is not JSON");
        assertThat(header(dead, DeadLetters.H_TOPIC)).isEqualTo("handoff.secret-facts");
        assertThat(header(dead, DeadLetters.H_PARTITION)).isEqualTo("0");
        assertThat(header(dead, DeadLetters.H_OFFSET)).isEqualTo("118");
        assertThat(header(dead, DeadLetters.H_CONSUMER)).isEqualTo("converge-service");
    }

    private static String header(ProducerRecord<String, byte[]> record, String name) {
        Header h = record.headers().lastHeader(name);
        assertThat(h).as("header " + name).isNotNull();
        return new String(h.value(), StandardCharsets.UTF_8);
    }
}
