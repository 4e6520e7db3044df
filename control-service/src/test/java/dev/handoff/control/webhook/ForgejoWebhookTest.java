package dev.handoff.control.webhook;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;

import dev.handoff.control.Deliveries;
import dev.handoff.control.TopicOffsets;
import dev.handoff.lab.KafkaTestResource;
import dev.handoff.lab.PostgresTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(PostgresTestResource.class)
class ForgejoWebhookTest {

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    private static JsonPath deployment(String id) {
        return given().auth()
                .oauth2(Deliveries.VIEWER)
                .get("/api/deployments/" + id)
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
    }

    @Test
    void aSignedPushIsAcceptedAndItsDeploymentAppearsInTheHistoryWithItsCommitEvent() {
        // Given
        String sha = Deliveries.sha();

        // When
        JsonPath answer = Deliveries.send(Deliveries.push("ops/edge-cluster-infra", "refs/heads/main", sha))
                .statusCode(202)
                .body("status", equalTo("accepted"))
                .body("deployments", hasSize(1))
                .body("deployments[0].host", equalTo("cloud-edge-1"))
                .extract()
                .jsonPath();
        String id = answer.getString("deployments[0].id");

        // Then: within 5 s the history lists it with its commit event and where it sits on Kafka
        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> given().auth()
                        .oauth2(Deliveries.VIEWER)
                        .queryParam("host", "cloud-edge-1")
                        .get("/api/deployments")
                        .then()
                        .statusCode(200)
                        .body("items.id", org.hamcrest.Matchers.hasItem(id)));
        JsonPath d = deployment(id);
        assertThat(d.getString("host")).isEqualTo("cloud-edge-1");
        assertThat(d.getString("repository")).isEqualTo("ops/edge-cluster-infra");
        assertThat(d.getString("commit")).isEqualTo(sha);
        assertThat(d.getString("status")).isEqualTo("running");
        assertThat(d.getString("firstStage")).isEqualTo("infra");
        assertThat(d.getList("events.type")).containsExactly("handoff.commit.pushed");
        assertThat(d.getString("events[0].topic")).isEqualTo("handoff.commits");
        assertThat(d.getInt("events[0].offset")).isGreaterThanOrEqualTo(0);
        assertThat(d.getString("events[0].data.after")).isEqualTo(sha);
        assertThat(d.getList("stages.stage")).containsExactly("commit");
    }

    @Test
    void aPushToASharedRepositoryStartsOneDeploymentPerHost() {
        JsonPath answer = Deliveries.send(
                        Deliveries.push("ops/infrastructure-secrets", "refs/heads/main", Deliveries.sha()))
                .statusCode(202)
                .extract()
                .jsonPath();
        assertThat(answer.getList("deployments.host")).containsExactly("cloud-edge-1", "forgejo-pi");
        List<String> ids = answer.getList("deployments.id");
        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> ids.forEach(
                        id -> assertThat(deployment(id).getList("events")).hasSize(1)));
        assertThat(deployment(ids.get(1)).getString("host")).isEqualTo("forgejo-pi");
    }

    @Test
    void theSameDeliveryAgainAddsNothing() {
        // Given
        String delivery = UUID.randomUUID().toString();
        String body = Deliveries.push("ops/nix-k3s-edge-cluster", "refs/heads/main", Deliveries.sha());
        String id = Deliveries.send(body, delivery)
                .statusCode(202)
                .extract()
                .jsonPath()
                .getString("deployments[0].id");
        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(
                        () -> assertThat(deployment(id).getList("events")).hasSize(1));
        long before = TopicOffsets.total(bootstrap);

        // When
        Deliveries.send(body, delivery)
                .statusCode(200)
                .body("status", equalTo("duplicate"))
                .body("deployments[0].id", equalTo(id));

        // Then
        assertThat(TopicOffsets.total(bootstrap)).isEqualTo(before);
        assertThat(deployment(id).getList("events")).hasSize(1);
    }

    @Test
    void refusedRequestsPublishNothing() {
        // Given
        String body = Deliveries.push("ops/edge-cluster-infra", "refs/heads/main", Deliveries.sha());
        byte[] raw = body.getBytes(StandardCharsets.UTF_8);
        long before = TopicOffsets.total(bootstrap);

        // When / Then: bad signature
        given().header("X-Forgejo-Event", "push")
                .header("X-Forgejo-Delivery", UUID.randomUUID().toString())
                .header("X-Forgejo-Signature", new WebhookSignature("wrong-secret").sign(raw))
                .body(raw)
                .post("/hooks/forgejo")
                .then()
                .statusCode(401)
                .body("reason", equalTo("bad-signature"));
        // no signature at all
        given().header("X-Forgejo-Event", "push")
                .header("X-Forgejo-Delivery", UUID.randomUUID().toString())
                .body(raw)
                .post("/hooks/forgejo")
                .then()
                .statusCode(401)
                .body("reason", equalTo("missing-signature"));
        // a body changed after signing
        given().header("X-Forgejo-Event", "push")
                .header("X-Forgejo-Delivery", UUID.randomUUID().toString())
                .header("X-Forgejo-Signature", new WebhookSignature(Deliveries.SECRET).sign(raw))
                .body(body.replace("main", "mainx").getBytes(StandardCharsets.UTF_8))
                .post("/hooks/forgejo")
                .then()
                .statusCode(401);
        // malformed JSON, correctly signed
        Deliveries.send("{\"ref\": \"refs/heads/main\", ")
                .statusCode(400)
                .body("reason", equalTo("malformed-payload"))
                .body("message", org.hamcrest.Matchers.startsWith("the body is not valid JSON"));
        // a missing field, correctly signed
        Deliveries.send("{\"ref\":\"refs/heads/main\",\"after\":\"" + "a".repeat(40) + "\"}")
                .statusCode(400)
                .body("message", equalTo("field 'repository' is missing or not an object"));
        // over 5 MiB
        byte[] huge = new byte[5 * 1024 * 1024 + 1];
        Arrays.fill(huge, (byte) ' ');
        given().header("X-Forgejo-Event", "push")
                .header("X-Forgejo-Delivery", UUID.randomUUID().toString())
                .header("X-Forgejo-Signature", new WebhookSignature(Deliveries.SECRET).sign(huge))
                .body(huge)
                .post("/hooks/forgejo")
                .then()
                .statusCode(413);

        // Then
        assertThat(TopicOffsets.total(bootstrap)).isEqualTo(before);
    }

    @Test
    void tagPushesDeletionsAndUnconfiguredRepositoriesAnswer200WithTheReason() {
        long before = TopicOffsets.total(bootstrap);

        Deliveries.send(Deliveries.push("ops/edge-cluster-infra", "refs/tags/v1.0", Deliveries.sha()))
                .statusCode(200)
                .body("status", equalTo("ignored"))
                .body("reason", equalTo("not-a-branch"));
        Deliveries.send(Deliveries.push("ops/edge-cluster-infra", "refs/heads/main", "0".repeat(40)))
                .statusCode(200)
                .body("reason", equalTo("branch-deleted"));
        Deliveries.send(Deliveries.push("someone/else", "refs/heads/main", Deliveries.sha()))
                .statusCode(200)
                .body("reason", equalTo("unknown-repository"))
                .body("message", org.hamcrest.Matchers.containsString("not in handoff.yaml"));
        Deliveries.send(Deliveries.push("ops/edge-cluster-infra", "refs/heads/dev", Deliveries.sha()))
                .statusCode(200)
                .body("reason", equalTo("other-branch"));

        assertThat(TopicOffsets.total(bootstrap)).isEqualTo(before);
    }

    @Test
    void giteaAndGithubStyleSignaturesAreAccepted() {
        byte[] raw = Deliveries.push("ops/infrastructure-nixos", "refs/heads/main", Deliveries.sha())
                .getBytes(StandardCharsets.UTF_8);
        String hex = new WebhookSignature(Deliveries.SECRET).sign(raw);
        given().header("X-Gitea-Event", "push")
                .header("X-Gitea-Delivery", UUID.randomUUID().toString())
                .header("X-Gitea-Signature", hex)
                .body(raw)
                .post("/hooks/forgejo")
                .then()
                .statusCode(202);
        // another commit: the same one again would be a duplicate
        byte[] next = Deliveries.push("ops/infrastructure-nixos", "refs/heads/main", Deliveries.sha())
                .getBytes(StandardCharsets.UTF_8);
        given().header("X-GitHub-Event", "push")
                .header("X-GitHub-Delivery", UUID.randomUUID().toString())
                .header("X-Hub-Signature-256", "sha256=" + new WebhookSignature(Deliveries.SECRET).sign(next))
                .body(next)
                .post("/hooks/forgejo")
                .then()
                .statusCode(202);
    }

    @Test
    void metricsCountAcceptedAndRefusedDeliveriesByReason() {
        Deliveries.send(Deliveries.push("ops/edge-cluster-infra", "refs/heads/main", Deliveries.sha()))
                .statusCode(202);
        given().header("X-Forgejo-Event", "push")
                .header("X-Forgejo-Delivery", "x")
                .header("X-Forgejo-Signature", "00")
                .body("{}")
                .post("/hooks/forgejo")
                .then()
                .statusCode(401);

        String metrics =
                given().get("/q/metrics").then().statusCode(200).extract().asString();
        assertThat(metrics)
                .containsPattern("handoff_webhooks_total\\{[^}]*outcome=\"accepted\"[^}]*\\} [1-9]")
                .containsPattern("handoff_webhooks_total\\{[^}]*outcome=\"refused\",reason=\"bad-signature\"[^}]*\\}")
                .contains("handoff_ledger_events_stored_total")
                .containsPattern(
                        "handoff_consumer_lag_records\\{[^}]*group=\"handoff-ledger\",topic=\"handoff.commits\"\\}");
    }
}
