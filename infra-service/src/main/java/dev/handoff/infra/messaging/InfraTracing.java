package dev.handoff.infra.messaging;

import dev.handoff.common.trace.DeploymentTraceIds;
import dev.handoff.common.trace.Tracing;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.sdk.trace.IdGenerator;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * Joins infra-service to its deployments' traces (it takes no bean from handoff-stage-support, so not StageTracing): the tracer provider takes deployment ids as trace ids
 * ({@link DeploymentTraceIds}), and {@link Tracing} gets the service's OpenTelemetry before any consumer loop starts
 * (this observer runs first). Whether spans are recorded and exported is {@code HANDOFF_OTLP_ENDPOINT}'s choice
 * ({@link dev.handoff.common.trace.TracingConfigSource}).
 */
@Singleton
public class InfraTracing {
    @Produces
    @Singleton
    IdGenerator deploymentTraceIds() {
        return new DeploymentTraceIds();
    }

    void install(@Observes @Priority(1) StartupEvent start, OpenTelemetry openTelemetry) {
        Tracing.install(openTelemetry);
    }
}
