package dev.handoff.control.problem;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.handoff.control.Deliveries;
import dev.handoff.lab.KafkaTestResource;
import dev.handoff.lab.PostgresTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every refusal of the API is an RFC 9457 problem detail: for each operation the OpenAPI document lists, a request
 * without a token and a bad request; and the refusals Quarkus makes itself before a route runs.
 */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(PostgresTestResource.class)
class ApiProblemsTest {
    /** An operation of the API: method and path template. */
    record Operation(String method, String path) {
        String concretePath() {
            return path.replaceAll("\\{[^}]+}", "no-such-thing");
        }

        @Override
        public String toString() {
            return method + " " + path;
        }
    }

    @Test
    void everyApiOperationAnswersABadRequestWithAProblem() {
        // Given every operation of /api in the OpenAPI document
        List<Operation> operations = apiOperations();
        assertThat(operations).hasSizeGreaterThanOrEqualTo(11);

        for (Operation op : operations) {
            // When it is asked without a token
            Response stranger = given().contentType("application/json")
                    .body(op.method().equals("POST") ? "{}" : "")
                    .request(op.method(), op.concretePath());
            // Then
            assertProblem(op + " without a token", stranger, 401, null, op.concretePath());

            // When it is asked badly: a body that is not JSON, an id that names nothing, a page size of 0
            Response bad = badRequest(op);
            // Then
            assertThat(bad.statusCode()).as(op + ": " + bad.asString()).isBetween(400, 499);
            assertProblem(op + " asked badly", bad, bad.statusCode(), null, op.concretePath());
        }
    }

    @Test
    void aViewerAskingToChangeSomethingGetsAProblemNamingTheRole() {
        // When
        Response r = given().auth()
                .oauth2(Deliveries.VIEWER)
                .contentType("application/json")
                .body("{\"decision\":\"approve\"}")
                .post("/api/approvals/d1");

        // Then
        assertProblem("viewer approving", r, 403, "role-too-low", "/api/approvals/d1");
        assertThat(r.jsonPath().getString("detail")).contains("has role viewer; this needs operator");
    }

    @Test
    void refusalsQuarkusMakesBeforeARouteRunsAreProblemsToo() {
        // unknown route
        assertProblem(
                "unknown route", operator().get("/api/no-such-route"), 404, "unknown-route", "/api/no-such-route");
        // wrong method
        Response wrongMethod = operator().delete("/api/deployments");
        assertProblem("wrong method", wrongMethod, 405, "method-not-allowed", "/api/deployments");
        assertThat(wrongMethod.jsonPath().getString("detail")).isEqualTo("/api/deployments does not take DELETE");
        // wrong media type
        assertProblem(
                "text body",
                operator().contentType("text/plain").body("stage=converge").post("/api/replays"),
                415,
                "unsupported-media-type",
                "/api/replays");
        // a body that is not JSON, and JSON of the wrong shape
        Response notJson =
                operator().contentType("application/json").body("{\"stage\": ").post("/api/replays");
        assertProblem("not JSON", notJson, 400, "malformed-body", "/api/replays");
        assertProblem(
                "wrong shape",
                operator().contentType("application/json").body("[1, 2]").post("/api/hosts/forgejo-pi/trust"),
                400,
                "malformed-body",
                "/api/hosts/forgejo-pi/trust");
        Response wrongType = operator()
                .contentType("application/json")
                .body("{\"stage\": \"converge\", \"partition\": \"zero\"}")
                .post("/api/replays");
        assertProblem("wrong type", wrongType, 400, "malformed-body", "/api/replays");
        assertThat(wrongType.jsonPath().getString("detail"))
                .startsWith("the body's 'partition' has the wrong type")
                .doesNotContain("dev.handoff");
        // a body over the limit, refused before it is read
        Response tooLarge = operator()
                .contentType("application/json")
                .body("{\"comment\": \"" + "x".repeat(3 * 1024 * 1024) + "\"}")
                .post("/api/approvals/d1");
        assertProblem("too large", tooLarge, 413, "too-large", "/api/approvals/d1");
        // a parameter of the wrong type
        Response badParameter = operator().get("/api/deployments?limit=many");
        assertThat(badParameter.statusCode()).isBetween(400, 404);
        assertProblem("limit=many", badParameter, badParameter.statusCode(), "bad-parameter", "/api/deployments");
    }

    @Test
    void aFailureNoOneCaughtIsAProblemWithAnIncidentIdAndNoInternals() {
        // When
        Response bug = given().get("/test/failing");
        Response outage = given().get("/test/failing?sqlstate=08001");

        // Then
        assertProblem("bug", bug, 500, "internal-error", "/test/failing");
        assertThat(bug.jsonPath().getString("detail")).containsPattern("incident [0-9a-f-]{36}");
        assertProblem("outage", outage, 503, "database-unavailable", "/test/failing");
        assertThat(outage.header("Retry-After")).isEqualTo("10");
        assertThat(bug.asString() + outage.asString())
                .doesNotContain("hunter2")
                .doesNotContain("db.internal")
                .doesNotContain("IllegalStateException")
                .doesNotContain("at dev.handoff");
    }

    @Test
    void aProblemsTypeIsAPageAPersonCanOpen() {
        // Given
        Response problem = operator().get("/api/deployments?limit=0");

        // When
        String type = problem.jsonPath().getString("type");
        Response page = given().get(type);

        // Then
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.contentType()).startsWith("text/html");
        assertThat(page.asString()).contains("Page size out of range", "reason: bad-limit");
        assertThat(given().get("/problems").asString()).contains("/problems/unknown-token", "/problems/bad-limit");
        assertProblem(
                "unlisted type",
                given().get("/problems/no-such-reason"),
                404,
                "unknown-route",
                "/problems/no-such-reason");
    }

    private static RequestSpecification operator() {
        return given().auth().oauth2(Deliveries.OPERATOR).accept("application/json, application/problem+json");
    }

    private static Response badRequest(Operation op) {
        if (op.method().equals("POST")) {
            return operator()
                    .contentType("application/json")
                    .body("{\"not json")
                    .post(op.concretePath());
        }
        if (op.path().contains("{")) {
            return operator().get(op.concretePath());
        }
        return operator().get(op.concretePath() + "?limit=0");
    }

    /** Asserts the answer is a problem detail with every member; {@code reason} null = any reason. */
    static void assertProblem(String what, Response r, int status, String reason, String path) {
        assertThat(r.statusCode()).as(what + ": " + r.asString()).isEqualTo(status);
        assertThat(r.contentType()).as(what).startsWith("application/problem+json");
        Map<String, Object> body = r.jsonPath().getMap("");
        assertThat(body)
                .as(what)
                .containsKeys("type", "title", "status", "detail", "instance", "reason", "fix", "error")
                .containsEntry("status", status)
                .containsEntry("instance", path);
        for (String member : List.of("type", "title", "detail", "reason", "fix")) {
            assertThat(String.valueOf(body.get(member)))
                    .as(what + ": " + member)
                    .isNotBlank();
        }
        assertThat(body.get("type")).as(what).isEqualTo("/problems/" + body.get("reason"));
        assertThat(body.get("error")).as(what + ": error repeats detail").isEqualTo(body.get("detail"));
        if (reason != null) {
            assertThat(body.get("reason")).as(what).isEqualTo(reason);
        }
    }

    private static List<Operation> apiOperations() {
        Map<String, Map<String, Object>> paths = given().accept("application/json")
                .get("/q/openapi?format=json")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath()
                .getMap("paths");
        List<Operation> operations = new ArrayList<>();
        paths.forEach((path, methods) -> {
            if (path.startsWith("/api/")) {
                methods.keySet().stream()
                        .filter(m ->
                                List.of("get", "post", "put", "patch", "delete").contains(m))
                        .forEach(m -> operations.add(new Operation(m.toUpperCase(java.util.Locale.ROOT), path)));
            }
        });
        return operations;
    }
}
