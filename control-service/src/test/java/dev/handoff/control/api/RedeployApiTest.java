package dev.handoff.control.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
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
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** An operator redeploys a host from a stage: the server finds the host's last trigger and replays that record. */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(PostgresTestResource.class)
class RedeployApiTest {
    private final ChainEvents chain = new ChainEvents();

    @AfterEach
    void close() {
        chain.close();
    }

    @Test
    void redeployingConvergeReplaysTheHostsLastSecretFactsAsANewDeploymentOfThatHostOnly() {
        // Given: a push of the runtime repository whose secrets stage produced facts after it
        String original = push("ops/nix-k3s-edge-cluster");
        Published facts = chain.completed(Stage.SECRETS, original, null);
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(events(original).getList("items.id", String.class))
                        .contains(facts.event().id()));

        // When
        JsonPath redeploy = given().auth()
                .oauth2(Deliveries.OPERATOR)
                .contentType(ContentType.JSON)
                .body(Map.of("stage", "converge"))
                .post("/api/hosts/" + ChainEvents.HOST + "/redeploy")
                .then()
                .statusCode(202)
                .extract()
                .jsonPath();

        // Then: exactly that record was replayed, for that host, as a new deployment linked to the original
        assertThat(redeploy.getString("stage")).isEqualTo("converge");
        assertThat(redeploy.getString("trigger.eventId"))
                .isEqualTo(facts.event().id());
        assertThat(redeploy.getString("trigger.topic")).isEqualTo("handoff.secret-facts");
        assertThat(redeploy.getInt("trigger.partition")).isEqualTo(facts.partition());
        assertThat(redeploy.getLong("trigger.offset")).isEqualTo(facts.offset());
        assertThat(redeploy.getLong("replay.fromOffset")).isEqualTo(facts.offset());
        assertThat(redeploy.getLong("replay.toOffset")).isEqualTo(facts.offset());
        assertThat(redeploy.getString("replay.host")).isEqualTo(ChainEvents.HOST);
        assertThat(redeploy.getString("replay.requestedBy")).isEqualTo("test-operator");
        assertThat(redeploy.getInt("replay.recordCount")).isEqualTo(1);
        assertThat(redeploy.getString("replay.records[0].originalDeploymentId")).isEqualTo(original);
        String redeployed = redeploy.getString("deploymentId");
        assertThat(redeployed).isEqualTo(redeploy.getString("replay.records[0].deploymentId"));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            JsonPath copy = events(redeployed);
            assertThat(copy.getString("items[0].topic")).isEqualTo("handoff.replay.converge");
            assertThat(copy.getString("items[0].replayOf"))
                    .isEqualTo(facts.event().id());
        });
    }

    @Test
    void withoutAStageTheHostIsRedeployedFromTheStageItsNewestDeploymentStartedAt() {
        // Given: the host's newest deployment is a push of the secrets repository (secrets starts it)
        String original = push("ops/infrastructure-secrets");
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(events(original).getList("items.type", String.class))
                        .contains("handoff.commit.pushed"));

        // When
        JsonPath redeploy = given().auth()
                .oauth2(Deliveries.OPERATOR)
                .contentType(ContentType.JSON)
                .body("{}")
                .post("/api/hosts/" + ChainEvents.HOST + "/redeploy")
                .then()
                .statusCode(202)
                .extract()
                .jsonPath();

        // Then: the push itself is replayed to secrets
        assertThat(redeploy.getString("stage")).isEqualTo("secrets");
        assertThat(redeploy.getString("trigger.type")).isEqualTo("handoff.commit.pushed");
        assertThat(redeploy.getString("trigger.deploymentId")).isEqualTo(original);
        assertThat(redeploy.getString("trigger.topic")).isEqualTo("handoff.commits");
    }

    @Test
    void anUnknownHostAStageWithoutTriggerAndAViewerAreRefusedAndNothingIsPublished() {
        // Given
        long before = TopicOffsets.total(LabKafka.shared().bootstrapServers());

        // When / Then
        given().auth()
                .oauth2(Deliveries.OPERATOR)
                .contentType(ContentType.JSON)
                .body(Map.of("stage", "converge"))
                .post("/api/hosts/no-such-host/redeploy")
                .then()
                .statusCode(404)
                .contentType("application/problem+json")
                .body("type", equalTo("/problems/unknown-host"))
                .body("reason", equalTo("unknown-host"))
                .body("detail", equalTo("host no-such-host is not in handoff.yaml"))
                .body("fix", containsString("cloud-edge-1"));
        // forgejo-pi uses no repository that infra owns: infra never ran for it
        given().auth()
                .oauth2(Deliveries.OPERATOR)
                .contentType(ContentType.JSON)
                .body(Map.of("stage", "infra"))
                .post("/api/hosts/forgejo-pi/redeploy")
                .then()
                .statusCode(400)
                .body("reason", equalTo("no-trigger"))
                .body("detail", containsString("no trigger of infra for forgejo-pi"))
                .body("fix", containsString("firstStage"));
        given().auth()
                .oauth2(Deliveries.OPERATOR)
                .contentType(ContentType.JSON)
                .body(Map.of("stage", "deploy"))
                .post("/api/hosts/forgejo-pi/redeploy")
                .then()
                .statusCode(400)
                .body("reason", equalTo("unknown-stage"))
                .body("fix", equalTo("use one of infra, secrets, converge, workload, backup"));
        given().auth()
                .oauth2(Deliveries.VIEWER)
                .contentType(ContentType.JSON)
                .body(Map.of("stage", "converge"))
                .post("/api/hosts/" + ChainEvents.HOST + "/redeploy")
                .then()
                .statusCode(403);

        // and nothing reached any topic
        assertThat(TopicOffsets.total(LabKafka.shared().bootstrapServers())).isEqualTo(before);
    }

    private static String push(String repository) {
        return Deliveries.pushForTestHost(repository);
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
}
