package dev.handoff.common.asyncapi;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.handoff.common.event.EventType;
import dev.handoff.common.event.TraceParent;
import dev.handoff.common.messaging.DeadLetters;
import dev.handoff.common.serde.EventCodec;
import java.util.List;

/**
 * The record headers of the contract as AsyncAPI schemas: the CloudEvents attributes every event carries
 * ({@code ce_*}, {@code content-type}, {@code traceparent}), each message's own {@code ce_type} and
 * {@code ce_dataschema}, and the headers a dead-letter record gets. The names come from {@link EventCodec} and
 * {@link DeadLetters}, the code that writes them.
 */
final class CloudEventHeaders {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final String UUID = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$";

    private CloudEventHeaders() {}

    /** The headers every event carries. */
    static ObjectNode schema() {
        ObjectNode schema = NODES.objectNode();
        schema.put("type", "object");
        schema.put("description", "CloudEvents 1.0 attributes in Kafka binary mode, as UTF-8 text.");
        List<String> required = List.of(
                EventCodec.H_SPECVERSION,
                EventCodec.H_ID,
                EventCodec.H_SOURCE,
                EventCodec.H_TYPE,
                EventCodec.H_SUBJECT,
                EventCodec.H_TIME,
                EventCodec.H_DATASCHEMA,
                EventCodec.H_CONTENT_TYPE);
        required.forEach(schema.putArray("required")::add);
        ObjectNode p = schema.putObject("properties");
        p.set(EventCodec.H_SPECVERSION, text("The CloudEvents version.").put("const", EventCodec.SPEC_VERSION));
        p.set(EventCodec.H_ID, uuid("The event's id; the ledger stores each id once."));
        p.set(EventCodec.H_SOURCE, text("The producing service.").put("pattern", "^/handoff/[a-z-]+$"));
        p.set(EventCodec.H_TYPE, text("handoff.<subject>.<verb>."));
        p.set(EventCodec.H_SUBJECT, text("The host name; the same as the Kafka key."));
        p.set(EventCodec.H_TIME, text("When it happened, RFC 3339.").put("format", "date-time"));
        p.set(
                EventCodec.H_DATASCHEMA,
                text("The payload's schema and version: …/<name>/v<N> (the schema's $id) or …/<name>/v<N>.json"
                                + " (a served copy).")
                        .put("format", "uri"));
        p.set(EventCodec.H_DEPLOYMENTID, uuid("One run of the chain for one host, end to end."));
        p.set(EventCodec.H_CAUSATIONID, uuid("The ce_id of the event that caused this one."));
        p.set(EventCodec.H_REPLAYOF, uuid("On a replayed copy, the ce_id of the original."));
        p.set(EventCodec.H_CONTENT_TYPE, text("The payload's media type.").put("const", EventCodec.CONTENT_TYPE));
        p.set(
                TraceParent.HEADER,
                text("W3C Trace Context; the trace id is the deployment id's 128 bits.")
                        .put("pattern", "^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$"));
        return schema;
    }

    /** The headers of one type's events: the common ones, with its own type and dataschema. */
    static ObjectNode of(EventType type) {
        ObjectNode schema = NODES.objectNode();
        schema.putArray("allOf")
                .add(AsyncApiDocument.ref("#/components/schemas/" + AsyncApiDocument.HEADERS))
                .addObject()
                .putObject("properties")
                .<ObjectNode>set(EventCodec.H_TYPE, NODES.objectNode().put("const", type.type()))
                .set(
                        EventCodec.H_DATASCHEMA,
                        NODES.objectNode()
                                .put(
                                        "pattern",
                                        "/" + type.shortName().replace(".", "\\.") + "/v[1-9][0-9]*(\\.json)?$"));
        return schema;
    }

    /** The headers a dead-letter record has beside the original's. */
    static ObjectNode deadLetterSchema() {
        ObjectNode schema = NODES.objectNode();
        schema.put("type", "object");
        schema.put("description", "The original record's headers, plus why and where it was refused.");
        List<String> required = List.of(
                DeadLetters.H_REASON,
                DeadLetters.H_MESSAGE,
                DeadLetters.H_TOPIC,
                DeadLetters.H_PARTITION,
                DeadLetters.H_OFFSET,
                DeadLetters.H_CONSUMER);
        required.forEach(schema.putArray("required")::add);
        ObjectNode p = schema.putObject("properties");
        p.set(DeadLetters.H_REASON, text("The reason code, e.g. schema-violation."));
        p.set(DeadLetters.H_MESSAGE, text("What is wrong, naming the field or header."));
        p.set(DeadLetters.H_TOPIC, text("The topic the record was read from."));
        p.set(DeadLetters.H_PARTITION, text("Its partition."));
        p.set(DeadLetters.H_OFFSET, text("Its offset."));
        p.set(DeadLetters.H_CONSUMER, text("The consumer group that refused it."));
        return schema;
    }

    private static ObjectNode text(String description) {
        return NODES.objectNode().put("type", "string").put("description", description);
    }

    private static ObjectNode uuid(String description) {
        return text(description).put("pattern", UUID);
    }
}
