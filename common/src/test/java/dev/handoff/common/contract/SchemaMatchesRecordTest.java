package dev.handoff.common.contract;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.handoff.common.event.EventType;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Each type's current schema describes exactly the record {@code Json.mapper()} writes: the same fields at every
 * depth, the same JSON types, enum names, every primitive required, objects open to added fields, and a title and a
 * description for every property.
 */
class SchemaMatchesRecordTest {

    @ParameterizedTest
    @EnumSource(EventType.class)
    void theSchemaDescribesTheRecordFieldByField(EventType type) {
        // Given
        JsonNode schema = Samples.read(type.schemaResource(type.currentVersion()));
        List<String> mismatches = new ArrayList<>();

        // When
        compare(schema, schema, type.payloadClass(), "$", mismatches);

        // Then
        assertThat(mismatches)
                .as("%s against %s", type.schemaResource(type.currentVersion()), type.payloadClass())
                .isEmpty();
    }

    @ParameterizedTest
    @EnumSource(EventType.class)
    void noObjectOfTheSchemaForbidsAddedFields(EventType type) {
        // Given
        JsonNode schema = Samples.read(type.schemaResource(type.currentVersion()));

        // When
        List<String> closed = new ArrayList<>();
        findClosedObjects(schema, "#", closed);

        // Then
        assertThat(closed)
                .as("additionalProperties: false in " + type.schemaResource(type.currentVersion()))
                .isEmpty();
    }

    private static void compare(JsonNode root, JsonNode node, Type javaType, String path, List<String> out) {
        JsonNode s = resolve(root, node);
        Class<?> raw = javaType instanceof ParameterizedType p ? (Class<?>) p.getRawType() : (Class<?>) javaType;
        String jsonType = s.path("type").asText();
        if (raw.isRecord()) {
            expect(
                    jsonType.equals("object"),
                    path + " is " + raw.getSimpleName() + " but the schema says " + jsonType,
                    out);
            expect(s.path("additionalProperties").asBoolean(false), path + " must set additionalProperties: true", out);
            RecordComponent[] components = raw.getRecordComponents();
            Set<String> names = new HashSet<>();
            for (RecordComponent c : components) {
                names.add(c.getName());
            }
            Set<String> properties = new HashSet<>();
            s.path("properties").fieldNames().forEachRemaining(properties::add);
            expect(
                    properties.equals(names),
                    path + " properties " + properties + " differ from " + raw.getSimpleName() + " fields " + names,
                    out);
            Set<String> required = new HashSet<>();
            s.path("required").forEach(r -> required.add(r.asText()));
            expect(names.containsAll(required), path + " requires fields the record does not have: " + required, out);
            for (RecordComponent c : components) {
                JsonNode property = s.path("properties").get(c.getName());
                if (property == null) {
                    continue;
                }
                String at = path + "." + c.getName();
                expect(property.hasNonNull("title"), at + " has no title", out);
                expect(property.hasNonNull("description"), at + " has no description", out);
                expect(
                        !c.getType().isPrimitive() || required.contains(c.getName()),
                        at + " is a primitive, always written, so it must be required",
                        out);
                compare(root, property, c.getGenericType(), at, out);
            }
        } else if (List.class.isAssignableFrom(raw)) {
            expect(jsonType.equals("array"), path + " is a List but the schema says " + jsonType, out);
            Type item = ((ParameterizedType) javaType).getActualTypeArguments()[0];
            compare(root, s.path("items"), item, path + "[]", out);
        } else if (raw.isEnum()) {
            Set<String> constants = new HashSet<>();
            Arrays.stream(raw.getEnumConstants()).forEach(e -> constants.add(((Enum<?>) e).name()));
            Set<String> allowed = new HashSet<>();
            s.path("enum").forEach(e -> allowed.add(e.asText()));
            expect(jsonType.equals("string"), path + " is an enum but the schema says " + jsonType, out);
            expect(allowed.equals(constants), path + " enum " + allowed + " differs from " + constants, out);
        } else if (raw == Instant.class) {
            expect(
                    jsonType.equals("string")
                            && "date-time".equals(s.path("format").asText()),
                    path + " is an Instant: string, format date-time",
                    out);
        } else if (raw == String.class) {
            expect(jsonType.equals("string"), path + " is a String but the schema says " + jsonType, out);
        } else if (raw == int.class || raw == long.class) {
            expect(jsonType.equals("integer"), path + " is an integer but the schema says " + jsonType, out);
        } else if (raw == boolean.class || raw == Boolean.class) {
            expect(jsonType.equals("boolean"), path + " is a boolean but the schema says " + jsonType, out);
        } else {
            out.add(path + ": no rule for Java type " + javaType);
        }
    }

    private static JsonNode resolve(JsonNode root, JsonNode node) {
        JsonNode current = node;
        while (current.has("$ref")) {
            String ref = current.get("$ref").asText();
            if (!ref.startsWith("#/")) {
                throw new IllegalArgumentException("only local $ref is used in the contract: " + ref);
            }
            current = root.at(ref.substring(1));
        }
        return current;
    }

    private static void findClosedObjects(JsonNode node, String path, List<String> out) {
        if (node.isObject()) {
            JsonNode additional = node.get("additionalProperties");
            if (additional != null && additional.isBoolean() && !additional.asBoolean()) {
                out.add(path);
            }
            if (node.has("unevaluatedProperties")
                    && !node.get("unevaluatedProperties").asBoolean(true)) {
                out.add(path + " (unevaluatedProperties)");
            }
            node.properties().forEach(e -> findClosedObjects(e.getValue(), path + "/" + e.getKey(), out));
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                findClosedObjects(node.get(i), path + "/" + i, out);
            }
        }
    }

    private static void expect(boolean condition, String mismatch, List<String> out) {
        if (!condition) {
            out.add(mismatch);
        }
    }
}
