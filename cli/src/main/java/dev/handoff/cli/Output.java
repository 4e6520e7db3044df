package dev.handoff.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.PrintWriter;

/**
 * How results are printed ({@code -o}): tables for people ({@code wide} adds columns), or the API's answer as JSON or
 * YAML for scripts — the same data in both.
 */
enum Output {
    table,
    wide,
    json,
    yaml;

    private static final YAMLMapper YAML = new YAMLMapper();

    /** Whether this prints the API's answer as data rather than a table. */
    boolean isData() {
        return this == json || this == yaml;
    }

    /**
     * Prints one answer as data: indented JSON, or one YAML document (starting with {@code ---}, so that the answers
     * of {@code --watch} form a stream of documents).
     */
    void print(PrintWriter out, JsonNode node) {
        ObjectMapper mapper = this == yaml ? YAML : ControlApi.JSON;
        try {
            String text = mapper.writerWithDefaultPrettyPrinter().writeValueAsString(node);
            out.print(text.endsWith("\n") ? text : text + "\n");
            out.flush();
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
