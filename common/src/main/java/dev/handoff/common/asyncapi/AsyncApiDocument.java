package dev.handoff.common.asyncapi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.handoff.common.event.EventType;
import dev.handoff.common.event.Stage;
import dev.handoff.common.event.Topics;
import dev.handoff.common.serde.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Builds the AsyncAPI 3.0 document of the contract: a channel per topic of {@link Topics#all()}, a message per
 * {@link EventType} (its CloudEvents headers, its Kafka key and its payload's JSON Schema by reference, relative to
 * the document, so that the copy control-service serves at {@code /asyncapi.yaml} points at its
 * {@code /schemas/<name>/v<N>.json}), the samples of the current version as examples, and a {@code send} operation
 * per chain topic.
 */
public final class AsyncApiDocument {
    /** The AsyncAPI version the document follows. */
    public static final String ASYNCAPI_VERSION = "3.0.0";
    /** The schema format of the payloads: the contract's schemas are JSON Schema draft 2020-12. */
    public static final String PAYLOAD_FORMAT = "application/schema+json;version=draft-2020-12";

    static final String KAFKA_BINDING_VERSION = "0.5.0";
    static final String DEAD_LETTER = "dead-letter";
    static final String HEADERS = "CloudEventHeaders";
    static final String DLQ_HEADERS = "DeadLetterHeaders";

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private AsyncApiDocument() {}

    /** The document, as a tree; {@code version} is the contract's release (the project version). */
    public static ObjectNode build(String version) {
        ObjectNode doc = NODES.objectNode();
        doc.put("asyncapi", ASYNCAPI_VERSION);
        doc.put("id", "urn:dev:handoff:events");
        ObjectNode info = doc.putObject("info");
        info.put("title", "Handoff events");
        info.put("version", version);
        info.put(
                "description",
                "The event contract between Handoff's services: CloudEvents 1.0 in Kafka binary mode (ce_* headers,"
                        + " the JSON payload as the record value, the host name as the key). The version of a payload"
                        + " is in ce_dataschema (…/<name>/v<N> or …/<name>/v<N>.json). Generated from the code of"
                        + " Handoff's common module; see docs/events.md.");
        doc.put("defaultContentType", "application/json");
        ObjectNode channels = doc.putObject("channels");
        ObjectNode operations = doc.putObject("operations");
        for (String topic : Topics.all()) {
            channels.set(topic, channel(topic));
            if (Topics.CHAIN.contains(topic)) {
                operations.set("send." + topic, sendOperation(topic));
            }
        }
        ObjectNode components = doc.putObject("components");
        ObjectNode messages = components.putObject("messages");
        for (EventType type : EventType.values()) {
            messages.set(type.shortName(), message(type));
        }
        messages.set(DEAD_LETTER, deadLetterMessage());
        ObjectNode schemas = components.putObject("schemas");
        schemas.set(HEADERS, CloudEventHeaders.schema());
        schemas.set(DLQ_HEADERS, CloudEventHeaders.deadLetterSchema());
        return doc;
    }

    /** The event types a topic carries: its own types, every type on a replay channel, none on a dead-letter topic. */
    public static List<EventType> typesOn(String topic) {
        if (topic.endsWith(Topics.DLQ_SUFFIX)) {
            return List.of();
        }
        if (isReplayChannel(topic)) {
            return List.of(EventType.values());
        }
        return Arrays.stream(EventType.values())
                .filter(t -> t.topic().equals(topic))
                .toList();
    }

    /** The payload schema reference of a version of a type, relative to the document. */
    public static String schemaRef(EventType type, int version) {
        return "schemas/" + type.shortName() + "/v" + version + ".json";
    }

    static boolean isReplayChannel(String topic) {
        return Arrays.stream(Stage.values()).anyMatch(s -> Topics.replay(s).equals(topic));
    }

    private static ObjectNode channel(String topic) {
        ObjectNode channel = NODES.objectNode();
        channel.put("address", topic);
        channel.put("title", topic);
        channel.put("description", describe(topic));
        ObjectNode messages = channel.putObject("messages");
        List<EventType> types = typesOn(topic);
        if (types.isEmpty()) {
            messages.set(DEAD_LETTER, ref("#/components/messages/" + DEAD_LETTER));
        }
        for (EventType type : types) {
            messages.set(type.shortName(), ref("#/components/messages/" + type.shortName()));
        }
        if (Topics.COMPACTED.contains(topic)) {
            ObjectNode kafka = channel.putObject("bindings").putObject("kafka");
            kafka.put("topic", topic);
            kafka.putObject("topicConfiguration").putArray("cleanup.policy").add("compact");
            kafka.put("bindingVersion", KAFKA_BINDING_VERSION);
        }
        return channel;
    }

    private static String describe(String topic) {
        if (topic.endsWith(Topics.DLQ_SUFFIX)) {
            return "Records of " + topic.substring(0, topic.length() - Topics.DLQ_SUFFIX.length())
                    + " that a consumer refused, unchanged, with the reason in handoff-dlq-* headers.";
        }
        if (isReplayChannel(topic)) {
            return "Replayed copies of the records a stage reads, marked with ce_replayof; control-service publishes"
                    + " them on an operator's request.";
        }
        List<String> names = typesOn(topic).stream().map(EventType::type).toList();
        return "Keyed by host name. Carries " + String.join(", ", names) + ".";
    }

    private static ObjectNode sendOperation(String topic) {
        ObjectNode op = NODES.objectNode();
        op.put("action", "send");
        op.set("channel", ref("#/channels/" + topic));
        op.put("summary", "Handoff's services publish to " + topic + "; anyone with read access may consume it.");
        ArrayNode messages = op.putArray("messages");
        for (EventType type : typesOn(topic)) {
            messages.add(ref("#/channels/" + topic + "/messages/" + type.shortName()));
        }
        return op;
    }

    private static ObjectNode message(EventType type) {
        int version = type.currentVersion();
        JsonNode schema = read(type.schemaResource(version));
        ObjectNode message = NODES.objectNode();
        message.put("name", type.type());
        message.put("title", schema.path("title").asText(type.type() + " v" + version));
        message.put("summary", schema.path("description").asText(""));
        message.put("contentType", "application/json");
        message.set("headers", CloudEventHeaders.of(type));
        ObjectNode payload = message.putObject("payload");
        payload.put("schemaFormat", PAYLOAD_FORMAT);
        payload.set("schema", ref(schemaRef(type, version)));
        ObjectNode kafka = message.putObject("bindings").putObject("kafka");
        kafka.putObject("key").put("type", "string").put("description", "The host name; the same as ce_subject.");
        kafka.put("bindingVersion", KAFKA_BINDING_VERSION);
        ArrayNode examples = NODES.arrayNode();
        for (String sample : samples(type, version)) {
            ObjectNode example = examples.addObject();
            example.put("name", sample.substring(sample.lastIndexOf('/') + 1, sample.length() - ".json".length()));
            example.set("payload", read("/samples/" + sample));
        }
        if (!examples.isEmpty()) {
            message.set("examples", examples);
        }
        return message;
    }

    private static ObjectNode deadLetterMessage() {
        ObjectNode message = NODES.objectNode();
        message.put("name", DEAD_LETTER);
        message.put("title", "A refused record");
        message.put(
                "summary",
                "The original record (key, value and headers, which may be anything) plus the reason it was refused.");
        message.put("contentType", "application/octet-stream");
        message.set("headers", ref("#/components/schemas/" + DLQ_HEADERS));
        message.putObject("payload").put("description", "The refused record's value, unchanged.");
        return message;
    }

    /** The samples of a version of a type, as paths under {@code /samples/}, in the index's order. */
    static List<String> samples(EventType type, int version) {
        String prefix = type.shortName() + "/v" + version + "/";
        List<String> found = new ArrayList<>();
        for (String line :
                new String(bytes("/samples/index.txt"), java.nio.charset.StandardCharsets.UTF_8).split("\n")) {
            if (line.strip().startsWith(prefix)) {
                found.add(line.strip());
            }
        }
        return found;
    }

    static ObjectNode ref(String target) {
        return NODES.objectNode().put("$ref", target);
    }

    private static JsonNode read(String resource) {
        try {
            return Json.mapper().readTree(bytes(resource));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource + " of the contract", e);
        }
    }

    private static byte[] bytes(String resource) {
        try (InputStream in = AsyncApiDocument.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " is not on the classpath; it belongs to the common module");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource, e);
        }
    }
}
