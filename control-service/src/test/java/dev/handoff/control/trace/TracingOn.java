package dev.handoff.control.trace;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.Map;

/** control-service with tracing on, as with {@code HANDOFF_OTLP_ENDPOINT} set, exporting to {@link SpanRecorder}. */
public class TracingOn implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("quarkus.otel.sdk.disabled", "false", "quarkus.otel.bsp.schedule.delay", "50ms");
    }
}
