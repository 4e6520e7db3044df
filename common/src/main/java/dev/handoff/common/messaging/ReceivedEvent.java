package dev.handoff.common.messaging;

import dev.handoff.common.event.EventEnvelope;

/**
 * A valid event as read from Kafka, with where it was read from (the replay coordinates).
 *
 * @param event the decoded, validated, upcast event
 * @param topic the topic
 * @param partition the partition
 * @param offset the offset
 * @param timestamp the record's Kafka timestamp, epoch millis
 * @param traceId the trace id of the record's {@code traceparent} header, or null when it has none that is valid
 */
public record ReceivedEvent(
        EventEnvelope event, String topic, int partition, long offset, long timestamp, String traceId) {

    /** An event read without a trace context. */
    public ReceivedEvent(EventEnvelope event, String topic, int partition, long offset, long timestamp) {
        this(event, topic, partition, offset, timestamp, null);
    }
}
