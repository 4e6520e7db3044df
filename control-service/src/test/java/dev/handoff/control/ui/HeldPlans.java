package dev.handoff.control.ui;

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
final class HeldPlans {
    static final String HOST = "cloud-edge-1";
    static final String COMMIT = "6bfea4546eb3d2a1c0f9e8d7c6b5a4938271605f";
    /** How the page lists the held plan's one change. */
    static final String CHANGE = "stacks/compute: oci_core_instance.cloud_edge_1 — delete, create";

    private HeldPlans() {}

    /** A new deployment whose infra stage waits for approval, once the ledger shows it waiting. */
    static String ask(EventCodec codec) throws Exception {
        String deployment = UUID.randomUUID().toString();
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
        DeploymentActionsTest.awaitInfraStatus(deployment, "waiting-approval");
        return deployment;
    }
}
