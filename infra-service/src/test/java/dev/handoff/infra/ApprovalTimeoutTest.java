package dev.handoff.infra;

import static org.assertj.core.api.Assertions.assertThat;

import dev.handoff.common.event.EventEnvelope;
import dev.handoff.common.event.EventType;
import dev.handoff.common.event.Topics;
import dev.handoff.common.serde.EventCodec;
import dev.handoff.lab.InfraWorldTestResource;
import dev.handoff.lab.KafkaTestResource;
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
import java.util.stream.Stream;
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
    private static final LabRepository INFRA =
            LabRepository.byFullName("ops/edge-cluster-infra").orElseThrow();

    /** The approval timeout is short so the test sees it expire. */
    public static class ShortApprovalTimeout implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("handoff.infra.approval.timeout", "3S");
        }
    }

    private static LabForge forge;
    private static TopicRecords topics;

    private final InfraPushes pushes;
    private final InfraWorld world = InfraWorld.shared();

    ApprovalTimeoutTest(EventCodec codec) {
        this.pushes = new InfraPushes(codec, topics);
    }

    @BeforeAll
    static void forge() throws Exception {
        forge = InfraPushes.forge("infra-timeout-forge", INFRA);
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
        Path state = InfraPushes.keptState(INFRA.fullName(), "stacks/compute");
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
        return pushes.push(forge, INFRA, message);
    }

    private EventEnvelope awaitEvent(String deployment, EventType type) {
        return pushes.awaitEvent(deployment, type);
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
}
