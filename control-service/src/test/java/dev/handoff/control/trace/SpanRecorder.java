package dev.handoff.control.trace;

import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * The span exporter of control-service's tests: quarkus-opentelemetry exports to a CDI span exporter when there is
 * one. Spans are recorded only where a test turns the SDK on ({@link TracingOn}); elsewhere it is off, as without
 * {@code HANDOFF_OTLP_ENDPOINT}.
 */
@Singleton
public class SpanRecorder {
    private final InMemorySpanExporter spans = InMemorySpanExporter.create();

    @Produces
    @Singleton
    InMemorySpanExporter exporter() {
        return spans;
    }
}
