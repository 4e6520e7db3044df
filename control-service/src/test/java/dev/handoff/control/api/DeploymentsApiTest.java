package dev.handoff.control.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.handoff.common.event.EventType;
import dev.handoff.common.event.v1.StageSuperseded;
import dev.handoff.common.serde.EventCodec;
import dev.handoff.control.Deliveries;
import dev.handoff.lab.KafkaTestResource;
import dev.handoff.lab.LabKafka;
import dev.handoff.lab.PostgresTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(PostgresTestResource.class)
class DeploymentsApiTest {

    @Test
    void theApiNeedsAKnownBearerToken() {
        given().get("/api/deployments")
                .then()
                .statusCode(401)
                .header("WWW-Authenticate", containsString("Bearer"))
                .contentType("application/problem+json")
                .body("type", equalTo("/problems/missing-token"))
                .body("title", equalTo("Bearer token missing"))
                .body("status", equalTo(401))
                .body("detail", equalTo("missing bearer token"))
                .body("reason", equalTo("missing-token"))
                .body("fix", containsString("Authorization: Bearer"))
                .body("instance", equalTo("/api/deployments"))
                // kept for one release: clients that read 'error' still work
                .body("error", equalTo("missing bearer token"));
        given().auth()
                .oauth2("guessed")
                .get("/api/deployments")
                .then()
                .statusCode(401)
                .body("reason", equalTo("unknown-token"))
                .body("detail", equalTo("the token is not recognised"))
                .body("error", equalTo("the token is not recognised"));
        given().header("Authorization", "Basic dXNlcjpwYXNz")
                .get("/api/deployments")
                .then()
                .statusCode(401);
        given().auth().oauth2(Deliveries.VIEWER).get("/api/deployments").then().statusCode(200);
        given().auth().oauth2(Deliveries.OPERATOR).get("/api/events").then().statusCode(200);
    }

    @Test
    void healthAndOpenApiNeedNoToken() {
        given().get("/q/health/ready")
                .then()
                .statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.name", org.hamcrest.Matchers.hasItems("kafka", "Database connections health check"));
        given().get("/q/openapi").then().statusCode(200).body(containsString("/api/deployments"));
    }

    @Test
    void listsArePagedNewestFirstAndFiltered() {
        // Given: three deployments of forgejo-pi
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ids.add(Deliveries.send(Deliveries.push("ops/infrastructure-nixos", "refs/heads/main", Deliveries.sha()))
                    .statusCode(202)
                    .extract()
                    .jsonPath()
                    .getString("deployments[0].id"));
        }
        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(page(null, 100).getList("items.id", String.class))
                        .containsAll(ids));

        // When: pages of two
        JsonPath first = page(null, 2);
        JsonPath second = page(first.getString("next"), 2);

        // Then
        List<String> seen = new ArrayList<>(first.getList("items.id", String.class));
        seen.addAll(second.getList("items.id", String.class));
        assertThat(seen).startsWith(ids.get(2), ids.get(1), ids.get(0));
        assertThat(first.getList("items.host", String.class)).containsOnly("forgejo-pi");
        assertThat(first.getList("items.repository", String.class)).containsOnly("ops/infrastructure-nixos");
        assertThat(first.getString("items[0].startedAt")).isGreaterThanOrEqualTo(first.getString("items[1].startedAt"));
    }

    @Test
    void aSupersededDeploymentIsListedByItsStatusWithTheStepAndTheNewerCommit() throws Exception {
        // Given: a push whose converge step a newer push of the same repository superseded
        String commit = Deliveries.sha();
        String newer = Deliveries.sha();
        String id = Deliveries.send(Deliveries.push("ops/infrastructure-nixos", "refs/heads/main", commit))
                .statusCode(202)
                .extract()
                .jsonPath()
                .getString("deployments[0].id");
        EventCodec codec = new EventCodec();
        LabKafka.shared()
                .worldPublisher()
                .publishAll(
                        List.of(codec.newEvent(
                                EventType.CONVERGENCE_SUPERSEDED,
                                "/handoff/converge-service",
                                "forgejo-pi",
                                id,
                                null,
                                new StageSuperseded(
                                        "forgejo-pi",
                                        "converge",
                                        EventType.COMMIT_PUSHED.type(),
                                        "ops/infrastructure-nixos",
                                        commit,
                                        java.util.UUID.randomUUID().toString(),
                                        null,
                                        newer,
                                        "converge did not run commit " + commit + ": a newer trigger (commit " + newer
                                                + ") was waiting"))),
                        Duration.ofSeconds(10));

        // When
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(given().auth()
                                .oauth2(Deliveries.VIEWER)
                                .queryParam("status", "superseded")
                                .get("/api/deployments")
                                .then()
                                .statusCode(200)
                                .extract()
                                .jsonPath()
                                .getList("items.id", String.class))
                        .contains(id));
        JsonPath d = given().auth()
                .oauth2(Deliveries.VIEWER)
                .get("/api/deployments/" + id)
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();

        // Then
        assertThat(d.getString("status")).isEqualTo("superseded");
        assertThat(d.getString("result")).contains(newer);
        assertThat(d.getString("stages.find { it.stage == 'converge' }.status")).isEqualTo("superseded");
    }

    @Test
    void badQueriesSayWhatToFix() {
        given().auth()
                .oauth2(Deliveries.VIEWER)
                .queryParam("status", "done")
                .get("/api/deployments")
                .then()
                .statusCode(400)
                .contentType("application/problem+json")
                .body("reason", equalTo("bad-status"))
                .body("detail", equalTo("status 'done' is not a deployment status"))
                .body("fix", equalTo("use running, succeeded, failed, stale or superseded"));
        given().auth()
                .oauth2(Deliveries.VIEWER)
                .queryParam("before", "garbage!")
                .get("/api/deployments")
                .then()
                .statusCode(400)
                .body("reason", equalTo("bad-cursor"));
        given().auth()
                .oauth2(Deliveries.VIEWER)
                .queryParam("limit", 0)
                .get("/api/deployments")
                .then()
                .statusCode(400)
                .body("reason", equalTo("bad-limit"))
                .body("title", equalTo("Page size out of range"));
        given().auth()
                .oauth2(Deliveries.VIEWER)
                .get("/api/deployments/nope")
                .then()
                .statusCode(404)
                .contentType("application/problem+json")
                .body("reason", equalTo("unknown-deployment"))
                .body("detail", equalTo("no deployment nope"))
                .body("instance", equalTo("/api/deployments/nope"));
        given().auth()
                .oauth2(Deliveries.VIEWER)
                .queryParam("fromOffset", 3)
                .get("/api/events")
                .then()
                .statusCode(400);
    }

    @Test
    void eventsCanBeReadByTopicPosition() {
        String id = Deliveries.send(Deliveries.push("ops/edge-cluster-infra", "refs/heads/main", Deliveries.sha()))
                .statusCode(202)
                .extract()
                .jsonPath()
                .getString("deployments[0].id");
        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> given().auth()
                        .oauth2(Deliveries.VIEWER)
                        .queryParam("deployment", id)
                        .get("/api/events")
                        .then()
                        .body("items", org.hamcrest.Matchers.hasSize(1)));
        JsonPath event = given().auth()
                .oauth2(Deliveries.VIEWER)
                .queryParam("deployment", id)
                .get("/api/events")
                .then()
                .extract()
                .jsonPath();
        int partition = event.getInt("items[0].partition");
        long offset = event.getLong("items[0].offset");

        List<String> fromThere = given().auth()
                .oauth2(Deliveries.VIEWER)
                .queryParam("topic", "handoff.commits")
                .queryParam("partition", partition)
                .queryParam("fromOffset", offset)
                .get("/api/events")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath()
                .getList("items.deploymentId", String.class);
        assertThat(fromThere).first().isEqualTo(id);
    }

    private static JsonPath page(String before, int limit) {
        var request = given().auth()
                .oauth2(Deliveries.VIEWER)
                .queryParam("host", "forgejo-pi")
                .queryParam("repository", "ops/infrastructure-nixos")
                .queryParam("limit", limit);
        if (before != null) {
            request = request.queryParam("before", before);
        }
        return request.get("/api/deployments").then().statusCode(200).extract().jsonPath();
    }
}
