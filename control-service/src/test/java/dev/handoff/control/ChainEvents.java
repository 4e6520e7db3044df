package dev.handoff.control;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.handoff.common.event.EventEnvelope;
import dev.handoff.common.event.EventType;
import dev.handoff.common.event.Stage;
import dev.handoff.common.messaging.EventPublisher;
import dev.handoff.common.messaging.KafkaSettings;
import dev.handoff.common.serde.EventCodec;
import dev.handoff.common.serde.Json;
import dev.handoff.lab.LabKafka;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * Plays the stage services in control-service's tests: publishes a stage's started / completed / failed events for a
 * deployment to the lab broker, with payloads from the contract's samples, as a stage would.
 */
public final class ChainEvents implements AutoCloseable {
    /** The samples used for each stage's completed and failed events (all of host cloud-edge-1). */
    private static final Map<Stage, String> COMPLETED = Map.of(
            Stage.INFRA, "cloud-facts.completed/v1/with-plan.json",
            Stage.SECRETS, "secret-facts.completed/v1/cloud-edge-1.json",
            Stage.CONVERGE, "convergence.completed/v1/cloud-edge-1-bootstrap.json",
            Stage.WORKLOAD, "workload.completed/v1/rustdesk.json",
            Stage.BACKUP, "backup.completed/v1/runtime-with-rehearsal.json");

    private static final Map<Stage, String> FAILED = Map.of(
            Stage.INFRA, "cloud-facts.failed/v1/oci-timeout.json",
            Stage.SECRETS, "secret-facts.failed/v1/missing-recipient-and-key.json",
            Stage.CONVERGE, "convergence.failed/v1/confirm-timeout-rolled-back.json",
            Stage.WORKLOAD, "workload.failed/v1/relay-not-ready.json",
            Stage.BACKUP, "backup.failed/v1/stale-snapshot.json");

    private static final String SOURCE = "/handoff/test-stage";
    public static final String HOST = "cloud-edge-1";

    /** A published event and where it landed. */
    public record Published(EventEnvelope event, String topic, int partition, long offset) {}

    private final EventPublisher publisher;

    public ChainEvents() {
        EventCodec codec = new EventCodec();
        this.publisher = new EventPublisher(
                new KafkaProducer<>(KafkaSettings.producer(
                        LabKafka.shared().bootstrapServers(),
                        "test-stage",
                        LabKafka.adminSecurity(LabKafka.shared().bootstrapServers()))),
                codec);
    }

    /** {@code stage} started for the deployment, caused by {@code trigger}. */
    public Published started(Stage stage, String deployment, String trigger) {
        ObjectNode data = Json.mapper().createObjectNode();
        data.put("host", HOST).put("stage", stage.id()).put("triggerType", "handoff.commit.pushed");
        return publish(EventType.of(stage, "started"), deployment, trigger, data);
    }

    /** {@code stage} completed with the sample facts. */
    public Published completed(Stage stage, String deployment, String trigger) {
        return publish(EventType.of(stage, "completed"), deployment, trigger, sample(COMPLETED.get(stage)));
    }

    /** {@code stage} failed with the sample reason. */
    public Published failed(Stage stage, String deployment, String trigger) {
        return publish(EventType.of(stage, "failed"), deployment, trigger, sample(FAILED.get(stage)));
    }

    /** Publishes one event and waits for Kafka's acknowledgement. */
    public Published publish(EventType type, String deployment, String trigger, JsonNode data) {
        EventEnvelope event = new EventEnvelope(
                UUID.randomUUID().toString(),
                SOURCE,
                type.type(),
                HOST,
                OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MICROS),
                type.dataSchema(type.currentVersion()),
                deployment,
                trigger,
                null,
                data);
        try {
            RecordMetadata m = publisher.publish(event).get(10, TimeUnit.SECONDS);
            return new Published(event, m.topic(), m.partition(), m.offset());
        } catch (Exception e) {
            throw new AssertionError("cannot publish " + type.type() + ": " + e, e);
        }
    }

    /** A sample payload of the contract. */
    public static JsonNode sample(String path) {
        try (InputStream in = ChainEvents.class.getResourceAsStream("/samples/" + path)) {
            if (in == null) {
                throw new IllegalStateException("no sample " + path + " in handoff-common");
            }
            return Json.mapper().readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        publisher.close();
    }
}
