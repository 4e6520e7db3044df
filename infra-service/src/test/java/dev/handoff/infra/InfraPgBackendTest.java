package dev.handoff.infra;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.handoff.common.event.EventEnvelope;
import dev.handoff.common.event.EventType;
import dev.handoff.common.event.Stage;
import dev.handoff.common.event.Topics;
import dev.handoff.common.inventory.Inventory;
import dev.handoff.common.messaging.EventPublisher;
import dev.handoff.common.serde.EventCodec;
import dev.handoff.common.serde.Json;
import dev.handoff.infra.config.InfraConfig;
import dev.handoff.infra.driver.CloudReader;
import dev.handoff.infra.driver.FactsStore;
import dev.handoff.infra.driver.LastCheckouts;
import dev.handoff.infra.driver.TofuEnvironment;
import dev.handoff.infra.run.InfraRun;
import dev.handoff.infra.run.StackRunner;
import dev.handoff.lab.InfraWorldTestResource;
import dev.handoff.lab.KafkaTestResource;
import dev.handoff.lab.forge.ForgePush;
import dev.handoff.lab.forge.LabForge;
import dev.handoff.lab.forge.LabRepository;
import dev.handoff.lab.world.InfraWorld;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Stacks whose backend is OpenTofu's {@code pg} (the lab's {@code edge-cluster-infra-pg}, state in PostgreSQL):
 * nothing is kept on the service's disk, archives hold what {@code tofu state pull} returned, a restore goes through
 * {@code tofu state push}, and two replicas running the same stacks at once apply them one after the other through
 * tofu's state lock — the second one's plan, made stale by the first apply, is made again, never applied.
 */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(InfraWorldTestResource.class)
class InfraPgBackendTest {
    private static final LabRepository PG = new LabRepository("ops", "edge-cluster-infra-pg", Stage.INFRA);

    private static LabForge forge;
    private static TopicRecords topics;

    private final InfraWorld world = InfraWorld.shared();
    private final InfraPushes pushes;
    private final InfraRun replicaA;
    private final java.util.function.Supplier<InfraRun> replicaB;
    private final InfraConfig config;

    InfraPgBackendTest(
            EventPublisher publisher,
            EventCodec codec,
            InfraConfig config,
            Inventory inventory,
            InfraRun run,
            StackRunner stacks,
            LastCheckouts checkouts,
            CloudReader cloud,
            FactsStore facts) {
        this.pushes = new InfraPushes(codec, topics);
        this.config = config;
        this.replicaA = run;
        // a second replica: its own run (and its own serialization), the same configuration, stacks and backend; made
        // when a test needs it (a test class's constructor may only keep what it is given)
        this.replicaB = () -> new InfraRun(config, inventory, codec, publisher, stacks, checkouts, cloud, facts);
    }

    @BeforeAll
    static void forge() throws IOException {
        forge = InfraPushes.forge("infra-pg-forge", PG);
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
    void theStateLivesInPostgresIsArchivedAsPulledAndIsRestoredThroughTofu() throws Exception {
        // Given: one apply, then a change
        completes(pushes.push(forge, PG, "First push of the pg-backed stacks"));
        JsonNode before = pgState("handoff_compute");
        growVolume();

        // When
        completes(pushes.push(forge, PG, "Grow the data volume"));

        // Then: the state moved on in PostgreSQL; nothing on the service's disk; the archive holds the state before
        JsonNode after = pgState("handoff_compute");
        assertThat(after.path("serial").asLong())
                .isGreaterThan(before.path("serial").asLong());
        assertThat(after.path("lineage").asText())
                .isEqualTo(before.path("lineage").asText());
        // the live state is mirrored where backup-service's infra-state contract reads live states
        Path mirror = InfraPushes.keptState(PG.fullName(), "stacks/compute");
        assertThat(Json.mapper().readTree(mirror.toFile())).isEqualTo(after);
        assertThat(mirror.resolveSibling("terraform.tfstate.mirror-of")).hasContent("pg");
        List<String> archives = archives("ops_edge-cluster-infra-pg__stacks_compute__");
        String archive = archives.stream()
                .filter(a -> archived(a).path("serial").equals(before.path("serial")))
                .reduce((first, second) -> second)
                .orElseThrow(
                        () -> new AssertionError("no archive of serial " + before.path("serial") + ": " + archives));
        assertThat(archived(archive).path("resources")).isEqualTo(before.path("resources"));
        assertThat(archives)
                .as("the state after the apply is archived too")
                .anySatisfy(a -> assertThat(archived(a).path("serial")).isEqualTo(after.path("serial")));

        // When the archive is restored
        given().auth()
                .oauth2("operator-token")
                .contentType("application/json")
                .body("{\"archive\":\"" + archive + "\"}")
                .post("/api/state/restore")
                .then()
                .statusCode(200)
                .body("repository", org.hamcrest.Matchers.equalTo(PG.fullName()))
                .body("stack", org.hamcrest.Matchers.equalTo("stacks/compute"))
                .body("previous", org.hamcrest.Matchers.startsWith("ops_edge-cluster-infra-pg__stacks_compute__"));

        // Then PostgreSQL holds the archived state again, and the state it replaced is archived
        JsonNode restored = pgState("handoff_compute");
        assertThat(restored.path("resources")).isEqualTo(before.path("resources"));
        assertThat(restored.path("lineage").asText())
                .isEqualTo(before.path("lineage").asText());
    }

    @Test
    void twoReplicasRunningTheSameStacksAtOnceApplyThemOnceThroughTofusStateLock() throws Exception {
        // Given: applied stacks, then one change pushed; two hosts' triggers for it reach two replicas at once
        completes(pushes.push(forge, PG, "baseline"));
        long serialBefore = pgState("handoff_compute").path("serial").asLong();
        long networkBefore = pgState("handoff_network").path("serial").asLong();
        growVolume();
        ForgePush pushed = forge.commitAndPush(PG, "Grow the data volume, seen by two replicas");
        EventEnvelope first = pushes.trigger(pushed, PG);
        EventEnvelope second = pushes.trigger(pushed, PG);

        // When
        CountDownLatch start = new CountDownLatch(1);
        CompletableFuture<Void> a = CompletableFuture.runAsync(() -> runAfter(start, replicaA, first));
        InfraRun other = replicaB.get();
        CompletableFuture<Void> b = CompletableFuture.runAsync(() -> runAfter(start, other, second));
        start.countDown();
        CompletableFuture.allOf(a, b).get(3, TimeUnit.MINUTES);

        // Then: both runs completed, the change was applied exactly once, the state is whole
        for (EventEnvelope trigger : List.of(first, second)) {
            EventEnvelope outcome = pushes.awaitOutcome(trigger.deploymentId());
            assertThat(outcome.type()).as("%s", outcome.data()).isEqualTo(EventType.CLOUD_FACTS_COMPLETED.type());
        }
        JsonNode compute = pgState("handoff_compute");
        assertThat(compute.path("serial").asLong()).isEqualTo(serialBefore + 1);
        assertThat(compute.path("resources").size()).isGreaterThan(0);
        assertThat(pgState("handoff_network").path("serial").asLong()).isEqualTo(networkBefore);
    }

    @Test
    void stacksMovedFromTheLocalBackendToPgTakeTheirStateAlongAndPlanNothingAnew() throws Exception {
        // Given: the stacks applied on the local backend, their states kept on the service's disk
        Path work = forge.workingCopy(PG);
        try {
            for (String stack : List.of("network", "compute")) {
                Files.writeString(
                        work.resolve("stacks/" + stack + "/backend.tf"),
                        "terraform {\n  backend \"local\" {\n    path = \"terraform.tfstate\"\n  }\n}\n",
                        StandardCharsets.UTF_8);
            }
            completes(pushes.push(forge, PG, "Stacks on the local backend"));
            Path kept = InfraPushes.keptState(PG.fullName(), "stacks/compute");
            JsonNode local = Json.mapper().readTree(kept.toFile());
            assertThat(local.path("resources").size()).isGreaterThan(0);

            // When: both stacks move to the pg backend (schemas no other test uses)
            for (String stack : List.of("network", "compute")) {
                Files.writeString(
                        work.resolve("stacks/" + stack + "/backend.tf"),
                        "terraform {\n  backend \"pg\" {\n    schema_name = \"moved_" + stack + "\"\n  }\n}\n",
                        StandardCharsets.UTF_8);
            }
            String deployment = pushes.push(forge, PG, "State to PostgreSQL");

            // Then: nothing planned anew, the state's resources are in PostgreSQL, the local copy set aside
            EventEnvelope completed = pushes.awaitOutcome(deployment);
            assertThat(completed.type()).as("%s", completed.data()).isEqualTo(EventType.CLOUD_FACTS_COMPLETED.type());
            assertThat(completed.data().path("plan").path("add").asInt()).isZero();
            // (pushed into an empty remote backend, the state gets a new lineage, as OpenTofu's remote state does)
            assertThat(pgState("moved_compute").path("resources")).isEqualTo(local.path("resources"));
            assertThat(kept.resolveSibling("terraform.tfstate.moved-to-pg")).exists();
            assertThat(kept.resolveSibling("terraform.tfstate.mirror-of")).hasContent("pg");
            assertThat(Json.mapper().readTree(kept.toFile())).isEqualTo(pgState("moved_compute"));
        } finally {
            for (String stack : List.of("network", "compute")) {
                Path template = Files.createTempDirectory("pg-template");
                dev.handoff.lab.forge.RepositoryTemplates.copy(PG.template(), template);
                Files.copy(
                        template.resolve("stacks/" + stack + "/backend.tf"),
                        work.resolve("stacks/" + stack + "/backend.tf"),
                        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    private static void runAfter(CountDownLatch start, InfraRun replica, EventEnvelope trigger) {
        try {
            start.await();
            replica.run(trigger);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private void completes(String deployment) {
        EventEnvelope outcome = pushes.awaitOutcome(deployment);
        assertThat(outcome.type()).as("%s", outcome.data()).isEqualTo(EventType.CLOUD_FACTS_COMPLETED.type());
    }

    /** A real change to the compute stack: the data volume grows by 10 GB. */
    private void growVolume() throws IOException {
        Path main = forge.workingCopy(PG).resolve("stacks/compute/main.tf");
        String tf = Files.readString(main, StandardCharsets.UTF_8);
        Matcher size = Pattern.compile("(?m)^(\\s*size_in_gbs\\s*=\\s*)(\\d+)").matcher(tf);
        assertThat(size.find()).as("the data volume's size_in_gbs in " + main).isTrue();
        Files.writeString(
                main, size.replaceFirst("$1" + (Integer.parseInt(size.group(2)) + 10)), StandardCharsets.UTF_8);
    }

    /** The archives of a stack in the off-machine destination, oldest first. */
    private List<String> archives(String prefix) throws IOException {
        try (var files = Files.list(world.archiveDestination())) {
            return files.map(p -> p.getFileName().toString())
                    .filter(n -> n.startsWith(prefix) && n.endsWith(".tfstate.gz"))
                    .sorted()
                    .toList();
        }
    }

    private JsonNode archived(String archive) {
        try (var in = new java.util.zip.GZIPInputStream(
                Files.newInputStream(world.archiveDestination().resolve(archive)))) {
            return Json.mapper().readTree(in);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The state OpenTofu's pg backend keeps for the default workspace in {@code <schema>.states}. */
    private JsonNode pgState(String schema) throws Exception {
        String connStr = TofuEnvironment.readFile(
                        config.infra().tofu().envFile().orElseThrow())
                .get("PG_CONN_STR");
        URI uri = URI.create(connStr);
        String[] userInfo = uri.getUserInfo().split(":", 2);
        String jdbc = "jdbc:postgresql://" + uri.getHost() + ":" + uri.getPort() + uri.getPath();
        java.util.Properties props = new java.util.Properties();
        props.setProperty("user", userInfo[0]);
        props.setProperty("password", userInfo.length > 1 ? userInfo[1] : "");
        try (Connection c = new org.postgresql.Driver().connect(jdbc, props);
                PreparedStatement s = c.prepareStatement("select data from " + schema + ".states where name = ?")) {
            s.setString(1, "default");
            try (ResultSet r = s.executeQuery()) {
                assertThat(r.next()).as("a default state in %s.states", schema).isTrue();
                return Json.mapper().readTree(r.getString(1));
            }
        }
    }
}
