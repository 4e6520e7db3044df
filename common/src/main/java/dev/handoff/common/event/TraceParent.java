package dev.handoff.common.event;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The W3C Trace Context of Handoff's events ({@code traceparent}, version {@code 00}), carried as a Kafka header of
 * every record of a deployment. A deployment is one trace: its trace id is the deployment id's 128 bits, so every
 * event of a deployment, from {@code commit.pushed} to the backup verdict, carries the same trace id whichever service
 * published it, and an operator finds a deployment's trace from its id. The parent span is the span of the work that
 * published the event ({@link dev.handoff.common.trace.Tracing}) when it runs in the deployment's trace; without one
 * (tracing off, or work outside a deployment's span) it is the first 64 bits of the event's id, so a re-published
 * event keeps its header. A replay makes new deployments, hence new traces; its copies name their original with
 * {@code replayof}, and their spans link to it.
 */
public final class TraceParent {
    /** The header's name, as W3C Trace Context and OpenTelemetry's Kafka propagation write it. */
    public static final String HEADER = "traceparent";

    private static final Pattern FORMAT = Pattern.compile("([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})");
    private static final String ZERO_TRACE = "0".repeat(32);
    private static final String ZERO_SPAN = "0".repeat(16);

    private TraceParent() {}

    /**
     * The {@code traceparent} of an event of a deployment, or empty for an event of none (a replay's audit): the
     * current span when it belongs to the deployment's trace, else the event's own span id.
     */
    public static Optional<String> of(EventEnvelope event) {
        if (event.deploymentId() == null || event.id() == null) {
            return Optional.empty();
        }
        String trace = traceIdOf(event.deploymentId());
        SpanContext current = Span.current().getSpanContext();
        if (current.isValid() && current.getTraceId().equals(trace)) {
            return Optional.of("00-" + trace + "-" + current.getSpanId() + "-"
                    + current.getTraceFlags().asHex());
        }
        String span = hex(event.id()).substring(0, 16);
        if (trace.length() != 32 || trace.equals(ZERO_TRACE) || span.equals(ZERO_SPAN)) {
            return Optional.empty();
        }
        return Optional.of("00-" + trace + "-" + span + "-01");
    }

    /** The trace id of a deployment: its id's 128 bits as 32 lower-case hex digits. */
    public static String traceIdOf(String deploymentId) {
        return hex(deploymentId);
    }

    /**
     * The span context a valid {@code traceparent} names, as a remote parent, or empty when the value is not a valid
     * one (a receiver ignores it and starts a fresh trace).
     */
    public static Optional<SpanContext> remoteParent(String value) {
        return traceId(value)
                .map(trace -> SpanContext.createFromRemoteParent(
                        trace, value.substring(36, 52), TraceFlags.fromHex(value, 53), TraceState.getDefault()));
    }

    /**
     * The trace id of a {@code traceparent} value, or empty when it is not one (W3C: a receiver ignores an invalid
     * header): four lower-case hex fields, version not {@code ff}, trace and parent ids not all zeros; a version
     * {@code 00} value has exactly these four fields.
     */
    public static Optional<String> traceId(String value) {
        if (value == null || value.length() < 55) {
            return Optional.empty();
        }
        String head = value.substring(0, 55);
        var m = FORMAT.matcher(head);
        if (!m.matches()
                || m.group(1).equals("ff")
                || m.group(2).equals(ZERO_TRACE)
                || m.group(3).equals(ZERO_SPAN)) {
            return Optional.empty();
        }
        if (m.group(1).equals("00") ? value.length() != 55 : value.length() > 55 && value.charAt(55) != '-') {
            return Optional.empty();
        }
        return Optional.of(m.group(2));
    }

    private static String hex(String uuid) {
        return uuid.replace("-", "").toLowerCase(java.util.Locale.ROOT);
    }
}
