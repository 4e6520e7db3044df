package dev.handoff.control.trace;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.handoff.common.trace.Tracing;
import dev.handoff.control.ChainEvents;
import dev.handoff.control.Deliveries;
import dev.handoff.lab.KafkaTestResource;
import dev.handoff.lab.PostgresTestResource;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * With tracing on, each deployment control-service starts is a trace of its own whose id is the deployment's: the
 * webhook's publication of its commit is the first span, linked to the webhook's request; a redeploy's copy starts the
 * new deployment's trace, linked to the span of the event it copies.
 */
@QuarkusTest
@TestProfile(TracingOn.class)
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(PostgresTestResource.class)
class DeploymentSpansTest {
    private final InMemorySpanExporter spans;

    DeploymentSpansTest(InMemorySpanExporter spans) {
        this.spans = spans;
    }

    @Test
    void aPushStartsTheDeploymentsTraceAndARedeployLinksItsTraceToTheOriginal() {
        // Given: a push of the runtime repository
        String deployment = Deliveries.pushForTestHost("ops/nix-k3s-edge-cluster");

        // Then: its first span has the deployment's trace id and links to the webhook request's span
        SpanData pushed = await().atMost(Duration.ofSeconds(20))
                .until(() -> span("webhook commit.pushed", deployment), s -> s != null);
        assertThat(pushed.getKind()).isEqualTo(SpanKind.PRODUCER);
        assertThat(pushed.getParentSpanContext().isValid()).isFalse();
        assertThat(pushed.getAttributes().get(Tracing.HOST)).isEqualTo(ChainEvents.HOST);
        assertThat(pushed.getLinks()).hasSize(1);
        String request = pushed.getLinks().get(0).getSpanContext().getSpanId();
        await().atMost(Duration.ofSeconds(20))
                .untilAsserted(() -> assertThat(spans.getFinishedSpanItems())
                        .as("the webhook request's span")
                        .anySatisfy(s -> {
                            assertThat(s.getSpanId()).isEqualTo(request);
                            assertThat(s.getKind()).isEqualTo(SpanKind.SERVER);
                            assertThat(s.getTraceId()).isNotEqualTo(pushed.getTraceId());
                        }));

        // When: an operator redeploys the host's converge stage (its last trigger is that commit)
        String redeployed = given().auth()
                .oauth2(Deliveries.OPERATOR)
                .contentType(ContentType.JSON)
                .body(Map.of("stage", "converge"))
                .post("/api/hosts/" + ChainEvents.HOST + "/redeploy")
                .then()
                .statusCode(202)
                .extract()
                .path("deploymentId");

        // Then: the copy starts the new deployment's trace, linked to the span the original commit came from
        SpanData copy = await().atMost(Duration.ofSeconds(20))
                .until(() -> span("replay commit.pushed", redeployed), s -> s != null);
        assertThat(copy.getParentSpanContext().isValid()).isFalse();
        assertThat(copy.getLinks())
                .extracting(l -> l.getSpanContext().getTraceId() + "/"
                        + l.getSpanContext().getSpanId())
                .containsExactly(pushed.getTraceId() + "/" + pushed.getSpanId());
    }

    /** The span named {@code name} in the trace of {@code deployment}, or null. */
    private SpanData span(String name, String deployment) {
        String trace = deployment.replace("-", "");
        return spans.getFinishedSpanItems().stream()
                .filter(s -> s.getName().equals(name) && s.getTraceId().equals(trace))
                .findFirst()
                .orElse(null);
    }
}
