package dev.handoff.common.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.handoff.common.event.EventEnvelope;
import dev.handoff.common.event.EventType;
import dev.handoff.common.event.TraceParent;
import dev.handoff.common.messaging.ReceivedEvent;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.io.IOException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TracingTest {
    private static final String DEPLOYMENT = "b1e603e9-3a3f-3e16-91e1-08eab44c868d";
    private static final String TRACE = "b1e603e93a3f3e1691e108eab44c868d";

    private final InMemorySpanExporter exported = InMemorySpanExporter.create();
    private SdkTracerProvider provider;

    @BeforeEach
    void installSdk() {
        provider = SdkTracerProvider.builder()
                .setIdGenerator(new DeploymentTraceIds())
                .addSpanProcessor(SimpleSpanProcessor.create(exported))
                .build();
        Tracing.install(OpenTelemetrySdk.builder().setTracerProvider(provider).build());
    }

    @AfterEach
    void uninstall() {
        Tracing.install(OpenTelemetry.noop());
        provider.close();
    }

    private static EventEnvelope event(String id, String type) {
        return new EventEnvelope(
                id,
                "/handoff/test",
                type,
                "cloud-edge-1",
                OffsetDateTime.now(ZoneOffset.UTC),
                EventType.COMMIT_PUSHED.dataSchema(1),
                DEPLOYMENT,
                null,
                null,
                JsonNodeFactory.instance.objectNode());
    }

    @Test
    void aDeploymentStartsItsOwnTraceLinkedToTheRequestThatCausedIt() throws Exception {
        // Given the webhook's request span, in a trace of its own
        SpanContext request = SpanContext.create(
                "0af7651916cd43dd8448eb211c80319c",
                "b7ad6b7169203331",
                TraceFlags.getSampled(),
                TraceState.getDefault());

        // When the commit.pushed of one host's deployment is encoded inside the deployment's first span
        String header = Tracing.deploymentStart(
                DEPLOYMENT,
                "webhook commit.pushed",
                "cloud-edge-1",
                request,
                () -> TraceParent.of(event("0abcffc4-d091-44b2-863d-8f27293e1816", EventType.COMMIT_PUSHED.type()))
                        .orElseThrow());

        // Then the span's trace is the deployment's, the event names the span as its parent, and it links the request
        SpanData span = only(exported.getFinishedSpanItems());
        assertThat(span.getTraceId()).isEqualTo(TRACE);
        assertThat(span.getParentSpanContext().isValid()).isFalse();
        assertThat(span.getKind()).isEqualTo(SpanKind.PRODUCER);
        assertThat(span.getLinks())
                .extracting(l -> l.getSpanContext().getSpanId())
                .containsExactly("b7ad6b7169203331");
        assertThat(header).isEqualTo("00-" + TRACE + "-" + span.getSpanId() + "-01");
        assertThat(span.getAttributes().get(Tracing.HOST)).isEqualTo("cloud-edge-1");
    }

    @Test
    void aStagesWorkIsAChildOfItsTriggerAndItsDriverCallsChildrenOfTheWork() throws Exception {
        // Given a trigger published inside another service's span
        String trigger = "00-" + TRACE + "-00f067aa0ba902b7-01";
        ReceivedEvent received = new ReceivedEvent(
                event("5f0c2b1e-7a6d-4c1b-9e3f-2d4a6b8c0e12", EventType.COMMIT_PUSHED.type()),
                "handoff.commits",
                2,
                41,
                0,
                trigger);
        AtomicReference<String> published = new AtomicReference<>();

        // When the stage works on it, calling tofu and publishing its result
        Tracing.stageWork("infra", "cloud-edge-1", received, () -> {
            Tracing.driverCall("tofu", "plan", () -> "planned");
            published.set(TraceParent.of(event("7d3c2b1e-7a6d-4c1b-9e3f-2d4a6b8c0e12", "handoff.cloud.facts"))
                    .orElseThrow());
        });

        // Then one trace: trigger → stage span → driver span, and the result's parent is the stage span
        List<SpanData> spans = exported.getFinishedSpanItems();
        SpanData work = named(spans, "infra commit.pushed");
        SpanData tofu = named(spans, "tofu plan");
        assertThat(work.getTraceId()).isEqualTo(TRACE);
        assertThat(work.getParentSpanId()).isEqualTo("00f067aa0ba902b7");
        assertThat(work.getParentSpanContext().isRemote()).isTrue();
        assertThat(work.getAttributes().get(Tracing.OFFSET)).isEqualTo(41L);
        assertThat(work.getAttributes().get(Tracing.TOPIC)).isEqualTo("handoff.commits");
        assertThat(tofu.getTraceId()).isEqualTo(TRACE);
        assertThat(tofu.getParentSpanId()).isEqualTo(work.getSpanId());
        assertThat(tofu.getKind()).isEqualTo(SpanKind.CLIENT);
        assertThat(published.get()).isEqualTo("00-" + TRACE + "-" + work.getSpanId() + "-01");
    }

    @Test
    void aFailingDriverCallMarksItsSpanAndTheWorksSpanFailed() {
        ReceivedEvent received = new ReceivedEvent(
                event("5f0c2b1e-7a6d-4c1b-9e3f-2d4a6b8c0e12", EventType.COMMIT_PUSHED.type()),
                "handoff.commits",
                0,
                1,
                0,
                "00-" + TRACE + "-00f067aa0ba902b7-01");

        assertThatThrownBy(() -> Tracing.stageWork(
                        "backup",
                        "cloud-edge-1",
                        received,
                        () -> Tracing.driverCall("restic", "check", () -> {
                            throw new IOException("repository locked");
                        })))
                .isInstanceOf(IOException.class);

        List<SpanData> spans = exported.getFinishedSpanItems();
        assertThat(named(spans, "restic check").getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
        // the exception's type leaves with the span, never its message (a tool's message can quote its input)
        assertThat(named(spans, "restic check").getEvents()).singleElement().satisfies(e -> {
            assertThat(e.getAttributes().get(Tracing.EXCEPTION_TYPE)).isEqualTo("java.io.IOException");
            assertThat(e.getAttributes().asMap().values())
                    .noneMatch(v -> v.toString().contains("repository locked"));
        });
        assertThat(named(spans, "backup commit.pushed").getStatus().getStatusCode())
                .isEqualTo(StatusCode.ERROR);
    }

    @Test
    void aToolsNonZeroExitMarksItsSpanFailed() {
        try (DriverSpan span = Tracing.driver("tofu", "apply")) {
            span.exited(1, "tofu apply exited 1");
        }
        SpanData tofu = only(exported.getFinishedSpanItems());
        assertThat(tofu.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
        assertThat(tofu.getAttributes().get(Tracing.EXIT_CODE)).isEqualTo(1L);
    }

    @Test
    void aTriggerWithoutAValidTraceparentStartsAFreshTrace() throws Exception {
        ReceivedEvent received = new ReceivedEvent(
                event("5f0c2b1e-7a6d-4c1b-9e3f-2d4a6b8c0e12", EventType.COMMIT_PUSHED.type()),
                "handoff.commits",
                0,
                1,
                0,
                "00-not-a-trace");

        Tracing.stageWork("converge", "cloud-edge-1", received, () -> {});

        SpanData work = only(exported.getFinishedSpanItems());
        assertThat(work.getParentSpanContext().isValid()).isFalse();
        assertThat(work.getTraceId()).isNotEqualTo(TRACE).hasSize(32);
    }

    @Test
    void withTracingOffEventsCarryTheirDeterministicTraceparent() throws Exception {
        Tracing.install(OpenTelemetry.noop());

        String header = Tracing.deploymentStart(
                DEPLOYMENT,
                "webhook commit.pushed",
                null,
                null,
                () -> TraceParent.of(event("0abcffc4-d091-44b2-863d-8f27293e1816", EventType.COMMIT_PUSHED.type()))
                        .orElseThrow());

        assertThat(header).isEqualTo("00-" + TRACE + "-0abcffc4d09144b2-01");
        assertThat(exported.getFinishedSpanItems()).isEmpty();
    }

    @Test
    void theTracingSettingsTurnTheSdkOnOnlyWithAnEndpoint() {
        assertThat(TracingConfigSource.properties(null, null)).containsEntry("quarkus.otel.sdk.disabled", "true");
        assertThat(TracingConfigSource.properties(" ", null)).containsEntry("quarkus.otel.sdk.disabled", "true");
        assertThat(TracingConfigSource.properties("http://collector:4318", null))
                .containsEntry("quarkus.otel.sdk.disabled", "false")
                .containsEntry("quarkus.otel.exporter.otlp.traces.endpoint", "http://collector:4318")
                .containsEntry("quarkus.otel.exporter.otlp.traces.protocol", "http/protobuf");
        assertThat(TracingConfigSource.properties("http://collector:4317", "GRPC"))
                .containsEntry("quarkus.otel.exporter.otlp.traces.protocol", "grpc");
        assertThatThrownBy(() -> TracingConfigSource.properties("http://collector:4317", "thrift"))
                .hasMessageContaining("HANDOFF_OTLP_PROTOCOL must be http/protobuf or grpc");
    }

    private static SpanData only(List<SpanData> spans) {
        assertThat(spans).hasSize(1);
        return spans.get(0);
    }

    private static SpanData named(List<SpanData> spans, String name) {
        return spans.stream()
                .filter(s -> s.getName().equals(name))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no span " + name + " in " + spans));
    }
}
