package dev.handoff.control;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import dev.handoff.common.event.EventEnvelope;
import dev.handoff.common.event.EventType;
import dev.handoff.common.event.v1.ApprovalRequested;
import dev.handoff.common.event.v1.CloudFacts.PlanSummary;
import dev.handoff.common.event.v1.StageStarted;
import dev.handoff.common.serde.EventCodec;
import dev.handoff.lab.LabKafka;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** Plays infra-service holding a destructive plan for an operator's decision, for the page's tests. */
public final class HeldPlans {
    public static final String HOST = "cloud-edge-1";
    public static final String COMMIT = "6bfea4546eb3d2a1c0f9e8d7c6b5a4938271605f";
    /** How the page lists the held plan's one change. */
    public static final String CHANGE = "stacks/compute: oci_core_instance.cloud_edge_1 — delete, create";

    private HeldPlans() {}

    /** A new deployment whose infra stage waits for approval, once the ledger shows it waiting. */
    public static String ask(EventCodec codec) throws Exception {
        String deployment = UUID.randomUUID().toString();
        publish(codec, deployment);
        awaitInfraStatus(deployment, "waiting-approval");
        return deployment;
    }

    /** Publishes the infra stage's start and its approval request for {@code deployment}; returns the request. */
    public static EventEnvelope publish(EventCodec codec, String deployment) throws Exception {
        EventEnvelope started = codec.newEvent(
                EventType.CLOUD_FACTS_STARTED,
                "/handoff/infra-service",
                HOST,
                deployment,
                null,
                new StageStarted(HOST, "infra", "handoff.commit.pushed", "ops/edge-cluster-infra", COMMIT));
        Instant now = Instant.now();
        EventEnvelope request = codec.newEvent(
                EventType.APPROVAL_REQUESTED,
                "/handoff/infra-service",
                HOST,
                deployment,
                started.id(),
                new ApprovalRequested(
                        HOST,
                        "infra",
                        "ops/edge-cluster-infra",
                        COMMIT,
                        new PlanSummary(1, 0, 1, true),
                        List.of(new ApprovalRequested.Change(
                                "stacks/compute", "oci_core_instance.cloud_edge_1", List.of("delete", "create"))),
                        now,
                        now.plusSeconds(3600)));
        // approval requests come from infra-service: published as the lab's admin
        LabKafka.shared().worldPublisher().publishAll(List.of(started, request), Duration.ofSeconds(10));
        return request;
    }

    /** Waits until the ledger shows the deployment's infra stage in {@code status}. */
    public static void awaitInfraStatus(String deployment, String status) {
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> given().auth()
                        .oauth2(Deliveries.VIEWER)
                        .get("/api/deployments/" + deployment)
                        .then()
                        .statusCode(200)
                        .body("stages.find { it.stage == 'infra' }.status", equalTo(status)));
    }
}
