package dev.handoff.control.problem;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.handoff.lab.KafkaTestResource;
import dev.handoff.lab.PostgresTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The OpenAPI document tells a client generator the truth about errors and tokens. */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(PostgresTestResource.class)
class ProblemDocumentTest {
    @Test
    void theProblemSchemaHasEveryMemberAProblemCarries() {
        // When
        JsonPath document = openApi();

        // Then
        Map<String, Object> properties = document.getMap("components.schemas.Problem.properties");
        assertThat(properties.keySet())
                .containsExactlyInAnyOrderElementsOf(Arrays.stream(Problem.class.getRecordComponents())
                        .map(RecordComponent::getName)
                        .toList());
        assertThat(document.getList("components.schemas.Problem.required", String.class))
                .containsExactlyInAnyOrder("type", "title", "status", "detail", "reason", "fix");
        assertThat(document.getBoolean("components.schemas.Problem.properties.error.deprecated"))
                .isTrue();
    }

    @Test
    void everyApiOperationDescribesItsErrorsAsProblems() {
        // When
        JsonPath document = openApi();
        Map<String, Map<String, Map<String, Object>>> paths = document.getMap("paths");

        // Then
        int operations = 0;
        for (Map.Entry<String, Map<String, Map<String, Object>>> path : paths.entrySet()) {
            if (!path.getKey().startsWith("/api/")) {
                continue;
            }
            for (Map.Entry<String, Map<String, Object>> op : path.getValue().entrySet()) {
                String where = op.getKey() + " " + path.getKey();
                @SuppressWarnings("unchecked")
                Map<String, Map<String, Object>> responses =
                        (Map<String, Map<String, Object>>) op.getValue().get("responses");
                assertThat(responses).as(where).containsKeys("401", "403", "4XX", "5XX");
                for (String status : new String[] {"401", "403", "4XX", "5XX"}) {
                    assertThat(String.valueOf(responses.get(status)))
                            .as(where + " " + status)
                            .contains("application/problem+json")
                            .contains("#/components/schemas/Problem");
                }
                operations++;
            }
        }
        assertThat(operations).isGreaterThanOrEqualTo(11);
    }

    @Test
    void theBearerSchemeSaysTheTokensAreOpaqueNotJwts() {
        // When
        Map<String, Object> scheme = openApi().getMap("components.securitySchemes.SecurityScheme");

        // Then
        assertThat(scheme)
                .containsEntry("type", "http")
                .containsEntry("scheme", "bearer")
                .doesNotContainKey("bearerFormat");
        assertThat(String.valueOf(scheme.get("description")))
                .contains("opaque", "not a JWT", "SHA-256", "docs/security.md");
    }

    private static JsonPath openApi() {
        return given().accept("application/json")
                .get("/q/openapi?format=json")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
    }
}
