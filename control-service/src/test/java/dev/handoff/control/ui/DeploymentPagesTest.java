package dev.handoff.control.ui;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.not;

import dev.handoff.control.Deliveries;
import dev.handoff.lab.KafkaTestResource;
import dev.handoff.lab.PostgresTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

/** The web page's sign-in and escaping, over plain HTTP. */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(PostgresTestResource.class)
class DeploymentPagesTest {

    @Test
    void withoutASessionEveryPageSendsToTheSignInForm() {
        given().redirects().follow(false).get("/ui").then().statusCode(303).header("Location", endsWith("/ui/login"));
        given().redirects()
                .follow(false)
                .cookie(UiSessions.COOKIE, "made-up")
                .get("/ui/deployments/x")
                .then()
                .statusCode(303);
        given().redirects().follow(false).get("/").then().statusCode(303).header("Location", endsWith("/ui"));
    }

    @Test
    void aWrongTokenIsRefusedAndARightOneGivesAnHttpOnlySessionCookieThatIsNotTheToken() {
        // When / Then
        given().formParam("token", "guessed")
                .post("/ui/login")
                .then()
                .statusCode(401)
                .body(containsString("not recognised"));
        Response ok = given().redirects()
                .follow(false)
                .formParam("token", Deliveries.VIEWER)
                .post("/ui/login");
        assertThat(ok.statusCode()).isEqualTo(303);
        String setCookie = ok.header("Set-Cookie");
        assertThat(setCookie)
                .contains("HttpOnly")
                .containsIgnoringCase("SameSite=Strict")
                .doesNotContain("viewer-token");
        String session = ok.cookie(UiSessions.COOKIE);
        given().cookie(UiSessions.COOKIE, session)
                .get("/ui")
                .then()
                .statusCode(200)
                .body(containsString("signed in as <strong>test-viewer</strong>"));

        // and signing out ends the session
        given().redirects()
                .follow(false)
                .cookie(UiSessions.COOKIE, session)
                .post("/ui/logout")
                .then()
                .statusCode(303);
        given().redirects()
                .follow(false)
                .cookie(UiSessions.COOKIE, session)
                .get("/ui")
                .then()
                .statusCode(303);
    }

    @Test
    void whatTheUserTypesIsEscapedInThePage() {
        // Given
        String session = given().redirects()
                .follow(false)
                .formParam("token", Deliveries.VIEWER)
                .post("/ui/login")
                .cookie(UiSessions.COOKIE);

        // When / Then
        given().cookie(UiSessions.COOKIE, session)
                .queryParam("host", "\"><script>alert(1)</script>")
                .get("/ui")
                .then()
                .statusCode(200)
                .body(not(containsString("<script>alert(1)</script>")))
                .body(containsString("&quot;&gt;&lt;script&gt;"));
        given().cookie(UiSessions.COOKIE, session)
                .get("/ui/deployments/<i>nope")
                .then()
                .statusCode(404)
                .body(containsString("No deployment &lt;i&gt;nope"));
    }
}
