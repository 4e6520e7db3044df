package dev.handoff.control.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.handoff.common.event.EventType;
import dev.handoff.common.event.Stage;
import dev.handoff.control.ChainEvents;
import dev.handoff.control.Deliveries;
import dev.handoff.lab.KafkaTestResource;
import dev.handoff.lab.PostgresTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /api/hosts}: each host desired against actual. The tests' repositories do not exist (https://forge.test),
 * so Git's side is unknown here and says why; ReconciliationTest and FleetTest cover the heads.
 */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(PostgresTestResource.class)
class FleetApiTest {
    private final ChainEvents chain = new ChainEvents();

    @AfterEach
    void close() {
        chain.close();
    }

    @Test
    void aHostShowsWhatEachStageLastVerifiedItsNewestBackupsAndADriftUntilTheStageCompletesAgain() {
        // Given: a push of the runtime repository that ran to the backup verification
        String deployment = Deliveries.pushForTestHost("ops/nix-k3s-edge-cluster");
        String commit = given().auth()
                .oauth2(Deliveries.VIEWER)
                .get("/api/deployments/" + deployment)
                .then()
                .statusCode(200)
                .extract()
                .path("commit");
        // (an infra run that completed clears a drift another test may have reported for this host)
        chain.completed(Stage.INFRA, deployment, null);
        var converged = chain.completed(Stage.CONVERGE, deployment, null);
        var verified =
                chain.completed(Stage.WORKLOAD, deployment, converged.event().id());
        chain.completed(Stage.BACKUP, deployment, verified.event().id());

        // Then: the host lists the run of each stage, the deployed commit and the backup of the contract
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            JsonPath host = host(ChainEvents.HOST);
            assertThat(host.getString("repositories.find { it.repository == 'ops/nix-k3s-edge-cluster' }.deployed"))
                    .isEqualTo(commit);
            assertThat(host.getList("stages.stage", String.class))
                    .containsSubsequence("converge", "workload", "backup");
            assertThat(host.getString("stages.find { it.stage == 'converge' }.deploymentId"))
                    .isEqualTo(deployment);
            assertThat(host.getList("backups.contract", String.class)).isNotEmpty();
        });
        await().atMost(Duration.ofSeconds(20))
                .untilAsserted(() ->
                        assertThat(host(ChainEvents.HOST).getString("drift")).isNull());
        JsonPath host = host(ChainEvents.HOST);
        assertThat(host.getString("role")).isEqualTo("edge");
        // the tests' forge does not exist: Git's side is unknown, with the reason
        assertThat(host.getString("repositories.find { it.repository == 'ops/nix-k3s-edge-cluster' }.state"))
                .isEqualTo("unknown");
        assertThat(host.getString("repositories.find { it.repository == 'ops/nix-k3s-edge-cluster' }.gitError"))
                .contains("forge.test");

        // When: the infra stage reports drift
        ObjectNode drift =
                ChainEvents.sample("cloud-facts.failed/v1/oci-timeout.json").deepCopy();
        drift.put("reason", "drift").put("message", "the instance's shape differs from the last cloud facts");
        chain.publish(EventType.of(Stage.INFRA, "failed"), deployment, null, drift);

        // Then: the host is drifted, naming the stage and what differs
        await().atMost(Duration.ofSeconds(20))
                .untilAsserted(() ->
                        assertThat(host(ChainEvents.HOST).getString("state")).isEqualTo("drifted"));
        assertThat(host(ChainEvents.HOST).getString("drift.stage")).isEqualTo("infra");
        assertThat(host(ChainEvents.HOST).getString("drift.message")).contains("shape differs");

        // When: infra completes again, the drift is cleared
        chain.completed(Stage.INFRA, deployment, null);
        await().atMost(Duration.ofSeconds(20))
                .untilAsserted(() ->
                        assertThat(host(ChainEvents.HOST).getString("drift")).isNull());

        // And: the list holds every host of handoff.yaml
        given().auth()
                .oauth2(Deliveries.VIEWER)
                .get("/api/hosts")
                .then()
                .statusCode(200)
                .body("items.find { it.host == 'forgejo-pi' }.role", equalTo("control"));

        // And: a page at a time, and only the hosts in one state
        given().auth()
                .oauth2(Deliveries.VIEWER)
                .queryParam("limit", 1)
                .get("/api/hosts")
                .then()
                .statusCode(200)
                .body("items.host", org.hamcrest.Matchers.contains("cloud-edge-1"))
                .body("next", equalTo("cloud-edge-1"));
        given().auth()
                .oauth2(Deliveries.VIEWER)
                .queryParam("after", "cloud-edge-1")
                .get("/api/hosts")
                .then()
                .statusCode(200)
                .body("items.host", org.hamcrest.Matchers.contains("forgejo-pi"))
                .body("next", org.hamcrest.Matchers.nullValue());
        given().auth()
                .oauth2(Deliveries.VIEWER)
                .queryParam("state", "drifted")
                .get("/api/hosts")
                .then()
                .statusCode(200)
                .body("items", org.hamcrest.Matchers.empty());
        given().auth()
                .oauth2(Deliveries.VIEWER)
                .queryParam("state", "sideways")
                .get("/api/hosts")
                .then()
                .statusCode(400)
                .body("reason", equalTo("bad-state"))
                .body("fix", org.hamcrest.Matchers.containsString("in-sync"));
    }

    @Test
    void aConvergenceDriftMakesTheHostDriftedWithWhatDiffersUntilTheHostConvergesAgain() {
        // Given: a runtime deployment that converged the host
        String deployment = Deliveries.pushForTestHost("ops/nix-k3s-edge-cluster");
        chain.completed(Stage.INFRA, deployment, null);
        var converged = chain.completed(Stage.CONVERGE, deployment, null);
        await().atMost(Duration.ofSeconds(20))
                .untilAsserted(() ->
                        assertThat(host(ChainEvents.HOST).getString("drift")).isNull());
        String status = deploymentStatus(deployment);

        // When: converge-service's watch reports the host rolled back by hand, under the converged deployment
        ObjectNode drift = ChainEvents.sample("convergence.drifted/v1/rolled-back-by-hand-report.json")
                .deepCopy();
        drift.put("convergedDeployment", deployment);
        var drifted = chain.publish(
                EventType.CONVERGENCE_DRIFTED, deployment, converged.event().id(), drift);

        // Then: the host is drifted, naming the stage and each field expected against observed
        await().atMost(Duration.ofSeconds(20))
                .untilAsserted(() ->
                        assertThat(host(ChainEvents.HOST).getString("state")).isEqualTo("drifted"));
        JsonPath host = host(ChainEvents.HOST);
        assertThat(host.getString("drift.stage")).isEqualTo("converge");
        assertThat(host.getString("drift.eventId")).isEqualTo(drifted.event().id());
        assertThat(host.getList("drift.differences.field", String.class))
                .containsExactly("systemPath", "generation", "configurationRevision");
        assertThat(host.getString("drift.differences.find { it.field == 'generation' }.observed"))
                .isEqualTo("11");
        // and the deployment keeps its status, its history showing the drift
        assertThat(deploymentStatus(deployment)).isEqualTo(status);
        assertThat(given().auth()
                        .oauth2(Deliveries.VIEWER)
                        .get("/api/deployments/" + deployment)
                        .then()
                        .statusCode(200)
                        .extract()
                        .jsonPath()
                        .getList("events.type", String.class))
                .contains(EventType.CONVERGENCE_DRIFTED.type());

        // When: the host converges again, the drift is cleared
        chain.completed(Stage.CONVERGE, deployment, drifted.event().id());
        await().atMost(Duration.ofSeconds(20))
                .untilAsserted(() ->
                        assertThat(host(ChainEvents.HOST).getString("drift")).isNull());
    }

    @Test
    void aWorkloadDriftFromTheScheduledCheckIsTheHostsDriftUntilAWorkloadRunCompletes() {
        // Given: a host whose workloads were verified (and no drift of another test standing)
        String deployment = Deliveries.pushForTestHost("ops/nix-k3s-edge-cluster");
        chain.completed(Stage.INFRA, deployment, null);
        var converged = chain.completed(Stage.CONVERGE, deployment, null);
        chain.completed(Stage.WORKLOAD, deployment, converged.event().id());
        await().atMost(Duration.ofSeconds(20))
                .untilAsserted(() ->
                        assertThat(host(ChainEvents.HOST).getString("drift")).isNull());

        // When: workload-service's scheduled check reports a drift, as a deployment of its own
        String check = java.util.UUID.randomUUID().toString();
        chain.publish(
                EventType.of(Stage.WORKLOAD, "started"),
                check,
                null,
                ChainEvents.sample("workload.started/v1/scheduled-check.json"));
        chain.publish(
                EventType.of(Stage.WORKLOAD, "failed"),
                check,
                null,
                ChainEvents.sample("workload.failed/v1/drift-port-unreachable.json"));

        // Then: the host is drifted, naming the workload stage and the finding
        await().atMost(Duration.ofSeconds(20))
                .untilAsserted(() ->
                        assertThat(host(ChainEvents.HOST).getString("state")).isEqualTo("drifted"));
        assertThat(host(ChainEvents.HOST).getString("drift.stage")).isEqualTo("workload");
        assertThat(host(ChainEvents.HOST).getString("drift.deploymentId")).isEqualTo(check);
        assertThat(host(ChainEvents.HOST).getString("drift.message")).contains("21115/TCP");

        // When: a workload run completes again (the host redeployed from the workload stage)
        chain.completed(Stage.WORKLOAD, deployment, converged.event().id());

        // Then: the drift is cleared
        await().atMost(Duration.ofSeconds(20))
                .untilAsserted(() ->
                        assertThat(host(ChainEvents.HOST).getString("drift")).isNull());
    }

    private static String deploymentStatus(String deployment) {
        return given().auth()
                .oauth2(Deliveries.VIEWER)
                .get("/api/deployments/" + deployment)
                .then()
                .statusCode(200)
                .extract()
                .path("status");
    }

    @Test
    void anUnknownHostIsRefusedNamingTheHostsThereAre() {
        given().auth()
                .oauth2(Deliveries.VIEWER)
                .get("/api/hosts/no-such-host")
                .then()
                .statusCode(404)
                .body("fix", org.hamcrest.Matchers.containsString("cloud-edge-1"));
    }

    private static JsonPath host(String name) {
        return given().auth()
                .oauth2(Deliveries.VIEWER)
                .get("/api/hosts/" + name)
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
    }
}
