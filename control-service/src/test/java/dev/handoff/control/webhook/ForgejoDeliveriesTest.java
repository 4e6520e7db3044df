package dev.handoff.control.webhook;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.handoff.control.Deliveries;
import dev.handoff.control.TopicOffsets;
import dev.handoff.lab.KafkaTestResource;
import dev.handoff.lab.PostgresTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.ValidatableResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/** Deliveries exactly as Forgejo v11 sends them ({@link ForgejoShapes}). */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(PostgresTestResource.class)
class ForgejoDeliveriesTest {
    private static final String INFRA = "ops/edge-cluster-infra";

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @io.quarkus.test.common.http.TestHTTPResource("/hooks/forgejo")
    java.net.URI hook;

    /** Posts a form body as Forgejo does (REST Assured would re-encode it). */
    private java.net.http.HttpResponse<String> postForm(String form, String signature) throws Exception {
        return java.net.http.HttpClient.newHttpClient()
                .send(
                        java.net.http.HttpRequest.newBuilder(hook)
                                .header("Content-Type", "application/x-www-form-urlencoded")
                                .header("X-Forgejo-Event", "push")
                                .header("X-Forgejo-Delivery", uuid())
                                .header("X-Forgejo-Signature", signature)
                                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(
                                        form, StandardCharsets.US_ASCII))
                                .build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aPushDeploysFromTheInventorysUrlAndCountsEveryCommitNotOnlyTheListedOnes() {
        // Given: 20 commits, of which Forgejo lists 15, with Forgejo's public clone_url
        String after = Deliveries.sha();
        String body = ForgejoShapes.push(INFRA, "refs/heads/main", Deliveries.sha(), after, 20);

        // When
        String id = json(body, UUID.randomUUID().toString())
                .statusCode(202)
                .extract()
                .jsonPath()
                .getString("deployments[0].id");

        // Then
        JsonPath commit = commitEvent(id);
        assertThat(commit.getString("events[0].data.cloneUrl"))
                .as("the URL of handoff.yaml, never the payload's")
                .isEqualTo("https://forge.test/ops/edge-cluster-infra.git");
        assertThat(commit.getInt("events[0].data.commitCount")).isEqualTo(20);
        assertThat(commit.getString("events[0].data.after")).isEqualTo(after);
    }

    @Test
    void theSameBodyUnderANewDeliveryIdIsADuplicateAndPublishesNothing() {
        // Given: a push accepted once (Forgejo's "Replay" re-sends it under a new X-Forgejo-Delivery)
        String body = ForgejoShapes.push(INFRA, "refs/heads/main", Deliveries.sha(), Deliveries.sha(), 1);
        String id = json(body, UUID.randomUUID().toString())
                .statusCode(202)
                .extract()
                .jsonPath()
                .getString("deployments[0].id");
        commitEvent(id);
        long before = TopicOffsets.total(bootstrap);

        // When
        ValidatableResponse again = json(body, UUID.randomUUID().toString());

        // Then
        again.statusCode(200)
                .body("status", equalTo("duplicate"))
                .body("reason", equalTo("repeated-commit"))
                .body("deployments[0].id", equalTo(id))
                .body("message", containsString("replay"));
        assertThat(TopicOffsets.total(bootstrap)).isEqualTo(before);
    }

    @Test
    void forgejosTestPushEventOfADeployedHeadDoesNothingNew() {
        // Given
        String head = Deliveries.sha();
        String id = json(ForgejoShapes.push(INFRA, "refs/heads/main", Deliveries.sha(), head, 1), uuid())
                .statusCode(202)
                .extract()
                .jsonPath()
                .getString("deployments[0].id");
        commitEvent(id);
        long before = TopicOffsets.total(bootstrap);

        // When: the "Test push event" button (before == after == head)
        ValidatableResponse test = json(ForgejoShapes.testPush(INFRA, head), uuid());

        // Then
        test.statusCode(200).body("status", equalTo("duplicate")).body("deployments[0].id", equalTo(id));
        assertThat(TopicOffsets.total(bootstrap)).isEqualTo(before);
    }

    @Test
    void aFormEncodedDeliveryIsAcceptedWithTheSignatureOverItsJson() throws Exception {
        // Given
        String jsonBody = ForgejoShapes.push(INFRA, "refs/heads/main", Deliveries.sha(), Deliveries.sha(), 1);
        String form = ForgejoShapes.form(jsonBody);
        String signature = new WebhookSignature(Deliveries.SECRET).sign(jsonBody.getBytes(StandardCharsets.UTF_8));

        // When
        var accepted = postForm(form, signature);

        // Then
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        assertThat(accepted.body()).contains("\"accepted\"");
        // a wrong secret is still a wrong secret
        long before = TopicOffsets.total(bootstrap);
        String other = ForgejoShapes.push(INFRA, "refs/heads/main", Deliveries.sha(), Deliveries.sha(), 1);
        var wrong = postForm(
                ForgejoShapes.form(other), new WebhookSignature("wrong").sign(other.getBytes(StandardCharsets.UTF_8)));
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(wrong.body()).contains("bad-signature");
        // a form without its payload field
        var empty =
                postForm("x=1", new WebhookSignature(Deliveries.SECRET).sign("x=1".getBytes(StandardCharsets.UTF_8)));
        assertThat(empty.statusCode()).isEqualTo(400);
        assertThat(empty.body()).contains("malformed-payload", "'payload' field");
        assertThat(TopicOffsets.total(bootstrap)).isEqualTo(before);
    }

    @Test
    void aWebhookWithoutASecretIsAMissingSignatureNotAWrongOne() {
        // Given: what Forgejo sends for a webhook with no secret
        byte[] raw = ForgejoShapes.push(INFRA, "refs/heads/main", Deliveries.sha(), Deliveries.sha(), 1)
                .getBytes(StandardCharsets.UTF_8);
        long before = TopicOffsets.total(bootstrap);

        // When / Then
        given().header("Content-Type", "application/json")
                .header("X-Forgejo-Event", "push")
                .header("X-Forgejo-Delivery", uuid())
                .header("X-Forgejo-Signature", "")
                .header("X-Gitea-Signature", "")
                .header("X-Gogs-Signature", "")
                .header("X-Hub-Signature", "sha1=")
                .header("X-Hub-Signature-256", "sha256=")
                .body(raw)
                .post("/hooks/forgejo")
                .then()
                .statusCode(401)
                .body("reason", equalTo("missing-signature"))
                .body("message", containsString("no secret"));
        assertThat(TopicOffsets.total(bootstrap)).isEqualTo(before);
    }

    @Test
    void tagsBranchDeletionsAndOtherEventsAreIgnoredWith200() {
        long before = TopicOffsets.total(bootstrap);
        String commit = Deliveries.sha();

        json(ForgejoShapes.tagCreated(INFRA, "v1.0", commit), uuid())
                .statusCode(200)
                .body("status", equalTo("ignored"))
                .body("reason", equalTo("not-a-branch"));
        json(ForgejoShapes.tagDeleted(INFRA, "v1.0", commit), uuid())
                .statusCode(200)
                .body("reason", equalTo("not-a-branch"));
        for (String event : List.of("delete", "create", "ping")) {
            byte[] raw = ForgejoShapes.branchDeleted(INFRA, "feature").getBytes(StandardCharsets.UTF_8);
            given().header("Content-Type", "application/json")
                    .header("X-Forgejo-Event", event)
                    .header("X-Forgejo-Delivery", uuid())
                    .header("X-Forgejo-Signature", new WebhookSignature(Deliveries.SECRET).sign(raw))
                    .body(raw)
                    .post("/hooks/forgejo")
                    .then()
                    .statusCode(200)
                    .body("status", equalTo("ignored"))
                    .body("reason", equalTo("not-a-push"));
        }

        assertThat(TopicOffsets.total(bootstrap)).isEqualTo(before);
    }

    private static String uuid() {
        return UUID.randomUUID().toString();
    }

    private static ValidatableResponse json(String body, String delivery) {
        return Deliveries.send(body, delivery);
    }

    /** The deployment, once the ledger has its commit event. */
    private static JsonPath commitEvent(String id) {
        return await().atMost(Duration.ofSeconds(10))
                .until(
                        () -> given().auth()
                                .oauth2(Deliveries.VIEWER)
                                .get("/api/deployments/" + id)
                                .then()
                                .extract()
                                .jsonPath(),
                        d -> d.getList("events") != null && !d.getList("events").isEmpty());
    }
}
