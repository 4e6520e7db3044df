package dev.handoff.control.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.handoff.common.event.EventEnvelope;
import dev.handoff.common.serde.EventCodec;
import dev.handoff.control.Deliveries;
import dev.handoff.control.HeldPlans;
import dev.handoff.lab.KafkaTestResource;
import dev.handoff.lab.PostgresTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** An operator answers a stage that holds a destructive plan; the ledger shows the waiting state and the answer. */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(PostgresTestResource.class)
class ApprovalsApiTest {
    private static final String HOST = HeldPlans.HOST;
    private static final String COMMIT = HeldPlans.COMMIT;

    private final EventCodec codec;

    ApprovalsApiTest(EventCodec codec) {
        this.codec = codec;
    }

    @Test
    void aWaitingStageIsShownAndAnOperatorsApprovalIsPublishedOnce() throws Exception {
        // Given: infra-service started and asked for approval
        String deployment = UUID.randomUUID().toString();
        EventEnvelope request = askForApproval(deployment);
        awaitInfraStatus(deployment, "waiting-approval");

        // When
        String eventId = given().auth()
                .oauth2(Deliveries.OPERATOR)
                .contentType("application/json")
                .body("{\"decision\":\"approve\",\"comment\":\"volume backed up\"}")
                .post("/api/approvals/" + deployment)
                .then()
                .statusCode(202)
                .body("decision", equalTo("approve"))
                .body("requestId", equalTo(request.id()))
                .extract()
                .path("eventId");

        // Then
        awaitInfraStatus(deployment, "approved");
        List<Map<String, Object>> events = given().auth()
                .oauth2(Deliveries.VIEWER)
                .queryParam("deployment", deployment)
                .get("/api/events")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath()
                .getList("items");
        Map<String, Object> decided = events.stream()
                .filter(e -> e.get("id").equals(eventId))
                .findFirst()
                .orElseThrow();
        assertThat(decided.get("type")).isEqualTo("handoff.approval.decided");
        assertThat(decided.toString()).contains("test-operator").contains("volume backed up");
        given().auth()
                .oauth2(Deliveries.OPERATOR)
                .contentType("application/json")
                .body("{\"decision\":\"reject\"}")
                .post("/api/approvals/" + deployment)
                .then()
                .statusCode(409)
                .contentType("application/problem+json")
                .body("reason", equalTo("not-waiting"))
                .body("detail", containsString("no longer waiting"));
    }

    @Test
    void aRejectionIsShownInTheLedger() throws Exception {
        // Given
        String deployment = UUID.randomUUID().toString();
        askForApproval(deployment);
        awaitInfraStatus(deployment, "waiting-approval");

        // When
        given().auth()
                .oauth2(Deliveries.OPERATOR)
                .contentType("application/json")
                .body("{\"decision\":\"reject\",\"comment\":\"not during business hours\"}")
                .post("/api/approvals/" + deployment)
                .then()
                .statusCode(202);

        // Then
        awaitInfraStatus(deployment, "rejected");
    }

    @Test
    void onlyAnOperatorMayDecideAndOnlyApproveOrRejectForAWaitingDeployment() {
        // Given
        String unknown = UUID.randomUUID().toString();

        // When / Then
        given().auth()
                .oauth2(Deliveries.VIEWER)
                .contentType("application/json")
                .body("{\"decision\":\"approve\"}")
                .post("/api/approvals/" + unknown)
                .then()
                .statusCode(403);
        given().auth()
                .oauth2(Deliveries.OPERATOR)
                .contentType("application/json")
                .body("{\"decision\":\"maybe\"}")
                .post("/api/approvals/" + unknown)
                .then()
                .statusCode(400)
                .body("reason", equalTo("invalid-decision"))
                .body("detail", containsString("approve"));
        given().auth()
                .oauth2(Deliveries.OPERATOR)
                .contentType("application/json")
                .body("{\"decision\":\"approve\"}")
                .post("/api/approvals/" + unknown)
                .then()
                .statusCode(404)
                .body("reason", equalTo("no-approval-request"))
                .body("fix", containsString("waiting-approval"));
    }

    @Test
    void theListShowsWaitingRequestsAsPendingAndDecidedOnesWithTheirDecision() throws Exception {
        // Given: two deployments wait for approval; an operator approves one
        String waiting = UUID.randomUUID().toString();
        String decided = UUID.randomUUID().toString();
        EventEnvelope waitingRequest = askForApproval(waiting);
        askForApproval(decided);
        awaitInfraStatus(waiting, "waiting-approval");
        awaitInfraStatus(decided, "waiting-approval");
        given().auth()
                .oauth2(Deliveries.OPERATOR)
                .contentType("application/json")
                .body("{\"decision\":\"approve\",\"comment\":\"volume backed up\"}")
                .post("/api/approvals/" + decided)
                .then()
                .statusCode(202);
        awaitInfraStatus(decided, "approved");

        // When
        List<Map<String, Object>> pending = approvals(true);
        List<Map<String, Object>> all = approvals(false);

        // Then
        assertThat(pending)
                .extracting(a -> a.get("deploymentId"))
                .contains(waiting)
                .doesNotContain(decided);
        Map<String, Object> w = find(pending, waiting);
        assertThat(w)
                .containsEntry("requestId", waitingRequest.id())
                .containsEntry("host", HOST)
                .containsEntry("stage", "infra")
                .containsEntry("commit", COMMIT)
                .containsEntry("status", "waiting-approval")
                .containsEntry("pending", true)
                .containsEntry("changes", 1)
                .containsKey("expiresAt")
                .doesNotContainKey("decision");
        assertThat(find(all, decided))
                .containsEntry("pending", false)
                .containsEntry("status", "approved")
                .containsEntry("decision", "approve")
                .containsEntry("decidedBy", "test-operator")
                .containsEntry("comment", "volume backed up");
        given().auth()
                .oauth2(Deliveries.VIEWER)
                .queryParam("limit", 0)
                .get("/api/approvals")
                .then()
                .statusCode(400)
                .body("reason", equalTo("bad-limit"))
                .body("fix", containsString("use a limit from 1"));
    }

    private static List<Map<String, Object>> approvals(boolean pending) {
        return given().auth()
                .oauth2(Deliveries.VIEWER)
                .queryParam("pending", pending)
                .queryParam("limit", 500)
                .get("/api/approvals")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath()
                .getList("items");
    }

    private static Map<String, Object> find(List<Map<String, Object>> approvals, String deployment) {
        return approvals.stream()
                .filter(a -> deployment.equals(a.get("deploymentId")))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no approval of " + deployment + " in " + approvals));
    }

    private EventEnvelope askForApproval(String deployment) throws Exception {
        return HeldPlans.publish(codec, deployment);
    }

    private static void awaitInfraStatus(String deployment, String status) {
        HeldPlans.awaitInfraStatus(deployment, status);
    }
}
