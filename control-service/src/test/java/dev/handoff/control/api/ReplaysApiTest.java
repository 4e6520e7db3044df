package dev.handoff.control.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import dev.handoff.common.event.Stage;
import dev.handoff.control.ChainEvents;
import dev.handoff.control.ChainEvents.Published;
import dev.handoff.control.Deliveries;
import dev.handoff.control.TopicOffsets;
import dev.handoff.lab.KafkaTestResource;
import dev.handoff.lab.LabKafka;
import dev.handoff.lab.PostgresTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.ValidatableResponse;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(PostgresTestResource.class)
class ReplaysApiTest {
    private final ChainEvents chain = new ChainEvents();

    @AfterEach
    void close() {
        chain.close();
    }

    @Test
    void replayingConvergeFromSecretFactsStartsANewDeploymentLinkedToTheOriginalBothWays() {
        // Given: a deployment that got through secrets and converge
        String original = push("ops/nix-k3s-edge-cluster");
        Published secretsStarted = chain.started(Stage.SECRETS, original, null);
        Published facts =
                chain.completed(Stage.SECRETS, original, secretsStarted.event().id());
        chain.completed(Stage.CONVERGE, original, facts.event().id());
        awaitEvents(original, 4);

        // When: an operator replays converge from the secrets stage's started..completed records
        String key = UUID.randomUUID().toString();
        JsonPath replay = replay(
                        Map.of(
                                "stage",
                                "converge",
                                "topic",
                                "handoff.secret-facts",
                                "partition",
                                facts.partition(),
                                "fromOffset",
                                secretsStarted.offset(),
                                "toOffset",
                                facts.offset(),
                                "host",
                                ChainEvents.HOST),
                        key)
                .statusCode(202)
                .extract()
                .jsonPath();

        // Then: only the facts were re-published (the started event triggers nothing), as a new deployment
        String replayId = replay.getString("id");
        assertThat(replay.getInt("recordCount")).isEqualTo(1);
        assertThat(replay.getString("requestedBy")).isEqualTo("test-operator");
        assertThat(replay.getInt("skipped.not-a-trigger")).isEqualTo(1);
        assertThat(replay.getString("records[0].originalEventId"))
                .isEqualTo(facts.event().id());
        assertThat(replay.getString("records[0].originalDeploymentId")).isEqualTo(original);
        String replayed = replay.getString("records[0].deploymentId");
        String copy = replay.getString("records[0].eventId");
        assertThat(replayed).isNotEqualTo(original);

        // and the copy is on the converge replay channel, marked replayof the original and caused by the replay
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            JsonPath events = events(replayed);
            assertThat(events.getList("items.id", String.class)).containsExactly(copy);
            assertThat(events.getString("items[0].topic")).isEqualTo("handoff.replay.converge");
            assertThat(events.getString("items[0].replayOf"))
                    .isEqualTo(facts.event().id());
            assertThat(events.getString("items[0].causationId")).isEqualTo(replayId);
            assertThat(events.getString("items[0].type")).isEqualTo("handoff.secret-facts.completed");
        });

        // When: converge runs again from the copy (as converge-service does), and the chain continues
        chain.started(Stage.CONVERGE, replayed, copy);
        Published converged = chain.completed(Stage.CONVERGE, replayed, copy);
        chain.completed(Stage.WORKLOAD, replayed, converged.event().id());
        awaitEvents(replayed, 4);

        // Then: the ledger links both ways and knows who replayed what
        JsonPath replayedView = deployment(replayed);
        assertThat(replayedView.getString("replayOf.deploymentId")).isEqualTo(original);
        assertThat(replayedView.getString("replayOf.replayId")).isEqualTo(replayId);
        assertThat(replayedView.getString("firstStage")).isEqualTo("converge");
        assertThat(replayedView.getList("stages.stage", String.class)).contains("converge", "workload");
        JsonPath originalView = deployment(original);
        assertThat(originalView.getList("replays.deploymentId", String.class)).containsExactly(replayed);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            JsonPath stored = given().auth()
                    .oauth2(Deliveries.VIEWER)
                    .get("/api/replays/" + replayId)
                    .then()
                    .statusCode(200)
                    .extract()
                    .jsonPath();
            assertThat(stored.getString("requestedBy")).isEqualTo("test-operator");
            assertThat(stored.getString("stage")).isEqualTo("converge");
            assertThat(stored.getLong("fromOffset")).isEqualTo(secretsStarted.offset());
            assertThat(stored.getLong("toOffset")).isEqualTo(facts.offset());
            assertThat(stored.getString("records[0].eventId")).isEqualTo(copy);
            assertThat(stored.getLong("records[0].originalOffset")).isEqualTo(facts.offset());
        });
        assertThat(given().auth()
                        .oauth2(Deliveries.VIEWER)
                        .get("/api/replays")
                        .then()
                        .statusCode(200)
                        .extract()
                        .jsonPath()
                        .getList("items.id", String.class))
                .contains(replayId);
    }

    @Test
    void aRetriedReplayWithTheSameIdempotencyKeyRepeatsTheSameIdsAndTheLedgerHoldsThemOnce() {
        // Given
        String original = push("ops/nix-k3s-edge-cluster");
        Published facts = chain.completed(Stage.SECRETS, original, null);
        Map<String, Object> request = Map.of(
                "stage", "converge",
                "topic", "handoff.secret-facts",
                "partition", facts.partition(),
                "fromOffset", facts.offset(),
                "toOffset", facts.offset());
        String key = UUID.randomUUID().toString();

        // When
        JsonPath first = replay(request, key).statusCode(202).extract().jsonPath();
        JsonPath again = replay(request, key).statusCode(202).extract().jsonPath();
        JsonPath other = replay(request, UUID.randomUUID().toString())
                .statusCode(202)
                .extract()
                .jsonPath();

        // Then
        assertThat(again.getString("id")).isEqualTo(first.getString("id"));
        assertThat(again.getString("records[0].eventId")).isEqualTo(first.getString("records[0].eventId"));
        assertThat(again.getString("records[0].deploymentId")).isEqualTo(first.getString("records[0].deploymentId"));
        assertThat(other.getString("records[0].deploymentId")).isNotEqualTo(first.getString("records[0].deploymentId"));
        String replayed = first.getString("records[0].deploymentId");
        awaitEvents(replayed, 1);
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(deployment(original).getList("replays.deploymentId", String.class))
                        .containsExactlyInAnyOrder(replayed, other.getString("records[0].deploymentId")));
        assertThat(events(replayed).getList("items")).hasSize(1);
    }

    @Test
    void eachBadReplayRequestGets400WithItsReasonAndPublishesNothing() {
        // Given: a partition of handoff.secret-facts with more records than the test maximum (5)
        String original = push("ops/nix-k3s-edge-cluster");
        Published first = chain.started(Stage.SECRETS, original, null);
        Published last = first;
        for (int i = 0; i < 6; i++) {
            last = chain.started(Stage.SECRETS, original, null);
        }
        int p = first.partition();
        long before = TopicOffsets.total(LabKafka.shared().bootstrapServers());

        // When / Then
        refused(Map.of("stage", "deploy", "topic", "handoff.commits", "partition", 0, "fromOffset", 0))
                .body("reason", equalTo("unknown-stage"))
                .body("fix", equalTo("use one of infra, secrets, converge, workload, backup"));
        refused(Map.of("stage", "converge", "topic", "handoff.convergence", "partition", 0, "fromOffset", 0))
                .body("reason", equalTo("not-an-input"))
                .body("error", equalTo("handoff.convergence is not an input of converge"))
                .body("fix", equalTo("converge reads handoff.secret-facts, handoff.commits; replay from one of those"));
        refused(Map.of("stage", "converge", "topic", "handoff.secret-facts", "partition", 99, "fromOffset", 0))
                .body("reason", equalTo("unknown-partition"));
        refused(Map.of(
                        "stage",
                        "converge",
                        "topic",
                        "handoff.secret-facts",
                        "partition",
                        p,
                        "fromOffset",
                        last.offset() + 1000))
                .body("reason", equalTo("offset-out-of-range"))
                .body("error", org.hamcrest.Matchers.containsString("outside partition " + p));
        refused(Map.of(
                        "stage",
                        "converge",
                        "topic",
                        "handoff.secret-facts",
                        "partition",
                        p,
                        "fromOffset",
                        first.offset(),
                        "toOffset",
                        last.offset() + 1000))
                .body("reason", equalTo("offset-out-of-range"));
        refused(Map.of(
                        "stage",
                        "converge",
                        "topic",
                        "handoff.secret-facts",
                        "partition",
                        p,
                        "fromOffset",
                        first.offset(),
                        "toOffset",
                        last.offset()))
                .body("reason", equalTo("too-many-records"))
                .body(
                        "fix",
                        equalTo("replay offsets " + first.offset() + " to " + (first.offset() + 4)
                                + " first, then continue from " + (first.offset() + 5)));
        refused(Map.of(
                        "stage",
                        "converge",
                        "topic",
                        "handoff.secret-facts",
                        "partition",
                        p,
                        "fromOffset",
                        last.offset(),
                        "toOffset",
                        last.offset()))
                .body("reason", equalTo("nothing-to-replay"));
        refused(Map.of("stage", "converge", "topic", "handoff.secret-facts", "fromOffset", 0))
                .body("reason", equalTo("malformed-request"));
        refused(Map.of(
                        "stage",
                        "converge",
                        "topic",
                        "handoff.secret-facts",
                        "partition",
                        p,
                        "fromOffset",
                        first.offset(),
                        "host",
                        "Not A Host"))
                .body("reason", equalTo("bad-host"));
        given().auth()
                .oauth2(Deliveries.VIEWER)
                .contentType(ContentType.JSON)
                .body(Map.of("stage", "converge", "topic", "handoff.secret-facts", "partition", p, "fromOffset", 0))
                .post("/api/replays")
                .then()
                .statusCode(403);
        given().contentType(ContentType.JSON)
                .body("{}")
                .post("/api/replays")
                .then()
                .statusCode(401);

        // and nothing reached any topic
        assertThat(TopicOffsets.total(LabKafka.shared().bootstrapServers())).isEqualTo(before);
    }

    private static ValidatableResponse refused(Map<String, Object> request) {
        return replay(request, null).statusCode(400).contentType("application/problem+json");
    }

    private static ValidatableResponse replay(Map<String, Object> request, String key) {
        var call = given().auth().oauth2(Deliveries.OPERATOR).contentType(ContentType.JSON);
        if (key != null) {
            call = call.header("Idempotency-Key", key);
        }
        return call.body(request).post("/api/replays").then();
    }

    private static String push(String repository) {
        return Deliveries.pushForTestHost(repository);
    }

    private static void awaitEvents(String deployment, int count) {
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(
                        () -> assertThat(events(deployment).getList("items")).hasSize(count));
    }

    private static JsonPath events(String deployment) {
        return given().auth()
                .oauth2(Deliveries.VIEWER)
                .queryParam("deployment", deployment)
                .get("/api/events")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
    }

    private static JsonPath deployment(String id) {
        return given().auth()
                .oauth2(Deliveries.VIEWER)
                .get("/api/deployments/" + id)
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
    }
}
