package dev.handoff.common.trace;

import io.opentelemetry.sdk.trace.IdGenerator;

/**
 * The trace ids of Handoff's spans: the deployment's id for a deployment's first span ({@link Tracing#deploymentStart}
 * asks for it on its thread just before it starts the span), random ones otherwise (an HTTP request, a scheduled
 * check). A service makes it its tracer provider's id generator (a CDI producer of {@link IdGenerator}, which
 * quarkus-opentelemetry picks up).
 */
public final class DeploymentTraceIds implements IdGenerator {
    private final IdGenerator random = IdGenerator.random();

    @Override
    public String generateSpanId() {
        return random.generateSpanId();
    }

    @Override
    public String generateTraceId() {
        String requested = RequestedTraceId.take();
        return requested != null ? requested : random.generateTraceId();
    }
}
