package dev.handoff.common.serde;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.handoff.common.event.DataSchemas;
import dev.handoff.common.event.EventEnvelope;
import dev.handoff.common.event.EventType;
import dev.handoff.common.event.SchemaLocations;
import dev.handoff.common.event.Topics;
import dev.handoff.common.event.TraceParent;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * The one serde of the contract: CloudEvents 1.0 in Kafka binary mode. Producers validate before sending; consumers
 * validate on receipt, upcast old versions and get a typed payload. A record that is not a valid event raises
 * {@link InvalidEventException} with a reason code for the dead-letter topic.
 */
public final class EventCodec {
    public static final String SPEC_VERSION = "1.0";
    public static final String CONTENT_TYPE = "application/json";

    public static final String H_SPECVERSION = "ce_specversion";
    public static final String H_ID = "ce_id";
    public static final String H_SOURCE = "ce_source";
    public static final String H_TYPE = "ce_type";
    public static final String H_SUBJECT = "ce_subject";
    public static final String H_TIME = "ce_time";
    public static final String H_DATASCHEMA = "ce_dataschema";
    public static final String H_DEPLOYMENTID = "ce_deploymentid";
    public static final String H_CAUSATIONID = "ce_causationid";
    public static final String H_REPLAYOF = "ce_replayof";
    public static final String H_CONTENT_TYPE = "content-type";

    /**
     * A UUID in its canonical text form. Ids must be no more than that: services use them as keys, as folder names
     * (infra-service's work folder of a deployment) and in URLs, so a value such as {@code ../../state} must never get
     * past the codec.
     */
    private static final Pattern CANONICAL_UUID =
            Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

    private static final int SHOWN_VALUE_LENGTH = 64;

    private final ObjectMapper mapper = Json.mapper();
    private final SchemaCatalog schemas;
    private final Upcasters upcasters;
    private final SchemaLocations locations;

    public EventCodec() {
        this(new SchemaCatalog(), Upcasters.none());
    }

    /** A codec whose new events name their schema by {@code locations} (a service's {@code handoff.schema-base-url}). */
    public EventCodec(SchemaLocations locations) {
        this(new SchemaCatalog(), Upcasters.none(), locations);
    }

    public EventCodec(SchemaCatalog schemas, Upcasters upcasters) {
        this(schemas, upcasters, SchemaLocations.IDS);
    }

    public EventCodec(SchemaCatalog schemas, Upcasters upcasters, SchemaLocations locations) {
        this.schemas = schemas;
        this.upcasters = upcasters;
        this.locations = locations;
    }

    /** Where this codec's new events say their schema is. */
    public SchemaLocations locations() {
        return locations;
    }

    /**
     * A new event of the current version of {@code type}, with a fresh id and the current time.
     *
     * @param source the producing service, e.g. {@code /handoff/control-service}
     */
    public EventEnvelope newEvent(
            EventType type, String source, String host, String deploymentId, String causationId, Record payload) {
        return newEvent(UUID.randomUUID().toString(), type, source, host, deploymentId, causationId, payload);
    }

    /**
     * As {@link #newEvent(EventType, String, String, String, String, Record)} with a chosen id. Every id must be a
     * UUID ({@code UUID.nameUUIDFromBytes} for a derived one): {@link #encode} refuses any other.
     */
    public EventEnvelope newEvent(
            String id,
            EventType type,
            String source,
            String host,
            String deploymentId,
            String causationId,
            Record payload) {
        if (!type.payloadClass().isInstance(payload)) {
            throw new IllegalArgumentException(type.type() + " v" + type.currentVersion() + " carries "
                    + type.payloadClass().getSimpleName() + ", not "
                    + payload.getClass().getSimpleName());
        }
        return new EventEnvelope(
                id,
                source,
                type.type(),
                host,
                OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MICROS),
                locations.dataSchema(type, type.currentVersion()),
                deploymentId,
                causationId,
                null,
                mapper.valueToTree(payload));
    }

    /** The payload as the record of the type's current version. */
    public <T> T payload(EventEnvelope event, Class<T> recordClass) {
        try {
            return mapper.treeToValue(event.data(), recordClass);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(
                    "event " + event.id() + " (" + event.type() + ") does not map to " + recordClass.getSimpleName()
                            + ": " + e.getOriginalMessage(),
                    e);
        }
    }

    /**
     * Validates and encodes an event for its type's topic.
     *
     * @throws InvalidEventException when the event breaks the contract; nothing may be sent then
     */
    public ProducerRecord<String, byte[]> encode(EventEnvelope event) throws InvalidEventException {
        EventType type = checkType(event.type());
        return encode(type.topic(), event);
    }

    /** As {@link #encode(EventEnvelope)} but to a chosen topic (replay channels). */
    public ProducerRecord<String, byte[]> encode(String topic, EventEnvelope event) throws InvalidEventException {
        checkUuid(H_ID, event.id());
        checkUuid(H_DEPLOYMENTID, event.deploymentId());
        checkUuid(H_CAUSATIONID, event.causationId());
        checkUuid(H_REPLAYOF, event.replayOf());
        EventType type = checkType(event.type());
        int version = checkVersion(type, event.dataSchema());
        checkSchema(type, version, event.data(), event.id());
        RecordHeaders headers = new RecordHeaders();
        put(headers, H_SPECVERSION, SPEC_VERSION);
        put(headers, H_ID, event.id());
        put(headers, H_SOURCE, event.source());
        put(headers, H_TYPE, event.type());
        put(headers, H_SUBJECT, event.subject());
        put(headers, H_TIME, DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(event.time())); // RFC 3339: always seconds
        put(headers, H_DATASCHEMA, event.dataSchema());
        put(headers, H_DEPLOYMENTID, event.deploymentId());
        put(headers, H_CAUSATIONID, event.causationId());
        put(headers, H_REPLAYOF, event.replayOf());
        put(headers, H_CONTENT_TYPE, CONTENT_TYPE);
        put(headers, TraceParent.HEADER, TraceParent.of(event).orElse(null));
        byte[] body;
        try {
            body = mapper.writeValueAsBytes(event.data());
        } catch (JsonProcessingException e) {
            throw new InvalidEventException(
                    InvalidEventException.Reason.UNREADABLE_BODY, "cannot write event " + event.id(), e);
        }
        return new ProducerRecord<>(topic, null, event.subject(), body, headers);
    }

    /**
     * Reads, validates and upcasts a record.
     *
     * @throws InvalidEventException naming what is wrong; the caller routes the record to the dead-letter topic
     */
    public EventEnvelope decode(ConsumerRecord<String, byte[]> record) throws InvalidEventException {
        EventEnvelope event = decode(record.headers(), record.value());
        EventType type = checkType(event.type());
        if (!record.topic().equals(type.topic()) && !record.topic().startsWith(Topics.PREFIX + "replay.")) {
            throw new InvalidEventException(
                    InvalidEventException.Reason.WRONG_TOPIC,
                    type.type() + " event " + event.id() + " belongs on " + type.topic() + ", not on "
                            + record.topic());
        }
        if (record.key() != null && !record.key().equals(event.subject())) {
            throw new InvalidEventException(
                    InvalidEventException.Reason.WRONG_KEY,
                    "event " + event.id() + " has key '" + shown(record.key()) + "' but ce_subject '"
                            + shown(event.subject())
                            + "'; the key must be the host so that a host's events stay in order");
        }
        return event;
    }

    /** As {@link #decode(ConsumerRecord)} from headers and body. */
    public EventEnvelope decode(Headers headers, byte[] body) throws InvalidEventException {
        String spec = required(headers, H_SPECVERSION);
        if (!SPEC_VERSION.equals(spec)) {
            throw new InvalidEventException(
                    InvalidEventException.Reason.UNSUPPORTED_SPEC_VERSION,
                    "ce_specversion is '" + shown(spec) + "'; Handoff reads CloudEvents 1.0");
        }
        String id = checkUuid(H_ID, required(headers, H_ID));
        String deploymentId = checkUuid(H_DEPLOYMENTID, optional(headers, H_DEPLOYMENTID));
        String causationId = checkUuid(H_CAUSATIONID, optional(headers, H_CAUSATIONID));
        String replayOf = checkUuid(H_REPLAYOF, optional(headers, H_REPLAYOF));
        EventType type = checkType(required(headers, H_TYPE));
        String dataSchema = required(headers, H_DATASCHEMA);
        int version = checkVersion(type, dataSchema);
        String timeText = required(headers, H_TIME);
        OffsetDateTime time;
        try {
            time = OffsetDateTime.parse(timeText);
        } catch (DateTimeParseException e) {
            throw new InvalidEventException(
                    InvalidEventException.Reason.BAD_HEADER,
                    "ce_time '" + shown(timeText) + "' of event " + id + " is not an RFC 3339 timestamp");
        }
        if (body == null) {
            throw new InvalidEventException(
                    InvalidEventException.Reason.UNREADABLE_BODY, "event " + id + " has no body (tombstone)");
        }
        JsonNode data;
        try {
            data = mapper.readTree(body);
        } catch (IOException e) {
            throw new InvalidEventException(
                    InvalidEventException.Reason.UNREADABLE_BODY,
                    "body of event " + id + " is not JSON: " + shown(firstLine(e.getMessage())));
        }
        if (data == null || data.isMissingNode()) {
            throw new InvalidEventException(
                    InvalidEventException.Reason.UNREADABLE_BODY, "body of event " + id + " is empty");
        }
        checkSchema(type, version, data, id);
        int target = upcasters.target(type);
        if (version != target) {
            data = upcasters.toTarget(type, version, data);
            checkSchema(type, target, data, id);
            dataSchema = locations.dataSchema(type, target);
        }
        return new EventEnvelope(
                id,
                required(headers, H_SOURCE),
                type.type(),
                required(headers, H_SUBJECT),
                time,
                dataSchema,
                deploymentId,
                causationId,
                replayOf,
                data);
    }

    /** {@code value} when it is absent or a canonical UUID; refused naming the header otherwise. */
    private static String checkUuid(String header, String value) throws InvalidEventException {
        if (value == null || CANONICAL_UUID.matcher(value).matches()) {
            return value;
        }
        throw new InvalidEventException(
                InvalidEventException.Reason.BAD_HEADER,
                header + " '" + shown(value) + "' is not a UUID (8-4-4-4-12 hex digits); every id of a Handoff event"
                        + " is one");
    }

    /** A value from a record, safe to put in a log line or a header: printable ASCII only, and not too long. */
    private static String shown(String value) {
        StringBuilder out = new StringBuilder();
        int end = Math.min(value.length(), SHOWN_VALUE_LENGTH);
        for (int i = 0; i < end; i++) {
            char c = value.charAt(i);
            out.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        if (value.length() > SHOWN_VALUE_LENGTH) {
            out.append("… (").append(value.length()).append(" characters)");
        }
        return out.toString();
    }

    private EventType checkType(String ceType) throws InvalidEventException {
        return EventType.byType(ceType)
                .orElseThrow(() -> new InvalidEventException(
                        InvalidEventException.Reason.UNKNOWN_TYPE,
                        "ce_type '" + shown(ceType) + "' is not an event type of the Handoff contract"));
    }

    private int checkVersion(EventType type, String dataSchema) throws InvalidEventException {
        int version = DataSchemas.version(type, dataSchema);
        if (version < 1) {
            throw new InvalidEventException(
                    InvalidEventException.Reason.BAD_DATASCHEMA,
                    "ce_dataschema '" + shown(dataSchema) + "' is not a schema of " + type.type()
                            + "; expected an absolute URI ending in /" + type.shortName() + "/v<N> or /"
                            + type.shortName() + "/v<N>.json, e.g. " + type.dataSchema(type.currentVersion()));
        }
        if (schemas.schema(type, version).isEmpty()) {
            throw new InvalidEventException(
                    InvalidEventException.Reason.UNKNOWN_VERSION,
                    type.type() + " v" + version + " is not known to this build; upgrade the consumer");
        }
        return version;
    }

    private void checkSchema(EventType type, int version, JsonNode data, String id) throws InvalidEventException {
        List<String> violations = schemas.violations(type, version, data);
        if (!violations.isEmpty()) {
            throw new InvalidEventException(
                    InvalidEventException.Reason.SCHEMA_VIOLATION,
                    type.type() + " v" + version + " event " + id + " breaks its schema: "
                            + String.join("; ", violations));
        }
    }

    private static void put(Headers headers, String name, String value) {
        if (value != null) {
            headers.add(name, value.getBytes(StandardCharsets.UTF_8));
        }
    }

    private static String required(Headers headers, String name) throws InvalidEventException {
        String value = optional(headers, name);
        if (value == null || value.isBlank()) {
            throw new InvalidEventException(
                    InvalidEventException.Reason.MISSING_HEADER,
                    "header " + name + " is missing; every Handoff event is a CloudEvent in Kafka binary mode");
        }
        return value;
    }

    /** The last value of a header as UTF-8 text, or null. */
    public static String optional(Headers headers, String name) {
        Header h = headers.lastHeader(name);
        return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
