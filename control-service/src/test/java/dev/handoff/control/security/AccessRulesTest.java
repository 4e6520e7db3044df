package dev.handoff.control.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.handoff.control.unruled.UnruledResource;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Deny by default: every route of control-service declares who may call it. */
class AccessRulesTest {

    @Test
    void everyRouteOfControlServiceHasAnExplicitAccessRule() {
        // Given every JAX-RS route of the service
        List<Routes.Route> routes = Routes.all();
        assertThat(routes)
                .as("the walk finds the API, the webhook and the page")
                .extracting(Routes.Route::path)
                .contains("/api/deployments", "/api/replays", "/hooks/forgejo", "/ui/login");

        // Then each has a rule on its method, class or package
        assertThat(routes)
                .filteredOn(r -> AccessRules.of(r.type(), r.method()).isEmpty())
                .as("routes without @RequiresRole or @PublicEndpoint (they are refused with 403)")
                .isEmpty();
    }

    @Test
    void writingRoutesNeedAnOperatorAndTheWebhookIsOnlyPublicBecauseItIsSigned() {
        // Given
        List<Routes.Route> routes = Routes.all();

        // Then
        assertThat(routes)
                .filteredOn(r -> r.path().startsWith("/api") && !r.httpMethod().equals("GET"))
                .isNotEmpty()
                .allSatisfy(r -> assertThat(AccessRules.of(r.type(), r.method()))
                        .as(r.toString())
                        .contains(new AccessRules.Bearer(Role.OPERATOR)));
        assertThat(routes)
                .filteredOn(r -> r.path().equals("/hooks/forgejo"))
                .singleElement()
                .satisfies(r -> assertThat(AccessRules.of(r.type(), r.method()))
                        .get()
                        .asString()
                        .contains("HMAC"));
    }

    @Test
    void aRouteWithoutAnnotationsAnywhereHasNoRule() throws Exception {
        // Given a resource in a package without package-info, with no annotation on class or method
        Optional<AccessRules.Rule> rule =
                AccessRules.of(UnruledResource.class, UnruledResource.class.getMethod("secrets"));

        // Then
        assertThat(rule).isEmpty();
    }
}
