package dev.handoff.control.security;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.handoff.control.Deliveries;
import dev.handoff.lab.KafkaTestResource;
import dev.handoff.lab.PostgresTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

/** Outside the lab, the page's session cookie travels over HTTPS only, even when the request came in over HTTP. */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(PostgresTestResource.class)
class SessionCookieTest {

    @Test
    void theSessionCookieIsSecureHttpOnlyAndStrictByDefault() {
        // When someone signs in over plain HTTP without X-Forwarded-Proto (a proxy that does not say it ends TLS)
        Response signedIn = given().redirects()
                .follow(false)
                .formParam("token", Deliveries.VIEWER)
                .post("/ui/login");

        // Then the browser is told to send the cookie back over HTTPS only
        assertThat(signedIn.statusCode()).isEqualTo(303);
        assertThat(signedIn.header("Set-Cookie"))
                .startsWith("handoff_session=")
                .containsIgnoringCase("Secure")
                .contains("HttpOnly")
                .containsIgnoringCase("SameSite=Strict");
    }
}
