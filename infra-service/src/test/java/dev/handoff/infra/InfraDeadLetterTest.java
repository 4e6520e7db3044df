package dev.handoff.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.handoff.common.event.EventEnvelope;
import dev.handoff.common.event.EventType;
import dev.handoff.common.event.Topics;
import dev.handoff.common.messaging.DeadLetters;
import dev.handoff.common.messaging.KafkaSettings;
import dev.handoff.common.serde.EventCodec;
import dev.handoff.lab.InfraWorldTestResource;
import dev.handoff.lab.KafkaTestResource;
import dev.handoff.lab.LabKafka;
import dev.handoff.lab.forge.LabForge;
import dev.handoff.lab.forge.LabRepository;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A {@code commit.pushed} whose {@code ce_deploymentid} is a path (the run's work folder is named by it and deleted
 * when the run ends) goes to the dead-letter topic; nothing outside the work folder is touched and the stage goes on.
 */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(InfraWorldTestResource.class)
class InfraDeadLetterTest {
    private static final LabRepository INFRA =
            LabRepository.byFullName("ops/edge-cluster-infra").orElseThrow();

    private static LabForge forge;
    private static TopicRecords topics;

    private final EventCodec codec;
    private final InfraPushes pushes;

    InfraDeadLetterTest(EventCodec codec) {
        this.codec = codec;
        this.pushes = new InfraPushes(codec, topics);
    }

    @BeforeAll
    static void forge() throws IOException {
        forge = InfraPushes.forge("infra-dead-letter-forge", INFRA);
        topics = new TopicRecords(Topics.all());
    }

    @AfterAll
    static void close() {
        topics.close();
    }

    @Test
    void aDeploymentIdThatLeadsOutOfTheWorkFolderIsDeadLetteredAndDeletesNothing() throws Exception {
        // Given: two folders beside the work folder, and pushes whose deployment id names them (relative, absolute)
        Path workDir = Path.of(ConfigProvider.getConfig().getValue("handoff.infra.work-dir", String.class));
        Path serviceDir = workDir.toAbsolutePath().normalize().getParent();
        Path relativeTarget = keptFolder(serviceDir);
        Path absoluteTarget = keptFolder(serviceDir);
        String relative = "../../" + serviceDir.getFileName() + "/" + relativeTarget.getFileName();
        String absolute = absoluteTarget.toString();
        assertThat(workDir.resolve(relative).normalize()).isEqualTo(relativeTarget);

        // When
        String relativeId = sendWithDeploymentId(relative);
        String absoluteId = sendWithDeploymentId(absolute);
        String after = pushes.push(forge, INFRA, "A push after two refused records");

        // Then: both are on the dead-letter topic, saying why
        for (String[] refused : List.of(new String[] {relativeId, relative}, new String[] {absoluteId, absolute})) {
            ConsumerRecord<String, byte[]> dead =
                    await().atMost(InfraPushes.RUN).until(() -> deadLetter(refused[0]), r -> r != null);
            assertThat(text(dead, DeadLetters.H_REASON)).isEqualTo("bad-header");
            assertThat(text(dead, DeadLetters.H_MESSAGE))
                    .contains(EventCodec.H_DEPLOYMENTID)
                    .contains(refused[1].substring(0, 40)); // the value is shown cut after 64 characters
        }
        // and the stage went on with the next push, and left the folders outside its work folder alone
        EventEnvelope outcome = pushes.awaitOutcome(after);
        assertThat(outcome.type()).isIn(EventType.CLOUD_FACTS_COMPLETED.type(), EventType.CLOUD_FACTS_FAILED.type());
        assertThat(relativeTarget.resolve("keep.txt")).hasContent("kept");
        assertThat(absoluteTarget.resolve("keep.txt")).hasContent("kept");
    }

    private static Path keptFolder(Path parent) throws IOException {
        Path dir = Files.createDirectories(parent.resolve("kept-" + UUID.randomUUID()));
        Files.writeString(dir.resolve("keep.txt"), "kept", StandardCharsets.UTF_8);
        return dir;
    }

    /** Publishes a real push's {@code commit.pushed} as a producer that skips the codec's checks would; its id. */
    private String sendWithDeploymentId(String deploymentId) throws Exception {
        EventEnvelope trigger = pushes.trigger(forge.commitAndPush(INFRA, "Push for " + deploymentId), INFRA);
        ProducerRecord<String, byte[]> valid = codec.encode(trigger);
        valid.headers().remove(EventCodec.H_DEPLOYMENTID);
        valid.headers().add(EventCodec.H_DEPLOYMENTID, deploymentId.getBytes(StandardCharsets.UTF_8));
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(KafkaSettings.producer(
                LabKafka.shared().bootstrapServers(),
                "dead-letter-test",
                LabKafka.adminSecurity(LabKafka.shared().bootstrapServers())))) {
            producer.send(valid).get();
        }
        return trigger.id();
    }

    private static ConsumerRecord<String, byte[]> deadLetter(String eventId) {
        return topics.poll().stream()
                .filter(r -> r.topic().equals(Topics.deadLetter(Topics.COMMITS)))
                .filter(r -> eventId.equals(text(r, EventCodec.H_ID)))
                .findFirst()
                .orElse(null);
    }

    private static String text(ConsumerRecord<String, byte[]> record, String header) {
        Header h = record.headers().lastHeader(header);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}
