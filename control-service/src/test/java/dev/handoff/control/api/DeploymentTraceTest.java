package dev.handoff.control.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.handoff.common.event.Stage;
import dev.handoff.control.ChainEvents;
import dev.handoff.control.Deliveries;
import dev.handoff.lab.KafkaTestResource;
import dev.handoff.lab.PostgresTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(PostgresTestResource.class)
class DeploymentTraceTest {

    @Test
    void everyEventOfADeploymentCarriesItsOneTraceIdFromThePushToTheLastStage() {
        // Given a push, then converge and workload running for its deployment in other services
        String deployment = Deliveries.send(
                        Deliveries.push("ops/nix-k3s-edge-cluster", "refs/heads/main", Deliveries.sha()))
                .statusCode(202)
                .extract()
                .path("deployments[0].id");
        String pushed = await().atMost(Duration.ofSeconds(20))
                .until(() -> deployment(deployment).getString("events[0].id"), id -> id != null);
        try (ChainEvents chain = new ChainEvents()) {
            var started = chain.started(Stage.CONVERGE, deployment, pushed);
            var completed =
                    chain.completed(Stage.CONVERGE, deployment, started.event().id());
            chain.started(Stage.WORKLOAD, deployment, completed.event().id());
        }

        // Then the ledger holds the four events, each with the deployment's trace id (its id's 128 bits)
        String trace = deployment.replace("-", "");
        await().atMost(Duration.ofSeconds(20))
                .untilAsserted(() -> assertThat(deployment(deployment).getList("events.traceId", String.class))
                        .hasSize(4)
                        .containsOnly(trace));
        List<String> types = deployment(deployment).getList("events.type", String.class);
        assertThat(types)
                .containsExactly(
                        "handoff.commit.pushed",
                        "handoff.convergence.started",
                        "handoff.convergence.completed",
                        "handoff.workload.started");
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
