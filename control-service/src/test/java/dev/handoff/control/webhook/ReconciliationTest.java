package dev.handoff.control.webhook;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import dev.handoff.common.event.Topics;
import dev.handoff.control.Deliveries;
import dev.handoff.control.reconcile.BranchReconciler;
import dev.handoff.lab.KafkaTestResource;
import dev.handoff.lab.PostgresTestResource;
import dev.handoff.lab.TopicRecords;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * Git stays the truth when a webhook is lost: control-service reads each repository's branch head (local bare
 * repositories here) and publishes the head no deployment of a host has seen, marked as a reconciliation; a webhook
 * and a reconciliation of one commit give one deployment.
 */
@QuarkusTest
@TestProfile(ReconciliationTest.RealRepositories.class)
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(PostgresTestResource.class)
class ReconciliationTest {
    static final String MISSED = "ops/missed-infra";
    static final String RACED = "ops/raced-infra";
    static final String FRESH = "ops/fresh-infra";
    static final String GONE = "ops/vanished-infra";

    /** Real repositories, one host each; the interval off, so that each test runs the rounds it needs. */
    public static class RealRepositories implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> config = new java.util.HashMap<>(
                    LocalForge.oneHostEach(List.of(MISSED, RACED, FRESH), List.of(MISSED, RACED, FRESH, GONE)));
            config.put("handoff.reconcile.interval", "0s");
            return config;
        }
    }

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    private final BranchReconciler reconciler;
    private final MeterRegistry registry;

    ReconciliationTest(BranchReconciler reconciler, MeterRegistry registry) {
        this.reconciler = reconciler;
        this.registry = registry;
    }

    static String host(String repository) {
        return LocalForge.host(repository);
    }

    @Test
    void aPushWhoseWebhookWasLostIsDeployedByTheNextRoundAndItsLateWebhookDeploysNothing() {
        // Given: A deployed by its webhook, then B pushed to the forge and its webhook lost
        String a = LocalForge.commit(MISSED, "A");
        LocalForge.push(MISSED);
        accepted(Deliveries.push(MISSED, "refs/heads/main", a));
        String b = LocalForge.commit(MISSED, "B");
        LocalForge.push(MISSED);

        // When: control-service reconciles
        Map<String, List<String>> published = reconciler.round();

        // Then: B is published for the host, marked as found by reconciliation, under the webhook's deployment id
        String deployment = PushRouting.deploymentId(MISSED, b, host(MISSED));
        assertThat(published).containsEntry(MISSED, List.of(deployment));
        await().atMost(Duration.ofSeconds(20))
                .untilAsserted(() -> assertThat(deployment(deployment).getString("events[0].data.trigger"))
                        .isEqualTo("reconciliation"));
        assertThat(deployment(deployment).getString("commit")).isEqualTo(b);

        // And: the next round finds all well and publishes nothing
        assertThat(reconciler.round()).doesNotContainKey(MISSED);

        // And: B's webhook, arriving late, is a duplicate
        Deliveries.send(Deliveries.push(MISSED, "refs/heads/main", b))
                .statusCode(200)
                .body("status", equalTo("duplicate"))
                .body("reason", equalTo("repeated-commit"))
                .body("deployments[0].id", equalTo(deployment));
        assertThat(commitsOf(host(MISSED))).containsExactly(a, b);
        assertThat(registry.find("handoff_reconcile_checks_total")
                        .tags("repository", MISSED, "result", "published")
                        .counter()
                        .count())
                .isEqualTo(1.0);
    }

    @Test
    void aWebhookAndAReconciliationOfOneCommitAtOnceGiveOneDeployment() throws Exception {
        // Given: a deployed repository, and a new head whose webhook and reconciliation arrive together
        String first = LocalForge.commit(RACED, "first");
        LocalForge.push(RACED);
        accepted(Deliveries.push(RACED, "refs/heads/main", first));
        String next = LocalForge.commit(RACED, "next");
        LocalForge.push(RACED);
        String body = Deliveries.push(RACED, "refs/heads/main", next);

        // When: both run at once
        CountDownLatch go = new CountDownLatch(1);
        CompletableFuture<Integer> webhook = CompletableFuture.supplyAsync(() -> {
            arrive(go);
            return Deliveries.send(body).extract().statusCode();
        });
        CompletableFuture<Map<String, List<String>>> round = CompletableFuture.supplyAsync(() -> {
            arrive(go);
            return reconciler.round();
        });
        go.countDown();
        int status = webhook.get(60, TimeUnit.SECONDS);
        Map<String, List<String>> reconciled = round.get(60, TimeUnit.SECONDS);

        // Then: exactly one of them published the commit, once
        List<String> publishers = new ArrayList<>();
        if (status == 202) {
            publishers.add("webhook");
        }
        if (reconciled.containsKey(RACED)) {
            publishers.add("reconciliation");
        }
        assertThat(publishers).hasSize(1);
        await().atMost(Duration.ofSeconds(20))
                .untilAsserted(() -> assertThat(commitsOf(host(RACED))).containsExactly(first, next));
        assertThat(reconciler.round()).doesNotContainKey(RACED);
    }

    @Test
    void aRepositoryNeverDeployedOrUnreachableIsLeftAloneAndReported() {
        // Given: a repository with a head but no deployment yet, and one whose repository does not exist
        LocalForge.commit(FRESH, "never pushed through Handoff");
        LocalForge.push(FRESH);

        // When
        Map<String, List<String>> published = reconciler.round();

        // Then: the first deployment of a repository comes from a push; the unreachable one is a metric
        assertThat(published).doesNotContainKeys(FRESH, GONE);
        assertThat(commitsOf(host(FRESH))).isEmpty();
        assertThat(registry.find("handoff_reconcile_repository_reachable")
                        .tags("repository", GONE)
                        .gauge()
                        .value())
                .isZero();
        assertThat(registry.find("handoff_reconcile_repository_reachable")
                        .tags("repository", FRESH)
                        .gauge()
                        .value())
                .isEqualTo(1.0);
    }

    private static void arrive(CountDownLatch go) {
        try {
            go.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String accepted(String body) {
        return Deliveries.send(body)
                .statusCode(202)
                .body("status", equalTo("accepted"))
                .extract()
                .jsonPath()
                .getString("deployments[0].id");
    }

    /** The commit of every commit.pushed for {@code host}, in offset order. */
    private List<String> commitsOf(String host) {
        return TopicRecords.events(bootstrap, Topics.COMMITS).stream()
                .filter(e -> host.equals(e.subject()) && e.type().equals("handoff.commit.pushed"))
                .map(e -> e.data().path("after").asText())
                .toList();
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
