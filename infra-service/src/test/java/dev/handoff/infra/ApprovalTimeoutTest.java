package dev.handoff.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.handoff.common.event.EventEnvelope;
import dev.handoff.common.event.EventType;
import dev.handoff.common.event.Topics;
import dev.handoff.common.event.v1.CommitPushed;
import dev.handoff.common.messaging.EventPublisher;
import dev.handoff.common.serde.EventCodec;
import dev.handoff.lab.InfraWorldTestResource;
import dev.handoff.lab.KafkaTestResource;
import dev.handoff.lab.forge.ForgePush;
import dev.handoff.lab.forge.LabForge;
import dev.handoff.lab.forge.LabRepository;
import dev.handoff.lab.world.InfraWorld;
import dev.handoff.lab.world.tofu.TofuFaults.Fault;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** An unanswered approval request times out after {@code handoff.infra.approval.timeout} (3 s here). */
@QuarkusTest
@TestProfile(ApprovalTimeoutTest.ShortApprovalTimeout.class)
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(InfraWorldTestResource.class)
class ApprovalTimeoutTest {
    private static final String HOST = "cloud-edge-1";
    private static final LabRepository INFRA =
            LabRepository.byFullName("ops/edge-cluster-infra").orElseThrow();
    private static final Duration RUN = Duration.ofSeconds(60);

    /** The approval timeout is short so the test sees it expire. */
    public static class ShortApprovalTimeout implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("handoff.infra.approval.timeout", "3S");
        }
    }

    private static LabForge forge;
    private static TopicRecords topics;

    private final EventPublisher publisher;
    private final EventCodec codec;
    private final InfraWorld world = InfraWorld.shared();

    ApprovalTimeoutTest(EventPublisher publisher, EventCodec codec) {
        this.publisher = publisher;
        this.codec = codec;
    }

    @BeforeAll
    static void forge() throws Exception {
        Path root = Files.createTempDirectory("infra-timeout-forge");
        forge = new LabForge(root.resolve("forge"), root.resolve("work"));
        forge.ensure(INFRA);
        topics = new TopicRecords(Topics.all());
    }

    @AfterAll
    static void close() {
        topics.close();
    }

    @AfterEach
    void resetWorld() {
        world.reset();
    }

    @Test
    void anUnansweredDestructivePlanTimesOutFailsTheStageAndAppliesNothing() throws Exception {
        // Given: applied once, then a plan that replaces the instance and deletes the volume
        world.faults().clearAll();
        awaitEvent(push("baseline"), EventType.CLOUD_FACTS_COMPLETED);
        world.faults().set(Fault.DESTRUCTIVE_PLAN, "compute");
        Path state = stateDir().resolve("states/ops_edge-cluster-infra/stacks_compute/terraform.tfstate");
        byte[] stateBefore = Files.readAllBytes(state);
        List<Path> archivesBefore = archives();

        // When: nobody answers the request
        String deployment = push("Replace the instance; nobody answers");
        EventEnvelope request = awaitEvent(deployment, EventType.APPROVAL_REQUESTED);

        // Then
        EventEnvelope failed = awaitEvent(deployment, EventType.CLOUD_FACTS_FAILED);
        assertThat(failed.data().path("reason").asText()).isEqualTo("approval-timeout");
        assertThat(failed.data().path("retryable").asBoolean()).isTrue();
        assertThat(failed.data().path("message").asText())
                .contains("no operator approved or rejected the destructive plan of ops/edge-cluster-infra")
                .contains("within 3 s")
                .contains("nothing was applied");
        assertThat(failed.data().path("details").get(0).path("message").asText())
                .contains(request.data().path("expiresAt").asText());
        assertThat(Duration.between(
                        java.time.Instant.parse(
                                request.data().path("requestedAt").asText()),
                        java.time.Instant.parse(request.data().path("expiresAt").asText())))
                .isEqualTo(Duration.ofSeconds(3));
        assertThat(topics.event(deployment, EventType.CLOUD_FACTS_COMPLETED.type()))
                .isEmpty();
        assertThat(Files.readAllBytes(state)).as("nothing applied").isEqualTo(stateBefore);
        assertThat(archives()).as("no archive: no apply began").isEqualTo(archivesBefore);
    }

    private String push(String message) throws Exception {
        ForgePush pushed = forge.commitAndPush(INFRA, message);
        String deployment = UUID.randomUUID().toString();
        CommitPushed payload = new CommitPushed(
                HOST,
                INFRA.fullName(),
                pushed.ref(),
                pushed.branch(),
                pushed.before(),
                pushed.after(),
                "infra",
                pushed.cloneUrl(),
                null,
                "alice",
                UUID.randomUUID().toString(),
                1,
                null);
        publisher.publishAll(
                List.of(codec.newEvent(
                        EventType.COMMIT_PUSHED, "/handoff/control-service", HOST, deployment, null, payload)),
                Duration.ofSeconds(10));
        return deployment;
    }

    private EventEnvelope awaitEvent(String deployment, EventType type) {
        return await().atMost(RUN)
                .until(() -> topics.event(deployment, type.type()).orElse(null), e -> e != null);
    }

    private List<Path> archives() throws Exception {
        Path dir = world.archiveDestination();
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.toString().endsWith(".tfstate.gz"))
                    .sorted()
                    .toList();
        }
    }

    private static Path stateDir() {
        return Path.of(ConfigProvider.getConfig().getValue("handoff.infra.state-dir", String.class));
    }
}
