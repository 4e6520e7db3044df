package dev.handoff.control.webhook;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import dev.handoff.common.event.EventEnvelope;
import dev.handoff.common.event.Topics;
import dev.handoff.control.Deliveries;
import dev.handoff.control.TopicOffsets;
import dev.handoff.lab.KafkaTestResource;
import dev.handoff.lab.PostgresTestResource;
import dev.handoff.lab.TopicRecords;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * A re-sent or late webhook never rolls a host back: control-service checks each push against the real repository of
 * handoff.yaml (local bare repositories here) and deploys it only when it is the branch head or descends from what
 * the host last deployed.
 */
@QuarkusTest
@TestProfile(StalePushTest.RealRepositories.class)
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(PostgresTestResource.class)
class StalePushTest {
    static final String ROLLBACK = "ops/rollback-infra";
    static final String LATE = "ops/late-infra";
    static final String UNKNOWN = "ops/unknown-commit-infra";
    static final String GONE = "ops/gone-infra";

    /** The check on, with an inventory of real repositories: one repository and one host per test. */
    public static class RealRepositories implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            // GONE is never created: the repository cannot be reached
            return LocalForge.oneHostEach(List.of(ROLLBACK, LATE, UNKNOWN), List.of(ROLLBACK, LATE, UNKNOWN, GONE));
        }
    }

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    static String host(String repository) {
        return LocalForge.host(repository);
    }

    @Test
    void anOlderCommitsPushReSentAfterANewerOneDeploysNothingAndIsRecordedAsStale() {
        // Given: A is deployed, then B, a child of A
        String a = LocalForge.commit(ROLLBACK, "A: grow the volume");
        LocalForge.push(ROLLBACK);
        String pushOfA = Deliveries.push(ROLLBACK, "refs/heads/main", a);
        String deploymentOfA = accepted(pushOfA);
        String b = LocalForge.commit(ROLLBACK, "B: shrink it again");
        LocalForge.push(ROLLBACK);
        accepted(Deliveries.push(ROLLBACK, "refs/heads/main", b));

        // When: A's signed body arrives again under a new delivery id
        JsonPath answer = Deliveries.send(pushOfA)
                .statusCode(200)
                .body("status", equalTo("ignored"))
                .body("reason", equalTo("stale"))
                .body("message", containsString(a))
                .body("message", containsString(b))
                .body("message", containsString("handoffctl replay"))
                .body("deployments[0].id", equalTo(deploymentOfA))
                .extract()
                .jsonPath();
        assertThat(answer.getString("deployments[0].host")).isEqualTo(host(ROLLBACK));

        // Then: no commit.pushed of A was published again, only its commit.stale, and no stage runs on that
        List<String> published = commitEvents(host(ROLLBACK));
        assertThat(published)
                .containsExactly(
                        "handoff.commit.pushed " + a, "handoff.commit.pushed " + b, "handoff.commit.stale " + a);
        // and the ledger shows A's deployment as stale, naming the commit that is deployed
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(deployment(deploymentOfA).getString("status"))
                        .isEqualTo("stale"));
        JsonPath d = deployment(deploymentOfA);
        assertThat(d.getString("result")).contains("stale").contains(b);
        assertThat(d.getList("events.type")).containsExactly("handoff.commit.pushed", "handoff.commit.stale");
        given().auth()
                .oauth2(Deliveries.VIEWER)
                .queryParam("status", "stale")
                .queryParam("host", host(ROLLBACK))
                .get("/api/deployments")
                .then()
                .statusCode(200)
                .body("items.id", hasItem(deploymentOfA));
    }

    @Test
    void aLateWebhookOfACommitBetweenTheDeployedOneAndTheHeadDeploysAndSoDoesTheHead() {
        // Given: A is deployed; then C and B (C's child) are pushed together, the head is B
        String a = LocalForge.commit(LATE, "A");
        LocalForge.push(LATE);
        accepted(Deliveries.push(LATE, "refs/heads/main", a));
        String c = LocalForge.commit(LATE, "C");
        String b = LocalForge.commit(LATE, "B");
        LocalForge.push(LATE);

        // When: C's webhook arrives before B's
        String deploymentOfC = accepted(Deliveries.push(LATE, "refs/heads/main", c));
        String deploymentOfB = accepted(Deliveries.push(LATE, "refs/heads/main", b));

        // Then: both deploy, in order
        assertThat(deploymentOfC).isEqualTo(PushRouting.deploymentId(LATE, c, host(LATE)));
        assertThat(deploymentOfB).isEqualTo(PushRouting.deploymentId(LATE, b, host(LATE)));
        assertThat(commitEvents(host(LATE)))
                .containsExactly(
                        "handoff.commit.pushed " + a, "handoff.commit.pushed " + c, "handoff.commit.pushed " + b);
    }

    @Test
    void aCommitTheRepositoryDoesNotHaveIsStaleOnceSomethingIsDeployed() {
        // Given
        String a = LocalForge.commit(UNKNOWN, "A");
        LocalForge.push(UNKNOWN);
        accepted(Deliveries.push(UNKNOWN, "refs/heads/main", a));
        String stranger = Deliveries.sha();

        // When
        Deliveries.send(Deliveries.push(UNKNOWN, "refs/heads/main", stranger))
                .statusCode(200)
                .body("reason", equalTo("stale"))
                .body("message", containsString("not in the history of main"));

        // Then
        assertThat(commitEvents(host(UNKNOWN)))
                .containsExactly("handoff.commit.pushed " + a, "handoff.commit.stale " + stranger);
    }

    @Test
    void anUnreachableRepositoryIsAnsweredWithRetryAndPublishesNothing() {
        // Given
        long before = TopicOffsets.total(bootstrap);

        // When / Then
        Deliveries.send(Deliveries.push(GONE, "refs/heads/main", Deliveries.sha()))
                .statusCode(503)
                .header("Retry-After", org.hamcrest.Matchers.notNullValue())
                .body("reason", equalTo("repository-unreachable"))
                .body("message", containsString(LocalForge.url(GONE)));
        assertThat(TopicOffsets.total(bootstrap)).isEqualTo(before);
    }

    /** Sends a push and returns its one deployment's id once the answer was 202. */
    private static String accepted(String body) {
        return Deliveries.send(body)
                .statusCode(202)
                .body("status", equalTo("accepted"))
                .extract()
                .jsonPath()
                .getString("deployments[0].id");
    }

    /** "type after" of every event of handoff.commits for {@code host}, in offset order. */
    private List<String> commitEvents(String host) {
        return TopicRecords.events(bootstrap, Topics.COMMITS).stream()
                .filter(e -> host.equals(e.subject()))
                .map(StalePushTest::typeAndCommit)
                .toList();
    }

    private static String typeAndCommit(EventEnvelope e) {
        return e.type() + " " + e.data().path("after").asText();
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
