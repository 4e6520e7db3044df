package dev.handoff.common.event;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The W3C Trace Context of Handoff's events ({@code traceparent}, version {@code 00}), carried as a Kafka header of
 * every record of a deployment. A deployment is one trace: its trace id is the deployment id's 128 bits, and each
 * event is a span whose id is the first 64 bits of the event's id. So every event of a deployment, from
 * {@code commit.pushed} to the backup verdict, carries the same trace id whichever service published it, an operator
 * finds a deployment's trace from its id, and a redelivered or re-published event keeps its span. A replay makes new
 * deployments, hence new traces; its copies name their original with {@code replayof}.
 */
public final class TraceParent {
    /** The header's name, as W3C Trace Context and OpenTelemetry's Kafka propagation write it. */
    public static final String HEADER = "traceparent";

    private static final Pattern FORMAT = Pattern.compile("([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})");
    private static final String ZERO_TRACE = "0".repeat(32);
    private static final String ZERO_SPAN = "0".repeat(16);

    private TraceParent() {}

    /** The {@code traceparent} of an event of a deployment, or empty for an event of none (a replay's audit). */
    public static Optional<String> of(EventEnvelope event) {
        if (event.deploymentId() == null || event.id() == null) {
            return Optional.empty();
        }
        String trace = hex(event.deploymentId());
        String span = hex(event.id()).substring(0, 16);
        if (trace.length() != 32 || trace.equals(ZERO_TRACE) || span.equals(ZERO_SPAN)) {
            return Optional.empty();
        }
        return Optional.of("00-" + trace + "-" + span + "-01");
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
