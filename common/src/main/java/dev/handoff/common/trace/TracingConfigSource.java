package dev.handoff.common.trace;

import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.eclipse.microprofile.config.spi.ConfigSource;

/**
 * Turns Handoff's two tracing settings into quarkus-opentelemetry's, for every service alike: with
 * {@code HANDOFF_OTLP_ENDPOINT} set (e.g. {@code http://otel-collector:4318}) the services record spans and export
 * them by OTLP ({@code HANDOFF_OTLP_PROTOCOL}: {@code http/protobuf}, the default, or {@code grpc}); without it the
 * SDK is off, nothing is exported and no export error is logged, and events still carry their deployment's
 * {@code traceparent}. Its ordinal is below application.properties and the environment, so an explicit
 * {@code quarkus.otel.*} setting wins.
 */
public final class TracingConfigSource implements ConfigSource {
    /** The environment variable naming the OTLP collector; blank or unset turns tracing off. */
    public static final String ENDPOINT = "HANDOFF_OTLP_ENDPOINT";
    /** The environment variable naming the OTLP protocol. */
    public static final String PROTOCOL = "HANDOFF_OTLP_PROTOCOL";

    private final Map<String, String> properties;

    /** Reads the process's environment. */
    public TracingConfigSource() {
        this(System.getenv());
    }

    TracingConfigSource(Map<String, String> environment) {
        this.properties = properties(environment.get(ENDPOINT), environment.get(PROTOCOL));
    }

    static Map<String, String> properties(String endpoint, String protocol) {
        Map<String, String> p = new TreeMap<>();
        boolean on = endpoint != null && !endpoint.isBlank();
        p.put("quarkus.otel.sdk.disabled", Boolean.toString(!on));
        if (on) {
            String chosen = protocol == null || protocol.isBlank()
                    ? "http/protobuf"
                    : protocol.trim().toLowerCase(Locale.ROOT);
            if (!chosen.equals("http/protobuf") && !chosen.equals("grpc")) {
                throw new IllegalArgumentException(PROTOCOL + " must be http/protobuf or grpc, got '" + protocol
                        + "': set it to the protocol your collector receives (port 4318 speaks http/protobuf, 4317"
                        + " grpc)");
            }
            p.put("quarkus.otel.exporter.otlp.traces.endpoint", endpoint.trim());
            p.put("quarkus.otel.exporter.otlp.traces.protocol", chosen);
        }
        return Map.copyOf(p);
    }

    @Override
    public Map<String, String> getProperties() {
        return properties;
    }

    @Override
    public Set<String> getPropertyNames() {
        return properties.keySet();
    }

    @Override
    public String getValue(String propertyName) {
        return properties.get(propertyName);
    }

    @Override
    public String getName() {
        return "handoff-tracing";
    }

    @Override
    public int getOrdinal() {
        return 150;
    }
}
