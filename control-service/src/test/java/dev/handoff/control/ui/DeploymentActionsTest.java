package dev.handoff.control.ui;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;

import dev.handoff.common.serde.EventCodec;
import dev.handoff.control.Deliveries;
import dev.handoff.control.HeldPlans;
import dev.handoff.lab.KafkaTestResource;
import dev.handoff.lab.PostgresTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(PostgresTestResource.class)
class DeploymentActionsTest {
    private static final Pattern CSRF = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"");

    private final EventCodec codec;

    DeploymentActionsTest(EventCodec codec) {
        this.codec = codec;
    }

    @Test
    void anOperatorSeesThePlannedChangesAndApprovesFromThePage() throws Exception {
        // Given a plan held for approval, and an operator's session
        String deployment = askForApproval();
        String session = signIn(Deliveries.OPERATOR);

        // When the operator opens the deployment's page
        String page = given().cookie(UiSessions.COOKIE, session)
                .get("/ui/deployments/" + deployment)
                .then()
                .statusCode(200)
                .body(containsString(HeldPlans.CHANGE))
                .extract()
                .asString();

        // and approves, confirmed, with the page's form
        given().cookie(UiSessions.COOKIE, session)
                .redirects()
                .follow(false)
                .formParam("csrf", csrf(page))
                .formParam("decision", "approve")
                .formParam("comment", "volume backed up")
                .formParam("confirm", "yes")
                .post("/ui/deployments/" + deployment + "/decision")
                .then()
                .statusCode(303)
                .header("Location", containsString("/ui/deployments/" + deployment));

        // Then the stage is approved, in the operator's name, and the page no longer offers the form
        awaitInfraStatus(deployment, "approved");
        assertThat(given().auth()
                        .oauth2(Deliveries.VIEWER)
                        .queryParam("deployment", deployment)
                        .get("/api/events")
                        .then()
                        .extract()
                        .asString())
                .contains("handoff.approval.decided", "test-operator", "volume backed up");
        given().cookie(UiSessions.COOKIE, session)
                .get("/ui/deployments/" + deployment)
                .then()
                .statusCode(200)
                .body(not(containsString("id=\"approval\"")));
    }

    @Test
    void aRejectionFromThePageIsRecorded() throws Exception {
        String deployment = askForApproval();
        String session = signIn(Deliveries.OPERATOR);
        String page = given().cookie(UiSessions.COOKIE, session)
                .get("/ui/deployments/" + deployment)
                .then()
                .extract()
                .asString();

        given().cookie(UiSessions.COOKIE, session)
                .redirects()
                .follow(false)
                .formParam("csrf", csrf(page))
                .formParam("decision", "reject")
                .formParam("confirm", "yes")
                .post("/ui/deployments/" + deployment + "/decision")
                .then()
                .statusCode(303);

        awaitInfraStatus(deployment, "rejected");
    }

    @Test
    void aFormWithoutTheSessionsTokenOrConfirmationOrFromAViewerDecidesNothing() throws Exception {
        // Given a held plan
        String deployment = askForApproval();
        String operator = signIn(Deliveries.OPERATOR);
        String viewer = signIn(Deliveries.VIEWER);
        String page = given().cookie(UiSessions.COOKIE, operator)
                .get("/ui/deployments/" + deployment)
                .then()
                .extract()
                .asString();

        // When a form comes without the token (another site's), with another session's, unconfirmed, or from a viewer
        String otherSessionsPage = given().cookie(UiSessions.COOKIE, signIn(Deliveries.OPERATOR))
                .get("/ui/deployments/" + deployment)
                .then()
                .extract()
                .asString();
        decide(deployment, operator, null, "yes").statusCode(403).body(containsString("The form has expired"));
        decide(deployment, operator, csrf(otherSessionsPage), "yes").statusCode(403);
        decide(deployment, operator, csrf(page), null).statusCode(400).body(containsString("Not confirmed"));
        decide(deployment, viewer, csrf(page), "yes").statusCode(403).body(containsString("Only an operator"));
        given().cookie(UiSessions.COOKIE, viewer)
                .get("/ui/deployments/" + deployment)
                .then()
                .statusCode(200)
                .body(not(containsString("id=\"approval\"")));

        // Then nothing was decided: the stage still waits
        given().auth()
                .oauth2(Deliveries.VIEWER)
                .get("/api/deployments/" + deployment)
                .then()
                .statusCode(200)
                .body("stages.find { it.stage == 'infra' }.status", equalTo("waiting-approval"));
    }

    private static io.restassured.response.ValidatableResponse decide(
            String deployment, String session, String csrf, String confirm) {
        var request = given().cookie(UiSessions.COOKIE, session)
                .redirects()
                .follow(false)
                .formParam("decision", "approve");
        if (csrf != null) {
            request = request.formParam("csrf", csrf);
        }
        if (confirm != null) {
            request = request.formParam("confirm", confirm);
        }
        return request.post("/ui/deployments/" + deployment + "/decision").then();
    }

    private static String csrf(String page) {
        Matcher m = CSRF.matcher(page);
        assertThat(m.find()).as("the page has the decision form:\n%s", page).isTrue();
        return m.group(1);
    }

    private static String signIn(String token) {
        return given().redirects()
                .follow(false)
                .formParam("token", token)
                .post("/ui/login")
                .cookie(UiSessions.COOKIE);
    }

    private String askForApproval() throws Exception {
        return HeldPlans.ask(codec);
    }

    static void awaitInfraStatus(String deployment, String status) {
        HeldPlans.awaitInfraStatus(deployment, status);
    }
}
