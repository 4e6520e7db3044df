package dev.handoff.control.security;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;

import dev.handoff.control.Deliveries;
import dev.handoff.lab.KafkaTestResource;
import dev.handoff.lab.PostgresTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.ws.rs.Consumes;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Every route, called by a stranger: nothing but the sign-in form and the redirect to it answers. */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(PostgresTestResource.class)
class UnauthenticatedRoutesTest {
    /** Routes a stranger may open: the sign-in form and the root, which sends to the page. */
    private static final Set<String> OPEN = Set.of("GET /ui/login", "GET /");
    /** The pages explaining the API's error reasons: public, and 404 for the made-up reason a route is called with. */
    private static final Set<String> PROBLEM_PAGES = Set.of("GET /problems", "GET /problems/{reason}");
    /**
     * The published event contract (docs/events.md): public, so that a consumer resolves each event's dataschema, and
     * 404 for the made-up type a route is called with.
     */
    private static final Set<String> CONTRACT = Set.of("GET /asyncapi.yaml", "GET /schemas/{type}/{file}");

    @Test
    void everyRouteRefusesARequestWithoutCredentials() {
        // Given every route of the service
        List<Routes.Route> routes = Routes.all();
        assertThat(routes).hasSizeGreaterThan(10);

        for (Routes.Route route : routes) {
            // When a request without token, cookie or signature arrives
            Response r = given().redirects()
                    .follow(false)
                    // each from an address of its own, so that the sign-in limit does not answer 429 instead
                    .header(
                            "X-Forwarded-For",
                            "10.1." + (routes.indexOf(route) / 250) + "." + (routes.indexOf(route) % 250 + 1))
                    .contentType(contentType(route))
                    .request(route.httpMethod(), route.concretePath());

            // Then the API answers 401, the webhook 401, a page sends to the sign-in form
            String key = route.httpMethod() + " " + route.path();
            if (PROBLEM_PAGES.contains(key) || CONTRACT.contains(key)) {
                assertThat(r.statusCode()).as(key).isIn(200, 404);
            } else if (OPEN.contains(key)) {
                assertThat(r.statusCode()).as(key).isIn(200, 303);
            } else if (route.path().startsWith("/ui") && r.statusCode() == 303) {
                assertThat(r.header("Location")).as(key).endsWith("/ui/login");
            } else {
                assertThat(r.statusCode()).as(key + ": " + r.asString()).isEqualTo(401);
            }
        }
    }

    private static String contentType(Routes.Route route) {
        Consumes consumes = route.method().getAnnotation(Consumes.class);
        if (consumes == null || consumes.value().length == 0 || consumes.value()[0].contains("*")) {
            return "application/json";
        }
        return consumes.value()[0];
    }

    @Test
    void aRouteWithoutAnAccessRuleIsRefusedEvenWithAToken() {
        given().auth()
                .oauth2(Deliveries.OPERATOR)
                .get("/test/unruled")
                .then()
                .statusCode(403)
                .body(containsString("declares no access rule"))
                .body(org.hamcrest.Matchers.not(containsString("anyone can read this")));
    }
}
