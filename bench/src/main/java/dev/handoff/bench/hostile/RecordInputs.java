package dev.handoff.bench.hostile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.handoff.common.event.EventEnvelope;
import dev.handoff.common.event.EventType;
import dev.handoff.common.event.Topics;
import dev.handoff.common.serde.EventCodec;
import dev.handoff.common.serde.InvalidEventException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Hostile records for every topic: valid events built from the contract's samples (every event type), then one
 * seeded change each — a CloudEvents header missing, garbage, invalid UTF-8, null, repeated or huge; an id that is no
 * UUID ({@code ../../x}); an unknown type or a foreign dataschema; the wrong key or topic; a payload that is no JSON,
 * truncated, deeply nested, oversized, or of the wrong types.
 */
public final class RecordInputs {
    static final List<String> HEADERS = List.of(
            EventCodec.H_SPECVERSION,
            EventCodec.H_ID,
            EventCodec.H_SOURCE,
            EventCodec.H_TYPE,
            EventCodec.H_SUBJECT,
            EventCodec.H_TIME,
            EventCodec.H_DATASCHEMA,
            EventCodec.H_DEPLOYMENTID,
            EventCodec.H_CAUSATIONID,
            EventCodec.H_REPLAYOF,
            EventCodec.H_CONTENT_TYPE);

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private RecordInputs() {}

    /** One valid record per sample of the contract (every event type has at least one). */
    public static List<Hostile<HostileRecord>> valid(Random random) {
        EventCodec codec = new EventCodec();
        List<Hostile<HostileRecord>> out = new ArrayList<>();
        for (String sample : resource("/samples/index.txt").split("\n")) {
            if (sample.isBlank() || sample.startsWith("#")) {
                continue;
            }
            String shortName = sample.substring(0, sample.indexOf('/'));
            EventType type = Arrays.stream(EventType.values())
                    .filter(t -> t.shortName().equals(shortName))
                    .findFirst()
                    .orElseThrow(() -> new IllegalStateException("sample " + sample + " names no event type"));
            try {
                JsonNode data = JSON.readTree(resource("/samples/" + sample.trim()));
                EventEnvelope event = new EventEnvelope(
                        uuid(random),
                        "/handoff/bench-hostile",
                        type.type(),
                        "cloud-edge-1",
                        OffsetDateTime.parse("2026-11-25T10:00:00Z"),
                        type.dataSchema(type.currentVersion()),
                        uuid(random),
                        uuid(random),
                        null,
                        data);
                ProducerRecord<String, byte[]> encoded = codec.encode(event);
                out.add(new Hostile<>(
                        "valid " + sample,
                        new HostileRecord(
                                encoded.topic(),
                                encoded.key(),
                                Arrays.asList(encoded.headers().toArray()),
                                encoded.value())));
            } catch (IOException | InvalidEventException e) {
                throw new IllegalStateException("the contract's sample " + sample + " does not encode: " + e, e);
            }
        }
        return out;
    }

    /** {@code count} records: the valid ones, then hostile changes of them, the same for the same seed. */
    public static List<Hostile<HostileRecord>> generate(long seed, int count) {
        Random random = new Random(seed);
        List<Hostile<HostileRecord>> valid = valid(random);
        List<Hostile<HostileRecord>> out = new ArrayList<>(valid);
        HostileRecord first = valid.get(0).value();
        for (String header : HEADERS) {
            out.add(new Hostile<>("header " + header + " missing", first.without(header)));
            out.add(new Hostile<>("header " + header + " null", first.with(header, null)));
            out.add(new Hostile<>(
                    "header " + header + " huge", first.with(header, Mutations.utf8("9".repeat(1 << 20)))));
        }
        out.add(new Hostile<>("no headers", new HostileRecord(first.topic(), first.key(), List.of(), first.value())));
        out.add(new Hostile<>("tombstone", first.withValue(null)));
        out.add(new Hostile<>("oversized body (9 MiB)", first.withValue(oversized(9 << 20))));
        while (out.size() < count) {
            HostileRecord base = valid.get(random.nextInt(valid.size())).value();
            out.add(change(base, random));
        }
        return out;
    }

    private static Hostile<HostileRecord> change(HostileRecord r, Random random) {
        String header = HEADERS.get(random.nextInt(HEADERS.size()));
        switch (random.nextInt(12)) {
            case 0 -> {
                String nasty = Mutations.nasty(random);
                return new Hostile<>(
                        "header " + header + "=" + LogCapture.shorten(nasty), r.with(header, Mutations.utf8(nasty)));
            }
            case 1 -> {
                return new Hostile<>(
                        "header " + header + " invalid UTF-8",
                        r.with(header, new byte[] {(byte) 0xff, (byte) 0xc0, 0x41}));
            }
            case 2 -> {
                String nasty = Mutations.nasty(random);
                return new Hostile<>("header " + header + " repeated", r.repeated(header, Mutations.utf8(nasty)));
            }
            case 3 -> {
                String id = Mutations.NASTY.get(random.nextInt(12) + 4);
                String which = List.of(
                                EventCodec.H_ID,
                                EventCodec.H_DEPLOYMENTID,
                                EventCodec.H_CAUSATIONID,
                                EventCodec.H_REPLAYOF)
                        .get(random.nextInt(4));
                return new Hostile<>("id " + which + "=" + LogCapture.shorten(id), r.with(which, Mutations.utf8(id)));
            }
            case 4 -> {
                EventType other = EventType.values()[random.nextInt(EventType.values().length)];
                String[] types = {
                    other.type(),
                    "handoff.evil.happened",
                    "dev.handoff." + other.shortName(),
                    other.type().toUpperCase()
                };
                return new Hostile<>(
                        "ce_type swapped",
                        r.with(EventCodec.H_TYPE, Mutations.utf8(types[random.nextInt(types.length)])));
            }
            case 5 -> {
                EventType other = EventType.values()[random.nextInt(EventType.values().length)];
                String[] schemas = {
                    other.dataSchema(1),
                    other.dataSchema(2),
                    other.dataSchema(0),
                    other.dataSchema(Integer.MAX_VALUE),
                    "https://attacker.test/schemas/x/v1.json",
                    "file:///etc/passwd",
                    EventType.SCHEMA_BASE + "../../x/v1.json"
                };
                return new Hostile<>(
                        "ce_dataschema foreign",
                        r.with(EventCodec.H_DATASCHEMA, Mutations.utf8(schemas[random.nextInt(schemas.length)])));
            }
            case 6 -> {
                String[] keys = {null, "", "forgejo-pi", Mutations.nasty(random)};
                return new Hostile<>("key changed", r.withKey(keys[random.nextInt(keys.length)]));
            }
            case 7 -> {
                List<String> topics = new ArrayList<>(Topics.all());
                topics.add(Topics.deadLetter(r.topic()));
                topics.add("handoff.replay.anything");
                return new Hostile<>("topic changed", r.onTopic(topics.get(random.nextInt(topics.size()))));
            }
            case 8 -> {
                return new Hostile<>("body bytes mutated", r.withValue(Mutations.mutate(r.value(), random)));
            }
            case 9 -> {
                String text = new String(r.value(), StandardCharsets.UTF_8);
                return new Hostile<>("body text mutated", r.withValue(Mutations.utf8(Mutations.mutate(text, random))));
            }
            case 10 -> {
                return bodyClassic(r, random);
            }
            default -> {
                return new Hostile<>("body field wrong type", r.withValue(wrongType(r.value(), random)));
            }
        }
    }

    private static Hostile<HostileRecord> bodyClassic(HostileRecord r, Random random) {
        String body = new String(r.value(), StandardCharsets.UTF_8);
        String[][] cases = {
            {"body empty", ""},
            {"body not JSON", Mutations.nasty(random)},
            {"body JSON array", "[" + body + "]"},
            {"body JSON scalar", "\"" + body.length() + "\""},
            {"body deeply nested", Mutations.deepJson(2000 + random.nextInt(20_000), random.nextBoolean())},
            {"body with trailing garbage", body + " {}garbage"},
            {"body with comments", "/* c */" + body},
            {"body with BOM", "\uFEFF" + body},
            {"body with duplicate keys", body.replaceFirst("\\{", "{\"a\":1,\"a\":2,")},
            {"body with NUL", body.replaceFirst("\"", java.util.regex.Matcher.quoteReplacement("\"\\u0000"))},
            {"body with huge number", body.replaceFirst("\\{", "{\"n\":1" + "0".repeat(5000) + ",")},
            {"body with huge string (2 MiB)", body.replaceFirst("\\{", "{\"s\":\"" + "s".repeat(2 << 20) + "\",")},
        };
        String[] chosen = cases[random.nextInt(cases.length)];
        return new Hostile<>(chosen[0], r.withValue(Mutations.utf8(chosen[1])));
    }

    /** The body with one field (anywhere in the tree) given a value of another type, removed, or one added. */
    static byte[] wrongType(byte[] value, Random random) {
        try {
            JsonNode root = JSON.readTree(value);
            List<JsonNode> containers = new ArrayList<>();
            collect(root, containers);
            JsonNode parent = containers.get(random.nextInt(containers.size()));
            JsonNode replacement = wrongValue(random);
            if (parent instanceof ObjectNode object) {
                List<String> names = new ArrayList<>();
                object.fieldNames().forEachRemaining(names::add);
                int op = random.nextInt(5);
                if (names.isEmpty() || op == 0) {
                    object.set(random.nextBoolean() ? "unexpected" : Mutations.nasty(random), replacement);
                } else if (op == 1) {
                    object.remove(names.get(random.nextInt(names.size())));
                } else {
                    object.set(names.get(random.nextInt(names.size())), replacement);
                }
            } else if (parent instanceof ArrayNode array) {
                if (array.isEmpty()) {
                    array.add(replacement);
                } else {
                    array.set(random.nextInt(array.size()), replacement);
                }
            }
            return JSON.writeValueAsBytes(root);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static JsonNode wrongValue(Random random) {
        return switch (random.nextInt(11)) {
            case 0 -> NODES.textNode(Mutations.nasty(random));
            case 1 -> NODES.numberNode(Long.MAX_VALUE);
            case 2 -> NODES.numberNode(-1);
            case 3 -> NODES.numberNode(new BigInteger("9".repeat(60)));
            case 4 -> NODES.numberNode(Double.MAX_VALUE);
            case 5 -> NODES.booleanNode(random.nextBoolean());
            case 6 -> NODES.nullNode();
            case 7 -> NODES.arrayNode();
            case 8 -> NODES.objectNode();
            case 9 -> NODES.textNode("");
            default -> NODES.arrayNode().add(Mutations.nasty(random)).add(NODES.objectNode());
        };
    }

    private static void collect(JsonNode node, List<JsonNode> out) {
        if (node.isContainerNode()) {
            out.add(node);
            node.forEach(child -> collect(child, out));
        }
    }

    private static byte[] oversized(int bytes) {
        byte[] out = new byte[bytes];
        Arrays.fill(out, (byte) ' ');
        out[0] = '{';
        out[bytes - 1] = '}';
        return out;
    }

    static String uuid(Random random) {
        return new UUID(random.nextLong(), random.nextLong()).toString();
    }

    private static String resource(String name) {
        try (InputStream in = RecordInputs.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException(name + " is missing from handoff-common");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
