package dev.handoff.control.contract;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.startsWith;

import com.fasterxml.jackson.databind.JsonNode;
import dev.handoff.common.asyncapi.AsyncApiGenerator;
import dev.handoff.common.event.EventType;
import dev.handoff.common.serde.Json;
import dev.handoff.lab.KafkaTestResource;
import dev.handoff.lab.PostgresTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * control-service publishes the event contract without a token: the AsyncAPI document, which an AsyncAPI parser
 * accepts (the official {@code @asyncapi/parser}), and every schema it and the events' {@code dataschema} name.
 */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(PostgresTestResource.class)
class ContractEndpointTest {
    @TestHTTPResource("/asyncapi.yaml")
    URL asyncApiUrl;

    private static String asyncApi() {
        return given().get("/asyncapi.yaml")
                .then()
                .statusCode(200)
                .contentType(startsWith("application/yaml"))
                .extract()
                .asString();
    }

    @Test
    void theOfficialAsyncApiParserAcceptsTheServedDocumentAndResolvesItsSchemas() throws Exception {
        // Given the document as served without a token
        assertThat(AsyncApiGenerator.read(asyncApi()).path("asyncapi").asText()).isEqualTo("3.0.0");

        // When @asyncapi/parser reads it from control-service, following its $refs to the served schemas
        Parsed parsed = parse(asyncApiUrl.toString());

        // Then
        assertThat(parsed.exitCode()).as(parsed.output()).isZero();
        assertThat(parsed.output()).contains("VALID AsyncAPI document").doesNotContain("error ");
    }

    @Test
    void theParserRefusesABrokenDocument(@TempDir Path dir) throws Exception {
        // Given the served document with an operation of AsyncAPI 2 and a payload schema that does not exist
        String broken = asyncApi()
                .replace("action: send", "action: publish")
                .replace("schemas/commit.pushed/v1.json", "schemas/commit.pushed/v9.json");
        Path file = dir.resolve("asyncapi.yaml");
        Files.writeString(file, broken);

        // When
        Parsed parsed = parse(file.toString());

        // Then the acceptance above means something
        assertThat(parsed.exitCode()).as(parsed.output()).isEqualTo(1);
        assertThat(parsed.output())
                .contains("INVALID")
                .contains("\"send\", \"receive\"")
                .contains("v9.json");
    }

    private record Parsed(int exitCode, String output) {}

    /** Runs the parser that the build installed in target/asyncapi-parser (control-service's pom.xml). */
    private static Parsed parse(String source) throws Exception {
        Path script = Path.of("target", "asyncapi-parser", "validate.mjs");
        assertThat(script.resolveSibling("node_modules").resolve("@asyncapi").resolve("parser"))
                .as("@asyncapi/parser, which ./mvnw installs with npm in process-test-resources (needs node and npm)")
                .isDirectory();
        Process process = new ProcessBuilder("node", script.toString(), source)
                .redirectErrorStream(true)
                .start();
        CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> {
            try (InputStream in = process.getInputStream()) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("the AsyncAPI parser did not finish within 120 s: " + script);
        }
        return new Parsed(process.exitValue(), output.get(10, TimeUnit.SECONDS));
    }

    @Test
    void everyPayloadSchemaTheDocumentReferencesResolvesRelativeToIt() throws Exception {
        // Given
        JsonNode messages =
                AsyncApiGenerator.read(asyncApi()).path("components").path("messages");
        URI document = URI.create("/asyncapi.yaml");

        // Then
        for (EventType type : EventType.values()) {
            String ref = messages.path(type.shortName())
                    .path("payload")
                    .path("schema")
                    .path("$ref")
                    .asText();
            String path = document.resolve(ref).getPath();
            JsonNode schema = Json.mapper()
                    .readTree(given().get(path)
                            .then()
                            .statusCode(200)
                            .contentType(ContractResource.SCHEMA_JSON)
                            .extract()
                            .asByteArray());
            assertThat(schema.path("$id").asText()).as(path).isEqualTo(type.dataSchema(type.currentVersion()));
        }
    }

    @Test
    void everySchemaIsServedAsItIsInTheContract() throws Exception {
        for (EventType type : EventType.values()) {
            byte[] served = given().accept("application/schema+json, application/json")
                    .get("/schemas/" + type.shortName() + "/v1.json")
                    .then()
                    .statusCode(200)
                    .contentType(ContractResource.SCHEMA_JSON)
                    .header("Cache-Control", containsString("max-age"))
                    .extract()
                    .asByteArray();
            try (InputStream in = getClass().getResourceAsStream(type.schemaResource(1))) {
                assertThat(served).as(type.type()).isEqualTo(in.readAllBytes());
            }
        }
    }

    @Test
    void anUnknownTypeOrVersionIsA404ThatSaysWhatExists() {
        given().get("/schemas/commit.deleted/v1.json")
                .then()
                .statusCode(404)
                .contentType(startsWith("text/plain"))
                .body(containsString("'commit.deleted' is not an event type"))
                .body(containsString("commit.pushed"));
        given().get("/schemas/commit.pushed/v9.json")
                .then()
                .statusCode(404)
                .body(containsString("handoff.commit.pushed has no schema 'v9.json'"))
                .body(containsString("/schemas/commit.pushed/v1.json"));
        given().get("/schemas/commit.pushed/v1").then().statusCode(404);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "/schemas/..%2F..%2Fapplication.properties/v1.json",
                "/schemas/commit.pushed/..%2F..%2Fapplication.properties",
                "/schemas/%2E%2E/v1.json",
                "/schemas/commit.pushed/v1.json%00.properties",
                "/schemas/../application.properties"
            })
    void noPathReachesAnythingButTheContractsSchemas(String path) {
        given().urlEncodingEnabled(false)
                .get(path)
                .then()
                .statusCode(404)
                .body(org.hamcrest.Matchers.not(containsString("quarkus.")));
    }
}
