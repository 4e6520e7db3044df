package dev.handoff.control.ledger;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.handoff.common.event.EventEnvelope;
import dev.handoff.common.event.EventType;
import dev.handoff.common.event.Topics;
import dev.handoff.common.event.v1.StageFailed;
import dev.handoff.common.event.v1.StageStarted;
import dev.handoff.common.messaging.DeadLetters;
import dev.handoff.common.messaging.KafkaSettings;
import dev.handoff.common.serde.EventCodec;
import dev.handoff.control.Deliveries;
import dev.handoff.lab.KafkaTestResource;
import dev.handoff.lab.LabKafka;
import dev.handoff.lab.PostgresTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(PostgresTestResource.class)
class LedgerConsumerTest {
    private final EventCodec codec = new EventCodec();

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    private KafkaProducer<String, byte[]> producer() {
        return new KafkaProducer<>(KafkaSettings.producer(bootstrap, "ledger-test", LabKafka.adminSecurity(bootstrap)));
    }

    private static List<Map<String, Object>> eventsOf(String deployment) {
        return given().auth()
                .oauth2(Deliveries.VIEWER)
                .queryParam("deployment", deployment)
                .get("/api/events")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath()
                .getList("items");
    }

    @Test
    void anInvalidRecordGoesToTheDeadLetterTopicWithItsReasonAndTheLedgerKeepsConsuming() throws Exception {
        // Given
        String key = "garbage-" + UUID.randomUUID();
        String deployment = UUID.randomUUID().toString();
        EventEnvelope valid = codec.newEvent(
                EventType.CONVERGENCE_STARTED,
                "/handoff/test",
                "cloud-edge-1",
                deployment,
                null,
                new StageStarted("cloud-edge-1", "converge", "handoff.secret-facts.completed", null, null));

        // When: a record that is not an event, then a valid one behind it on the same partition
        try (var producer = producer()) {
            producer.send(new ProducerRecord<>(
                            Topics.CONVERGENCE, key, "this is not json".getBytes(StandardCharsets.UTF_8)))
                    .get();
            producer.send(codec.encode(valid)).get();
        }

        // Then: the garbage is in handoff.convergence.dlq with why, where from and who refused it
        ConsumerRecord<String, byte[]> dead = readDeadLetter(Topics.deadLetter(Topics.CONVERGENCE), key);
        assertThat(header(dead, DeadLetters.H_REASON)).isEqualTo("missing-header");
        assertThat(header(dead, DeadLetters.H_MESSAGE)).contains("ce_specversion");
        assertThat(header(dead, DeadLetters.H_TOPIC)).isEqualTo(Topics.CONVERGENCE);
        assertThat(header(dead, DeadLetters.H_CONSUMER)).isEqualTo("handoff-ledger");
        assertThat(new String(dead.value(), StandardCharsets.UTF_8)).isEqualTo("this is not json");
        // and the valid event behind it is stored
        await().atMost(Duration.ofSeconds(10)).until(() -> eventsOf(deployment).size() == 1);
    }

    @Test
    void aRecordThatBreaksItsSchemaIsDeadLetteredNamingTheField() throws Exception {
        String key = "schema-" + UUID.randomUUID();
        EventEnvelope event = codec.newEvent(
                EventType.CONVERGENCE_FAILED,
                "/handoff/test",
                key,
                UUID.randomUUID().toString(),
                null,
                new StageFailed(key, "converge", "timeout", "no answer", true, List.of()));
        var record = codec.encode(event);
        try (var producer = producer()) {
            producer.send(new ProducerRecord<>(
                            record.topic(),
                            null,
                            key,
                            "{\"host\":\"x\"}".getBytes(StandardCharsets.UTF_8),
                            record.headers()))
                    .get();
        }
        ConsumerRecord<String, byte[]> dead = readDeadLetter(Topics.deadLetter(Topics.CONVERGENCE), key);
        assertThat(header(dead, DeadLetters.H_REASON)).isEqualTo("schema-violation");
        assertThat(header(dead, DeadLetters.H_MESSAGE)).contains("stage");
    }

    @Test
    void aRedeliveredEventIsStoredOnce() throws Exception {
        // Given
        String deployment = UUID.randomUUID().toString();
        EventEnvelope event = codec.newEvent(
                EventType.WORKLOAD_STARTED,
                "/handoff/test",
                "cloud-edge-1",
                deployment,
                null,
                new StageStarted("cloud-edge-1", "workload", "handoff.convergence.completed", null, null));

        // When: published three times (a producer retry, a replay of the raw record, …)
        try (var producer = producer()) {
            for (int i = 0; i < 3; i++) {
                producer.send(codec.encode(event)).get();
            }
        }
        String marker = UUID.randomUUID().toString();
        EventEnvelope after = codec.newEvent(
                EventType.WORKLOAD_STARTED,
                "/handoff/test",
                "cloud-edge-1",
                marker,
                null,
                new StageStarted("cloud-edge-1", "workload", "handoff.convergence.completed", null, null));
        try (var producer = producer()) {
            producer.send(codec.encode(after)).get();
        }

        // Then: once the event behind the copies is stored, the copies have been seen: one row
        await().atMost(Duration.ofSeconds(10)).until(() -> eventsOf(marker).size() == 1);
        assertThat(eventsOf(deployment)).hasSize(1);
    }

    private ConsumerRecord<String, byte[]> readDeadLetter(String topic, String key) {
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(KafkaSettings.consumer(
                bootstrap, "dlq-reader-" + UUID.randomUUID(), "dlq-reader", LabKafka.adminSecurity(bootstrap)))) {
            consumer.subscribe(List.of(topic));
            List<ConsumerRecord<String, byte[]>> found = new ArrayList<>();
            await().atMost(Duration.ofSeconds(15)).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> {
                    if (key.equals(r.key())) {
                        found.add(r);
                    }
                });
                return !found.isEmpty();
            });
            return found.get(0);
        }
    }

    private static String header(ConsumerRecord<String, byte[]> r, String name) {
        return EventCodec.optional(r.headers(), name);
    }
}
