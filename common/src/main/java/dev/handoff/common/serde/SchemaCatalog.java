package dev.handoff.common.serde;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.PathType;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.handoff.common.event.EventType;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The JSON Schemas of the contract, loaded from the classpath ({@code /schemas/<name>/v<N>.json}) once and kept.
 * Validation errors come back as readable lines that name the offending field.
 */
public final class SchemaCatalog {
    private final JsonSchemaFactory factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);
    /**
     * Draft 2020-12 treats {@code format} as an annotation only; the contract's formats (date-time, ipv4, uri, uuid)
     * are meant to be checked, so assertions are switched on. Paths stay in the {@code $.a.b} form. Patterns are the
     * JDK's, remembering their answers for repeated strings ({@link RememberedMatches}).
     */
    private final SchemaValidatorsConfig config = SchemaValidatorsConfig.builder()
            .formatAssertionsEnabled(true)
            .pathType(PathType.LEGACY)
            .locale(java.util.Locale.ROOT)
            .regularExpressionFactory(RememberedMatches.INSTANCE)
            .build();

    private final ConcurrentMap<String, Optional<JsonSchema>> schemas = new ConcurrentHashMap<>();

    /** The schema of a version of a type, if the contract has that version. */
    public Optional<JsonSchema> schema(EventType type, int version) {
        String resource = type.schemaResource(version);
        return schemas.computeIfAbsent(resource, this::load);
    }

    /**
     * Validates a payload against a version's schema.
     *
     * @return the violations, empty when valid
     * @throws IllegalArgumentException when the contract has no such version
     */
    public List<String> violations(EventType type, int version, JsonNode data) {
        JsonSchema schema = schema(type, version)
                .orElseThrow(() -> new IllegalArgumentException(
                        "the contract has no schema " + type.schemaResource(version) + " for " + type.type()));
        Set<ValidationMessage> messages = schema.validate(data);
        return messages.stream().map(ValidationMessage::getMessage).sorted().toList();
    }

    private Optional<JsonSchema> load(String resource) {
        try (InputStream in = SchemaCatalog.class.getResourceAsStream(resource)) {
            if (in == null) {
                return Optional.empty();
            }
            return Optional.of(factory.getSchema(in, config));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read schema " + resource, e);
        }
    }
}
