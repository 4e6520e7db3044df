package dev.handoff.control.replay;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.handoff.common.event.EventEnvelope;
import dev.handoff.common.event.TraceParent;
import dev.handoff.common.serde.EventCodec;
import dev.handoff.common.serde.Json;
import java.nio.charset.StandardCharsets;
import java.time.format.DateTimeFormatter;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * The Kafka record of a replayed copy, as {@link EventCodec#encode(String, EventEnvelope)} writes it (the same
 * headers), without validating the payload a second time: a copy carries the original's payload unchanged, and the
 * codec validated it against the copy's schema version when it decoded the original (after upcasting, if any). Its
 * new ids are UUIDs by construction ({@link ReplayPlan#copy}); everything else comes from the decoded original.
 * Schema validation is most of a replay's CPU, so doing it once per record halves it. The body is the original's own
 * bytes, the ones that were validated, unless the original was upcast (then the upcast payload is written).
 * {@code ReplayCopyTest} holds the copy equal to the codec's encoding.
 */
final class ReplayCopy {
    private ReplayCopy() {}

    /** The record of {@code copy}, whose payload was validated when {@code original} was decoded. */
    static ProducerRecord<String, byte[]> record(
            String topic, EventEnvelope copy, ConsumerRecord<String, byte[]> original) {
        RecordHeaders headers = new RecordHeaders();
        put(headers, EventCodec.H_SPECVERSION, EventCodec.SPEC_VERSION);
        put(headers, EventCodec.H_ID, copy.id());
        put(headers, EventCodec.H_SOURCE, copy.source());
        put(headers, EventCodec.H_TYPE, copy.type());
        put(headers, EventCodec.H_SUBJECT, copy.subject());
        put(headers, EventCodec.H_TIME, DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(copy.time()));
        put(headers, EventCodec.H_DATASCHEMA, copy.dataSchema());
        put(headers, EventCodec.H_DEPLOYMENTID, copy.deploymentId());
        put(headers, EventCodec.H_CAUSATIONID, copy.causationId());
        put(headers, EventCodec.H_REPLAYOF, copy.replayOf());
        put(headers, EventCodec.H_CONTENT_TYPE, EventCodec.CONTENT_TYPE);
        put(headers, TraceParent.HEADER, TraceParent.of(copy).orElse(null));
        boolean upcast = !copy.dataSchema().equals(EventCodec.optional(original.headers(), EventCodec.H_DATASCHEMA));
        return new ProducerRecord<>(topic, null, copy.subject(), upcast ? json(copy) : original.value(), headers);
    }

    private static byte[] json(EventEnvelope copy) {
        try {
            return Json.mapper().writeValueAsBytes(copy.data());
        } catch (JsonProcessingException e) {
            // the payload is a tree the codec itself read from JSON
            throw new IllegalStateException("cannot write the payload of replayed copy " + copy.id(), e);
        }
    }

    private static void put(RecordHeaders headers, String name, String value) {
        if (value != null) {
            headers.add(name, value.getBytes(StandardCharsets.UTF_8));
        }
    }
}
