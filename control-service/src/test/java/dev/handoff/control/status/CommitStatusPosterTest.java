package dev.handoff.control.status;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.handoff.common.event.Stage;
import dev.handoff.control.ChainEvents;
import dev.handoff.control.Deliveries;
import dev.handoff.lab.ForgejoStatusTestResource;
import dev.handoff.lab.KafkaTestResource;
import dev.handoff.lab.PostgresTestResource;
import dev.handoff.lab.forge.ForgejoStatusApi;
import dev.handoff.lab.forge.ForgejoStatusApi.Status;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(PostgresTestResource.class)
@QuarkusTestResource(value = ForgejoStatusTestResource.class, restrictToAnnotatedClass = true)
class CommitStatusPosterTest {
    private static final String REPOSITORY = "ops/nix-k3s-edge-cluster";
    private static final String CONVERGE = "handoff/cloud-edge-1/converge";
    private static final String WORKLOAD = "handoff/cloud-edge-1/workload";

    @Inject
    CommitStatusPoster poster;

    @Test
    void thePusherSeesEachStagePendingThenItsVerdictOnTheCommit() {
        // Given a push of the runtime repository, whose first stage is converge
        String sha = Deliveries.sha();
        String deployment = push(sha);
        ForgejoStatusApi forgejo = ForgejoStatusTestResource.api();

        // Then the commit shows converge queued at once
        await().atMost(Duration.ofSeconds(20))
                .untilAsserted(() -> assertThat(newest(sha, CONVERGE))
                        .extracting(Status::state, Status::description)
                        .containsExactly("pending", "converge: queued"));

        // When converge runs and completes, and workload fails
        try (ChainEvents chain = new ChainEvents()) {
            String trigger = triggerOf(deployment);
            var started = chain.started(Stage.CONVERGE, deployment, trigger);
            await().atMost(Duration.ofSeconds(20))
                    .untilAsserted(() ->
                            assertThat(newest(sha, CONVERGE).description()).isEqualTo("converge: running"));
            var converged =
                    chain.completed(Stage.CONVERGE, deployment, started.event().id());
            var workload =
                    chain.started(Stage.WORKLOAD, deployment, converged.event().id());
            chain.failed(Stage.WORKLOAD, deployment, workload.event().id());
        }

        // Then converge is green and workload red with its reason, each linking to the deployment's page
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            assertThat(newest(sha, CONVERGE).state()).isEqualTo("success");
            assertThat(newest(sha, WORKLOAD).state()).isEqualTo("failure");
        });
        Status failed = newest(sha, WORKLOAD);
        assertThat(failed.description())
                .startsWith("workload: not-ready — rustdesk/hbbr is not Ready")
                .hasSizeLessThanOrEqualTo(StageStatus.DESCRIPTION_LENGTH)
                .doesNotContain("\n");
        assertThat(failed.targetUrl()).isEqualTo(ForgejoStatusTestResource.PAGE_URL + "/ui/deployments/" + deployment);
        assertThat(forgejo.statuses(REPOSITORY, sha))
                .extracting(Status::context)
                .containsOnly(CONVERGE, WORKLOAD);
    }

    @Test
    void statusesWaitWhileForgejoIsDownAndArriveOnceWhenItIsBack() throws Exception {
        // Given Forgejo answering 503
        ForgejoStatusApi forgejo = ForgejoStatusTestResource.api();
        forgejo.answering(false);
        try {
            long before = forgejo.requests();
            String sha = Deliveries.sha();
            push(sha);

            // Then the poster tries, is refused, and says why, while the ledger goes on
            await().atMost(Duration.ofSeconds(20))
                    .untilAsserted(() -> assertThat(poster.condition()).contains("503"));
            assertThat(forgejo.requests()).isGreaterThan(before);
            assertThat(forgejo.statuses(REPOSITORY, sha)).isEmpty();

            // When Forgejo is back
            forgejo.answering(true);

            // Then the held status arrives, once
            await().atMost(Duration.ofSeconds(30))
                    .untilAsserted(() -> assertThat(forgejo.statuses(REPOSITORY, sha))
                            .extracting(Status::context, Status::state)
                            .containsExactly(org.assertj.core.groups.Tuple.tuple(CONVERGE, "pending")));
            await().atMost(Duration.ofSeconds(10)).until(poster::condition, "posting"::equals);

            // and a round with nothing new posts nothing again
            int all = forgejo.all().size();
            poster.round();
            assertThat(forgejo.all()).hasSize(all);
            Map<String, Long> perContextAndState = forgejo.all().stream()
                    .collect(Collectors.groupingBy(
                            s -> s.sha() + " " + s.context() + " " + s.state() + " " + s.description(),
                            Collectors.counting()));
            assertThat(perContextAndState.values()).containsOnly(1L);
        } finally {
            forgejo.answering(true);
        }
    }

    private static String push(String sha) {
        return Deliveries.send(Deliveries.push(REPOSITORY, "refs/heads/main", sha))
                .statusCode(202)
                .extract()
                .path("deployments[0].id");
    }

    private static Status newest(String sha, String context) {
        List<Status> statuses = ForgejoStatusTestResource.api().statuses(REPOSITORY, sha);
        return statuses.stream()
                .filter(s -> s.context().equals(context))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no status " + context + " on " + sha + " yet: " + statuses));
    }

    /** The id of the deployment's commit.pushed event, once the ledger holds it. */
    private static String triggerOf(String deployment) {
        Function<String, String> first = id -> given().auth()
                .oauth2(Deliveries.VIEWER)
                .get("/api/deployments/" + id)
                .then()
                .statusCode(200)
                .extract()
                .path("events[0].id");
        return await().atMost(Duration.ofSeconds(20)).until(() -> first.apply(deployment), id -> id != null);
    }
}
