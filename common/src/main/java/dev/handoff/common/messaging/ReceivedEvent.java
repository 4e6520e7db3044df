package dev.handoff.common.messaging;

import dev.handoff.common.event.EventEnvelope;
import dev.handoff.common.event.TraceParent;

/**
 * A valid event as read from Kafka, with where it was read from (the replay coordinates).
 *
 * @param event the decoded, validated, upcast event
 * @param topic the topic
 * @param partition the partition
 * @param offset the offset
 * @param timestamp the record's Kafka timestamp, epoch millis
 * @param traceParent the record's W3C {@code traceparent} header as it came, or null when it has none; read it with
 *     {@link #traceId()} (which ignores an invalid one)
 */
public record ReceivedEvent(
        EventEnvelope event, String topic, int partition, long offset, long timestamp, String traceParent) {

    /** An event read without a trace context. */
    public ReceivedEvent(EventEnvelope event, String topic, int partition, long offset, long timestamp) {
        this(event, topic, partition, offset, timestamp, null);
    }

    /** The trace id of the record's {@code traceparent}, or null when it has none that is valid. */
    public String traceId() {
        return TraceParent.traceId(traceParent).orElse(null);
    }
}
