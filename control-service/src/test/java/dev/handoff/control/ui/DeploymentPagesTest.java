package dev.handoff.control.ui;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.not;

import dev.handoff.control.Deliveries;
import dev.handoff.control.config.HandoffConfig;
import dev.handoff.control.security.ApiTokens;
import dev.handoff.control.security.Role;
import dev.handoff.lab.KafkaTestResource;
import dev.handoff.lab.PostgresTestResource;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The web page's sign-in and escaping, over plain HTTP. */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(PostgresTestResource.class)
class DeploymentPagesTest {
    @Inject
    HandoffConfig config;

    @Inject
    AgroalDataSource dataSource;

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

    @Test
    void aSessionOpenedOnOneReplicaIsServedByAnotherAndEndsOnBoth() {
        // Given a session opened on this control-service
        String session = given().redirects()
                .follow(false)
                .formParam("token", Deliveries.OPERATOR)
                .post("/ui/login")
                .cookie(UiSessions.COOKIE);

        // When a second replica, sharing only the database, is asked for it
        UiSessions secondReplica =
                new UiSessions(ApiTokens.parse(config.auth().tokens().orElse("")), dataSource, Clock.systemUTC());

        // Then it serves it, as the same person with the same role
        assertThat(secondReplica.find(session)).get().satisfies(s -> {
            assertThat(s.name()).isEqualTo("test-operator");
            assertThat(s.role()).isEqualTo(Role.OPERATOR);
        });
        // and signing out there ends it here too
        secondReplica.signOut(session);
        given().redirects()
                .follow(false)
                .cookie(UiSessions.COOKIE, session)
                .get("/ui")
                .then()
                .statusCode(303)
                .header("Location", endsWith("/ui/login"));
    }

    @Test
    void aSessionIdleForEightHoursIsGoneAndTheDatabaseNeverHoldsItsId() throws Exception {
        // Given a replica whose clock the test moves
        Instant[] now = {Instant.parse("2026-01-01T08:00:00Z")};
        Clock clock = new Clock() {
            @Override
            public java.time.ZoneId getZone() {
                return java.time.ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return now[0];
            }
        };
        UiSessions sessions =
                new UiSessions(ApiTokens.parse(config.auth().tokens().orElse("")), dataSource, clock);
        String session = sessions.signIn(Deliveries.VIEWER).orElseThrow();
        try (java.sql.Connection c = dataSource.getConnection();
                java.sql.PreparedStatement ps = c.prepareStatement(
                        "select count(*) from ui_session where id_sha256 = ?" + " or name = ? and id_sha256 like ?")) {
            ps.setString(1, session);
            ps.setString(2, "test-viewer");
            ps.setString(3, "%" + session + "%");
            try (java.sql.ResultSet rs = ps.executeQuery()) {
                rs.next();
                assertThat(rs.getInt(1))
                        .as("rows holding the session id itself")
                        .isZero();
            }
        }

        // When it is used within 8 hours it lives on; after 8 idle hours it is gone
        now[0] = now[0].plus(Duration.ofHours(7));
        assertThat(sessions.find(session)).isPresent();
        now[0] = now[0].plus(Duration.ofHours(7));
        assertThat(sessions.find(session)).isPresent();
        now[0] = now[0].plus(UiSessions.IDLE).plusSeconds(1);
        assertThat(sessions.find(session)).isEmpty();
    }

    @Test
    void whatAPageDoesByItselfDoesNotKeepItsSessionAlive() {
        // Given a session opened at 08:00
        Instant opened = Instant.parse("2026-01-01T08:00:00Z");
        String session = replicaAt(opened).signIn(Deliveries.VIEWER).orElseThrow();

        // When only the page's live updates use it for hours
        assertThat(replicaAt(opened.plus(Duration.ofHours(7))).peek(session)).isPresent();

        // Then it still ends 8 hours after the person last used it
        assertThat(replicaAt(opened.plus(UiSessions.IDLE).plusSeconds(1)).peek(session))
                .isEmpty();
    }

    private UiSessions replicaAt(Instant now) {
        return new UiSessions(
                ApiTokens.parse(config.auth().tokens().orElse("")),
                dataSource,
                Clock.fixed(now, java.time.ZoneOffset.UTC));
    }
}
