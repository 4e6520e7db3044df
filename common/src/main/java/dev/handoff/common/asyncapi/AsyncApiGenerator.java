package dev.handoff.common.asyncapi;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes {@code asyncapi.yaml} into {@code common}'s classes when the module is built (exec-maven-plugin, phase
 * {@code process-classes}), so that every jar of the contract carries its document: {@code java … AsyncApiGenerator
 * <file> <version>}.
 */
public final class AsyncApiGenerator {
    /** The document's classpath resource. */
    public static final String RESOURCE = "/asyncapi.yaml";

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
            .enable(YAMLGenerator.Feature.INDENT_ARRAYS_WITH_INDICATOR));

    private AsyncApiGenerator() {}

    /** The document as YAML text. */
    public static String yaml(String version) {
        return yaml(AsyncApiDocument.build(version));
    }

    static String yaml(JsonNode doc) {
        try {
            return "# Generated from dev.handoff.common (EventType, Topics, schemas, samples) by AsyncApiGenerator;"
                    + " do not edit.\n" + YAML.writeValueAsString(doc);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the AsyncAPI document as YAML", e);
        }
    }

    /** Reads a document written by {@link #yaml(String)}. */
    public static JsonNode read(String yaml) throws IOException {
        return YAML.readTree(yaml);
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            throw new IllegalArgumentException("usage: AsyncApiGenerator <output file> <contract version>");
        }
        Path out = Path.of(args[0]);
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, yaml(args[1]), StandardCharsets.UTF_8);
    }
}
