package dev.handoff.infra;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;

import com.fasterxml.jackson.databind.JsonNode;
import dev.handoff.common.event.EventEnvelope;
import dev.handoff.common.event.EventType;
import dev.handoff.common.event.Topics;
import dev.handoff.common.event.v1.ApprovalDecided;
import dev.handoff.common.messaging.EventPublisher;
import dev.handoff.common.serde.EventCodec;
import dev.handoff.infra.messaging.StageConsumers;
import dev.handoff.infra.run.ApprovalGate;
import dev.handoff.infra.run.DriftWatch;
import dev.handoff.lab.InfraWorldTestResource;
import dev.handoff.lab.KafkaTestResource;
import dev.handoff.lab.LabKafka;
import dev.handoff.lab.forge.LabForge;
import dev.handoff.lab.forge.LabRepository;
import dev.handoff.lab.world.InfraWorld;
import dev.handoff.lab.world.oci.LabCloud;
import dev.handoff.lab.world.tofu.TofuFaults.Fault;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * infra-service end to end against the embedded broker, the lab forge, the stand-in tofu and the simulated OCI API
 * (read with the real oci-java-sdk): a push becomes cloud facts, destructive plans wait for approval, failures carry
 * their cause, drift is reported, archives are checked, and no sensitive output value leaves tofu's state.
 */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(InfraWorldTestResource.class)
class InfraStageTest {
    @io.quarkus.test.common.http.TestHTTPResource("/q/metrics")
    java.net.URI metricsUri;

    private static final String HOST = "cloud-edge-1";
    private static final LabRepository INFRA =
            LabRepository.byFullName("ops/edge-cluster-infra").orElseThrow();
    private static final Duration RUN = InfraPushes.RUN;

    private static LabForge forge;
    private static TopicRecords topics;

    private final EventPublisher publisher;
    private final EventCodec codec;
    private final DriftWatch driftWatch;
    private final InfraWorld world = InfraWorld.shared();

    private final StageConsumers consumers;
    private final ApprovalGate approvals;
    private final InfraPushes pushes;

    InfraStageTest(
            EventPublisher publisher,
            EventCodec codec,
            DriftWatch driftWatch,
            StageConsumers consumers,
            ApprovalGate approvals) {
        this.publisher = LabKafka.shared().worldPublisher();
        this.codec = codec;
        this.driftWatch = driftWatch;
        this.consumers = consumers;
        this.approvals = approvals;
        this.pushes = new InfraPushes(codec, topics);
    }

    @BeforeAll
    static void forge() throws IOException {
        forge = InfraPushes.forge("infra-stage-forge", INFRA);
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
    void aPushBecomesCloudFactsWithTheLabsIpsAndVolumeDeviceAndLeavesACheckedArchiveOffMachine() throws Exception {
        double runsBefore = metric("handoff_stage_runs_total", "stage=\"infra\"", "result=\"completed\"");
        double timedBefore = metric("handoff_stage_duration_seconds_count", "stage=\"infra\"", "result=\"completed\"");
        // Given: a stack that has a state (a first apply has nothing to archive)
        baseline();
        List<Path> archivesBefore = archives();
        touchCompute();

        // When
        String deployment = push("Grow the data volume");

        // Then
        EventEnvelope completed = awaitEvent(deployment, EventType.CLOUD_FACTS_COMPLETED);
        JsonNode facts = completed.data();
        assertThat(completed.subject()).isEqualTo(HOST);
        assertThat(facts.path("instanceId").asText()).isEqualTo("ocid1.instance.oc1.eu-frankfurt-1.lab");
        assertThat(facts.path("privateIp").asText()).isEqualTo("10.20.1.23");
        assertThat(facts.path("publicIp").asText()).isEqualTo("203.0.113.45");
        assertThat(facts.path("subnetId").asText()).isEqualTo("ocid1.subnet.oc1.eu-frankfurt-1.labpublic");
        assertThat(facts.path("volumes").get(0).path("device").asText()).isEqualTo("/dev/oracleoci/oraclevdb");
        assertThat(facts.path("volumes").get(0).path("volumeId").asText())
                .isEqualTo("ocid1.volume.oc1.eu-frankfurt-1.labdata");
        assertThat(facts.path("plan").path("destructive").asBoolean()).isFalse();
        assertThat(topics.event(deployment, EventType.CLOUD_FACTS_STARTED.type()))
                .isPresent();
        List<Path> archives =
                archives().stream().filter(a -> !archivesBefore.contains(a)).toList();
        assertThat(archives).as("new archives off machine").isNotEmpty();
        for (Path archive : archives) {
            Path checksum = archive.resolveSibling(archive.getFileName() + ".sha256");
            assertThat(checksum).exists();
            assertThat(Files.readString(checksum, StandardCharsets.UTF_8))
                    .startsWith(dev.handoff.infra.driver.StateArchive.sha256(archive));
        }

        // And the metrics page counts and times the run under its stage and result
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(metric("handoff_stage_runs_total", "stage=\"infra\"", "result=\"completed\""))
                    .isGreaterThan(runsBefore);
            assertThat(metric("handoff_stage_duration_seconds_count", "stage=\"infra\"", "result=\"completed\""))
                    .isGreaterThan(timedBefore);
            assertThat(metric(
                            "handoff_stage_duration_seconds_bucket",
                            "stage=\"infra\"",
                            "result=\"completed\"",
                            "le=\"3600.0\""))
                    .isGreaterThan(timedBefore);
            assertThat(metricsPage()).containsPattern("handoff_consumer_lag_records\\{[^}]*topic=\"handoff.commits\"");
            assertThat(metricsPage()).contains("handoff_approvals_pending ");
        });
    }

    @Test
    void aPushDeliveredAgainAfterItsRunEndedPublishesTheSameFactsAndAppliesNothing() throws Exception {
        // Given: a push that was planned, archived and applied
        baseline();
        touchCompute();
        String deployment = push("Applied once");
        EventEnvelope completed = awaitEvent(deployment, EventType.CLOUD_FACTS_COMPLETED);
        List<Path> archivesAfter = archives();
        EventEnvelope trigger =
                topics.event(deployment, EventType.COMMIT_PUSHED.type()).orElseThrow();

        // When: the same trigger arrives again, as after a crash between the run and its offset commit
        publisher.publishAll(List.of(trigger), Duration.ofSeconds(10));

        // Then: the same cloud facts again (same id, same facts), no second run: no second started, no new archive
        // (an apply archives the state first)
        await().atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(300))
                .until(() -> events(deployment, EventType.CLOUD_FACTS_COMPLETED).size() == 2);
        List<EventEnvelope> completions = events(deployment, EventType.CLOUD_FACTS_COMPLETED);
        assertThat(completions).extracting(EventEnvelope::id).containsOnly(completed.id());
        assertThat(completions.get(1).data()).isEqualTo(completed.data());
        assertThat(events(deployment, EventType.CLOUD_FACTS_STARTED)).hasSize(1);
        assertThat(archives()).containsExactlyInAnyOrderElementsOf(archivesAfter);
    }

    @Test
    void aDestructivePlanWaitsForApprovalAndIsAppliedAfterIt() throws Exception {
        // Given
        baseline();
        world.faults().set(Fault.DESTRUCTIVE_PLAN, "compute");

        // When
        String deployment = push("Change the shape");
        EventEnvelope request = awaitEvent(deployment, EventType.APPROVAL_REQUESTED);
        decide(request, "approve");

        // Then
        assertThat(request.data().path("plan").path("destroy").asInt()).isEqualTo(2);
        assertThat(request.data().path("changes").toString())
                .contains("oci_core_instance.cloud_edge_1")
                .contains("oci_core_volume.data");
        EventEnvelope completed = awaitEvent(deployment, EventType.CLOUD_FACTS_COMPLETED);
        assertThat(completed.data().path("plan").path("destructive").asBoolean())
                .isTrue();
    }

    @Test
    void aRejectedDestructivePlanFailsTheStageAndAppliesNothing() throws Exception {
        // Given
        baseline();
        world.faults().set(Fault.DESTRUCTIVE_PLAN, "compute");

        // When
        String deployment = push("Change the shape again");
        EventEnvelope request = awaitEvent(deployment, EventType.APPROVAL_REQUESTED);
        // an approval that does not come from control-service is no operator's decision: it is ignored
        decide(request, "approve", "/handoff/secrets-service");
        decide(request, "reject");

        // Then
        EventEnvelope failed = awaitEvent(deployment, EventType.CLOUD_FACTS_FAILED);
        assertThat(failed.data().path("reason").asText()).isEqualTo("approval-rejected");
        assertThat(failed.data().path("message").asText())
                .contains("test-operator")
                .contains("not now");
    }

    @Test
    void aRunWaitingForApprovalWhenTheServiceStopsRunsAgainAfterTheRestartAndAsksAgain() throws Exception {
        // Given: a destructive plan waits for approval
        baseline();
        world.faults().set(Fault.DESTRUCTIVE_PLAN, "compute");
        String deployment = push("Replace the instance, then restart");
        EventEnvelope first = awaitEvent(deployment, EventType.APPROVAL_REQUESTED);
        await().atMost(RUN).until(() -> approvals.isWaiting(deployment));
        byte[] stateBefore = Files.readAllBytes(computeState());
        List<Path> archivesBefore = archives();

        // When: the service stops while it waits, the operator approves that request while it is down, it starts
        consumers.stopLoops();
        assertThat(approvals.isWaiting(deployment))
                .as("the wait ended with the stop")
                .isFalse();
        decide(first, "approve");
        consumers.startLoops();

        // Then: the trigger was not lost: the stage runs again for it and asks again
        List<EventEnvelope> requests =
                await().atMost(RUN).until(() -> events(deployment, EventType.APPROVAL_REQUESTED), r -> r.size() == 2);
        assertThat(requests.get(1).id()).isNotEqualTo(first.id());
        assertThat(events(deployment, EventType.CLOUD_FACTS_STARTED)).hasSize(2);
        // the decision on the earlier request is read after the restart and not taken for the new one
        await().atMost(RUN)
                .until(() -> Files.readString(Path.of("target/quarkus.log"))
                        .contains("answers request " + first.id() + ", which no run waits for now; ignored"));
        // nothing is applied while the new request waits
        await().during(Duration.ofSeconds(3))
                .atMost(Duration.ofSeconds(10))
                .until(() -> approvals.isWaiting(deployment)
                        && topics.event(deployment, EventType.CLOUD_FACTS_COMPLETED.type())
                                .isEmpty()
                        && topics.event(deployment, EventType.CLOUD_FACTS_FAILED.type())
                                .isEmpty());
        assertThat(Files.readAllBytes(computeState())).as("nothing applied").isEqualTo(stateBefore);
        assertThat(archives()).as("no archive: no apply began").containsExactlyInAnyOrderElementsOf(archivesBefore);

        // and answering the new request completes the run, once
        decide(requests.get(1), "approve");
        EventEnvelope completed = awaitEvent(deployment, EventType.CLOUD_FACTS_COMPLETED);
        assertThat(completed.data().path("plan").path("destructive").asBoolean())
                .isTrue();
        assertThat(events(deployment, EventType.CLOUD_FACTS_STARTED)).hasSize(2);
    }

    @Test
    void aPushNamingACloneUrlTheInventoryDoesNotListIsRefusedAndNothingIsCloned() throws Exception {
        // Given a commit.pushed (from control-service's identity) whose clone URL is not handoff.yaml's
        EventEnvelope forged = pushes.trigger(
                forge.commitAndPush(INFRA, "forged clone url"), INFRA, "file:///var/lib/attacker/infra.git");

        // When infra-service reads it
        publisher.publishAll(List.of(forged), Duration.ofSeconds(10));

        // Then it is refused, naming the inventory's URL, and no run started (nothing was cloned or planned)
        EventEnvelope failed = awaitEvent(forged.deploymentId(), EventType.CLOUD_FACTS_FAILED);
        assertThat(failed.data().path("reason").asText()).isEqualTo("clone-url-not-listed");
        assertThat(failed.data().path("message").asText())
                .contains(forge.cloneUrl(INFRA), "nothing was cloned")
                .doesNotContain("attacker");
        assertThat(topics.event(forged.deploymentId(), EventType.CLOUD_FACTS_STARTED.type()))
                .isEmpty();
    }

    @Test
    void aFailingApplyFailsTheStageWithTheTailOfTofusOutput() throws Exception {
        // Given
        baseline();
        world.faults().set(Fault.FAIL_APPLY, "compute");
        touchCompute();

        // When
        String deployment = push("Resize the instance");

        // Then
        EventEnvelope failed = awaitEvent(deployment, EventType.CLOUD_FACTS_FAILED);
        assertThat(failed.data().path("reason").asText()).isEqualTo("apply-error");
        assertThat(failed.data().path("message").asText()).contains("Out of host capacity");
        assertThat(failed.data().path("details").get(0).path("message").asText())
                .contains("500-InternalError");
    }

    @Test
    void aChangedInstanceIpIsReportedAsDriftByTheScheduledReadBack() throws Exception {
        // Given
        baseline();
        world.cloud().set(LabCloud.PUBLIC_IP, "203.0.113.99");

        // When: a read-back round (the run keeps its facts just after publishing them: a round before that reads none)
        int published = await().atMost(RUN).until(driftWatch::checkNow, n -> n > 0);

        // Then
        assertThat(published).isEqualTo(1);
        EventEnvelope drift = await().atMost(RUN)
                .until(
                        () -> lastDrift().orElse(null),
                        e -> e != null && e.data().toString().contains("203.0.113.99"));
        assertThat(drift.data().path("reason").asText()).isEqualTo("drift");
        assertThat(drift.data().path("details").get(0).path("subject").asText()).isEqualTo("publicIp");
        assertThat(driftWatch.checkNow()).as("the same drift is published once").isZero();
    }

    @Test
    void aPushOverAChangedIpFailsAsDriftNamingTheField() throws Exception {
        // Given
        baseline();
        world.cloud().set(LabCloud.PRIVATE_IP, "10.20.1.99");

        // When: nothing to apply, so tofu's outputs still say the old address
        String deployment = push("Nothing changed here");

        // Then
        EventEnvelope failed = awaitEvent(deployment, EventType.CLOUD_FACTS_FAILED);
        assertThat(failed.data().path("reason").asText()).isEqualTo("drift");
        assertThat(failed.data().path("details").get(0).path("subject").asText())
                .isEqualTo("private_ip");
    }

    @Test
    void theRestorePathRefusesAnArchiveWhoseChecksumDoesNotMatchAndRestoresAGoodOne() throws Exception {
        // Given: two applies over an existing state, so compute has two archives
        baseline();
        touchCompute();
        awaitEvent(push("An apply, so compute has an archive"), EventType.CLOUD_FACTS_COMPLETED);
        touchCompute();
        awaitEvent(push("Another apply, so compute has a second archive"), EventType.CLOUD_FACTS_COMPLETED);
        List<String> names = given().auth()
                .oauth2("operator-token")
                .get("/api/state/archives")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath()
                .getList("archives", String.class);
        String good = names.stream()
                .filter(n -> n.contains("stacks_compute"))
                .findFirst()
                .orElseThrow();
        String damaged = names.stream()
                .filter(n -> n.contains("stacks_compute") && !n.equals(good))
                .findFirst()
                .orElseThrow();
        for (Path dir :
                List.of(world.archiveDestination(), InfraPushes.stateDir().resolve("archives"))) {
            Path archive = dir.resolve(damaged);
            if (Files.exists(archive)) {
                Files.write(
                        archive, "tampered".getBytes(StandardCharsets.UTF_8), java.nio.file.StandardOpenOption.APPEND);
            }
        }

        // When / Then
        given().auth()
                .oauth2("operator-token")
                .contentType("application/json")
                .body("{\"archive\":\"" + damaged + "\"}")
                .post("/api/state/restore")
                .then()
                .statusCode(409)
                .body("error", containsString("sha256"))
                .body("error", containsString("not restored"));
        given().contentType("application/json")
                .body("{\"archive\":\"" + good + "\"}")
                .post("/api/state/restore")
                .then()
                .statusCode(401);
        given().auth()
                .oauth2("operator-token")
                .contentType("application/json")
                .body("{\"archive\":\"" + good + "\"}")
                .post("/api/state/restore")
                .then()
                .statusCode(200)
                .body("repository", org.hamcrest.Matchers.equalTo("ops/edge-cluster-infra"))
                .body("stack", org.hamcrest.Matchers.equalTo("stacks/compute"))
                .body("previous", containsString("stacks_compute"));
    }

    @Test
    void noSensitiveOutputValueReachesAnyTopicTheFactsOrTheLog() throws Exception {
        // Given
        String secret = world.cloud().get(LabCloud.K3S_TOKEN).orElseThrow();
        touchCompute();

        // When
        awaitEvent(push("Rotate nothing"), EventType.CLOUD_FACTS_COMPLETED);

        // Then: tofu's state holds it (as tofu's state does), nothing else
        assertThat(Files.readString(InfraPushes.stateDir()
                        .resolve("states/ops_edge-cluster-infra/stacks_compute/terraform.tfstate")))
                .contains(secret);
        for (ConsumerRecord<String, byte[]> r : topics.poll()) {
            assertThat(new String(r.value(), StandardCharsets.UTF_8)).doesNotContain(secret);
        }
        try (Stream<Path> files = Files.walk(InfraPushes.stateDir().resolve("facts"))) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                assertThat(Files.readString(f)).doesNotContain(secret);
            }
        }
        assertThat(Files.readString(Path.of("target/quarkus.log")))
                .contains("k3s_token = <sensitive>")
                .doesNotContain(secret);
    }

    private void baseline() throws Exception {
        world.faults().clearAll();
        awaitEvent(push("baseline"), EventType.CLOUD_FACTS_COMPLETED);
    }

    /** Commits and pushes the lab repository and publishes the commit.pushed control-service would. */
    private String push(String message) throws Exception {
        return pushes.push(forge, INFRA, message);
    }

    private void decide(EventEnvelope request, String decision) throws Exception {
        decide(request, decision, "/handoff/control-service");
    }

    private void decide(EventEnvelope request, String decision, String source) throws Exception {
        ApprovalDecided decided = new ApprovalDecided(
                HOST,
                "infra",
                decision,
                decision.equals("reject") ? "not now" : null,
                "test-operator",
                Instant.now(),
                request.id());
        publisher.publishAll(
                List.of(codec.newEvent(
                        EventType.APPROVAL_DECIDED, source, HOST, request.deploymentId(), request.id(), decided)),
                Duration.ofSeconds(10));
    }

    private EventEnvelope awaitEvent(String deployment, EventType type) {
        return pushes.awaitEvent(deployment, type);
    }

    private List<EventEnvelope> events(String deployment, EventType type) {
        return topics.events(deployment).stream()
                .filter(e -> e.type().equals(type.type()))
                .toList();
    }

    private static Path computeState() {
        return InfraPushes.keptState(INFRA.fullName(), "stacks/compute");
    }

    private java.util.Optional<EventEnvelope> lastDrift() {
        List<EventEnvelope> drifts = topics.poll().stream()
                .map(r -> {
                    try {
                        return codec.decode(r);
                    } catch (Exception e) {
                        return null;
                    }
                })
                .filter(e -> e != null
                        && e.type().equals(EventType.CLOUD_FACTS_FAILED.type())
                        && e.data().path("reason").asText().equals("drift")
                        && e.causationId() != null)
                .toList();
        return drifts.isEmpty() ? java.util.Optional.empty() : java.util.Optional.of(drifts.get(drifts.size() - 1));
    }

    /** A real change to the compute stack: the data volume grows by 10 GB (an in-place update of one resource). */
    private void touchCompute() throws IOException {
        Path main = forge.workingCopy(INFRA).resolve("stacks/compute/main.tf");
        String tf = Files.readString(main, StandardCharsets.UTF_8);
        java.util.regex.Matcher size = java.util.regex.Pattern.compile("(?m)^(\\s*size_in_gbs\\s*=\\s*)(\\d+)")
                .matcher(tf);
        assertThat(size.find()).as("the data volume's size_in_gbs in " + main).isTrue();
        int grown = Integer.parseInt(size.group(2)) + 10;
        Files.writeString(main, size.replaceFirst("$1" + grown), StandardCharsets.UTF_8);
    }

    private List<Path> archives() throws IOException {
        Path dir = world.archiveDestination();
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.toString().endsWith(".tfstate.gz")).toList();
        }
    }

    /** The sum of {@code name}'s samples on {@code /q/metrics} whose labels include all of {@code labels}; 0 if none. */
    private double metric(String name, String... labels) throws Exception {
        return dev.handoff.lab.MetricsPage.sum(metricsPage(), name, labels);
    }

    /** {@code /q/metrics} as Prometheus scrapes it. */
    private String metricsPage() throws Exception {
        return dev.handoff.lab.MetricsPage.read(metricsUri);
    }
}
