package dev.handoff.control.security;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.handoff.control.Deliveries;
import dev.handoff.lab.KafkaTestResource;
import dev.handoff.lab.PostgresTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * Failed sign-ins are limited per client address ({@code handoff.auth.max-failures} a minute; 10 by default, more in
 * the test profile, whose other tests' 401s all come from 127.0.0.1). Each test comes from its own address through
 * X-Forwarded-For, as behind a reverse proxy with forwarding enabled, so tests do not share a budget.
 */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(PostgresTestResource.class)
class SignInLimitTest {

    @ConfigProperty(name = "handoff.auth.max-failures")
    int limit;

    private static String someAddress() {
        UUID u = UUID.randomUUID();
        return "172.16." + (u.getMostSignificantBits() & 0xff) + "." + (u.getLeastSignificantBits() & 0xff);
    }

    @Test
    void oneWrongTokenMoreThanTheLimitInAMinuteIsAnswered429WithRetryAfterAndSoIsARightOne() {
        // Given a client that sent as many wrong tokens as allowed
        String client = someAddress();
        for (int i = 0; i < limit; i++) {
            given().header("X-Forwarded-For", client)
                    .auth()
                    .oauth2("guess-" + i)
                    .get("/api/deployments")
                    .then()
                    .statusCode(401);
        }

        // When it tries again
        var refused = given().header("X-Forwarded-For", client)
                .auth()
                .oauth2("one-guess-too-many")
                .get("/api/deployments")
                .then()
                .statusCode(429)
                .contentType("application/problem+json")
                .body("reason", equalTo("too-many-failures"))
                .body("detail", containsString("too many failed sign-ins"))
                .extract();

        // Then it is told when to come back, and is not let in meanwhile even with a good token
        assertThat(Integer.parseInt(refused.header("Retry-After"))).isBetween(1, 60);
        given().header("X-Forwarded-For", client)
                .auth()
                .oauth2(Deliveries.VIEWER)
                .get("/api/deployments")
                .then()
                .statusCode(429);
        // while another client is not affected
        given().header("X-Forwarded-For", someAddress())
                .auth()
                .oauth2(Deliveries.VIEWER)
                .get("/api/deployments")
                .then()
                .statusCode(200);
    }

    @Test
    void successesDoNotCount() {
        // Given a client with one failure less than the limit, and many successes
        String client = someAddress();
        for (int i = 0; i < limit - 1; i++) {
            given().header("X-Forwarded-For", client)
                    .auth()
                    .oauth2("guess-" + i)
                    .get("/api/events")
                    .then()
                    .statusCode(401);
        }
        for (int i = 0; i < 30; i++) {
            given().header("X-Forwarded-For", client)
                    .auth()
                    .oauth2(Deliveries.VIEWER)
                    .get("/api/events")
                    .then()
                    .statusCode(200);
        }

        // Then its last allowed failure is still a plain 401
        given().header("X-Forwarded-For", client)
                .auth()
                .oauth2("last-allowed-guess")
                .get("/api/events")
                .then()
                .statusCode(401)
                .body("error", equalTo("the token is not recognised"));
    }

    @Test
    void theSignInFormIsLimitedToo() {
        // Given a client that typed as many wrong tokens into the sign-in form as allowed
        String client = someAddress();
        for (int i = 0; i < limit; i++) {
            given().header("X-Forwarded-For", client)
                    .formParam("token", "guess-" + i)
                    .post("/ui/login")
                    .then()
                    .statusCode(401);
        }

        // When / Then the next one is not even checked
        given().header("X-Forwarded-For", client)
                .formParam("token", Deliveries.VIEWER)
                .post("/ui/login")
                .then()
                .statusCode(429)
                .header("Retry-After", org.hamcrest.Matchers.notNullValue())
                .body(containsString("too many failed sign-ins"));
    }
}
