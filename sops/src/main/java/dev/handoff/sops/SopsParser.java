package dev.handoff.sops;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import dev.handoff.sops.SopsNode.Branch;
import dev.handoff.sops.SopsNode.Entry;
import dev.handoff.sops.SopsNode.Kind;
import dev.handoff.sops.SopsNode.Leaf;
import dev.handoff.sops.SopsNode.Sequence;
import java.io.IOException;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Reads a SOPS file into an ordered {@link SopsNode} tree, with hard limits so that hostile input fails fast: a size
 * limit checked before parsing, a nesting limit, no YAML anchors or aliases (an alias bomb fails in the composer),
 * no duplicate keys. Error messages carry a problem and a line, never text from the input.
 */
public final class SopsParser {
    /** Deepest nesting accepted; real SOPS files are a few levels deep. */
    public static final int MAX_DEPTH = 64;

    private static final Pattern NULL = Pattern.compile("^(~|null|Null|NULL|)$");
    private static final Pattern BOOL = Pattern.compile("^(true|True|TRUE|false|False|FALSE)$");
    private static final Pattern INT = Pattern.compile("^([-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$");
    private static final Pattern FLOAT = Pattern.compile(
            "^([-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?|[-+]?\\.(inf|Inf|INF)|\\.(nan|NaN|NAN))$");
    private static final JsonFactory JSON = JsonFactory.builder()
            .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .streamReadConstraints(
                    StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).build())
            .build();

    private SopsParser() {}

    /**
     * Parses {@code content} as {@code format}.
     *
     * @param maxBytes files larger than this are refused before parsing
     * @throws SopsFormatException when the content is not a well-formed document whose root is a mapping
     */
    public static Branch parse(byte[] content, SopsFormat format, long maxBytes) throws SopsFormatException {
        if (content.length > maxBytes) {
            throw new SopsFormatException(
                    "file-too-large",
                    "the file has " + content.length + " bytes, more than the limit of " + maxBytes
                            + " bytes for a SOPS file; split it or raise handoff.secrets.max-file-bytes");
        }
        String text = utf8(content);
        return switch (format) {
            case YAML -> yaml(text, maxBytes);
            case JSON -> json(text);
        };
    }

    private static String utf8(byte[] content) throws SopsFormatException {
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(content))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new SopsFormatException("not-utf8", "the file is not UTF-8 text (a binary file?)");
        }
    }

    private static Branch yaml(String text, long maxBytes) throws SopsFormatException {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        options.setMaxAliasesForCollections(10);
        options.setNestingDepthLimit(MAX_DEPTH);
        options.setCodePointLimit((int) Math.min(Integer.MAX_VALUE, Math.max(maxBytes, 1024)));
        options.setProcessComments(false);
        Node root;
        try {
            root = new Yaml(options).compose(new StringReader(text));
        } catch (MarkedYAMLException e) {
            int line = e.getProblemMark() == null ? 0 : e.getProblemMark().getLine() + 1;
            throw new SopsFormatException(
                    "invalid-yaml", "not valid YAML at line " + line + ": " + safe(e.getProblem()));
        } catch (YAMLException e) {
            String message = String.valueOf(e.getMessage());
            if (message.contains("aliases")) {
                throw new SopsFormatException(
                        "yaml-aliases",
                        "the YAML uses more aliases than allowed (an alias bomb?); SOPS files need no anchors or aliases");
            }
            if (message.contains("code points") || message.contains("limit")) {
                throw new SopsFormatException("file-too-large", "the YAML document exceeds the size limit");
            }
            throw new SopsFormatException("invalid-yaml", "not valid YAML: " + safe(message));
        } catch (StackOverflowError e) {
            throw new SopsFormatException("too-deep", "the YAML is nested too deeply");
        }
        if (root == null) {
            throw new SopsFormatException("empty", "the file is empty");
        }
        SopsNode tree = yamlNode(root, 0);
        if (!(tree instanceof Branch branch)) {
            throw new SopsFormatException(
                    "not-a-mapping", "the document is not a mapping at line " + tree.line() + "; a SOPS file is one");
        }
        return branch;
    }

    private static SopsNode yamlNode(Node node, int depth) throws SopsFormatException {
        int line = node.getStartMark() == null ? 0 : node.getStartMark().getLine() + 1;
        if (depth > MAX_DEPTH) {
            throw new SopsFormatException("too-deep", "nested more than " + MAX_DEPTH + " levels at line " + line);
        }
        if (node.getAnchor() != null) {
            throw new SopsFormatException(
                    "yaml-aliases",
                    "YAML anchor at line " + line + ": anchors and aliases are not allowed in a SOPS file");
        }
        if (node instanceof MappingNode mapping) {
            List<Entry> entries = new ArrayList<>();
            Set<String> seen = new HashSet<>();
            for (NodeTuple tuple : mapping.getValue()) {
                Node keyNode = tuple.getKeyNode();
                int keyLine = keyNode.getStartMark() == null
                        ? 0
                        : keyNode.getStartMark().getLine() + 1;
                if (!(keyNode instanceof ScalarNode scalarKey)) {
                    throw new SopsFormatException(
                            "invalid-key", "a mapping key at line " + keyLine + " is not a plain scalar");
                }
                String key = scalarKey.getValue();
                if (key.equals("<<")) {
                    throw new SopsFormatException(
                            "yaml-aliases", "YAML merge key at line " + keyLine + " is not allowed in a SOPS file");
                }
                if (!seen.add(key)) {
                    throw new SopsFormatException(
                            "duplicate-key", "duplicate key " + key + " at line " + keyLine + "; keep one of them");
                }
                entries.add(new Entry(key, yamlNode(tuple.getValueNode(), depth + 1)));
            }
            return new Branch(entries, line);
        }
        if (node instanceof SequenceNode sequence) {
            List<SopsNode> items = new ArrayList<>();
            for (Node item : sequence.getValue()) {
                items.add(yamlNode(item, depth + 1));
            }
            return new Sequence(items, line);
        }
        ScalarNode scalar = (ScalarNode) node;
        String value = scalar.getValue();
        if (scalar.getScalarStyle() != DumperOptions.ScalarStyle.PLAIN) {
            return new Leaf(Kind.STRING, value, line);
        }
        return new Leaf(resolve(value), value, line);
    }

    /** The YAML 1.2 core-schema type of a plain scalar (what go-yaml v3, and so sops, resolves). */
    static Kind resolve(String plain) {
        if (NULL.matcher(plain).matches()) {
            return Kind.NULL;
        }
        if (BOOL.matcher(plain).matches()) {
            return Kind.BOOL;
        }
        if (INT.matcher(plain).matches()) {
            return Kind.INT;
        }
        if (FLOAT.matcher(plain).matches()) {
            return Kind.FLOAT;
        }
        return Kind.STRING;
    }

    private static Branch json(String text) throws SopsFormatException {
        try (JsonParser parser = JSON.createParser(text)) {
            JsonToken first = parser.nextToken();
            if (first == null) {
                throw new SopsFormatException("empty", "the file is empty");
            }
            SopsNode root = jsonNode(parser, first);
            if (parser.nextToken() != null) {
                throw new SopsFormatException(
                        "invalid-json", "more than one JSON value (line " + line(parser) + "); a SOPS file is one");
            }
            if (!(root instanceof Branch branch)) {
                throw new SopsFormatException("not-a-mapping", "the document is not a JSON object; a SOPS file is one");
            }
            return branch;
        } catch (StreamConstraintsException e) {
            if (String.valueOf(e.getOriginalMessage()).contains("depth")) {
                throw new SopsFormatException("too-deep", "the JSON is nested more than " + MAX_DEPTH + " levels");
            }
            throw new SopsFormatException(
                    "invalid-json", "a JSON key, string or number is longer than a SOPS file needs (a hostile file?)");
        } catch (JsonParseException e) {
            int line = e.getLocation() == null ? 0 : e.getLocation().getLineNr();
            String message = String.valueOf(e.getOriginalMessage());
            if (message.startsWith("Duplicate field '")) {
                int end = message.indexOf('\'', "Duplicate field '".length());
                String key = end > 0 ? message.substring("Duplicate field '".length(), end) : "?";
                throw new SopsFormatException(
                        "duplicate-key", "duplicate key " + key + " at line " + line + "; keep one of them");
            }
            throw new SopsFormatException("invalid-json", "not valid JSON at line " + line);
        } catch (JsonProcessingException e) {
            int line = e.getLocation() == null ? 0 : e.getLocation().getLineNr();
            throw new SopsFormatException("invalid-json", "not valid JSON at line " + line);
        } catch (IOException e) {
            throw new SopsFormatException(
                    "invalid-json", "not valid JSON: " + e.getClass().getSimpleName());
        }
    }

    private static SopsNode jsonNode(JsonParser parser, JsonToken token) throws IOException, SopsFormatException {
        int line = line(parser);
        switch (token) {
            case START_OBJECT -> {
                List<Entry> entries = new ArrayList<>();
                JsonToken t;
                while ((t = parser.nextToken()) == JsonToken.FIELD_NAME) {
                    String key = parser.currentName();
                    entries.add(new Entry(key, jsonNode(parser, parser.nextToken())));
                }
                if (t != JsonToken.END_OBJECT) {
                    throw new SopsFormatException("invalid-json", "not valid JSON at line " + line(parser));
                }
                return new Branch(entries, line);
            }
            case START_ARRAY -> {
                List<SopsNode> items = new ArrayList<>();
                JsonToken t;
                while ((t = parser.nextToken()) != JsonToken.END_ARRAY) {
                    if (t == null) {
                        throw new SopsFormatException("invalid-json", "unterminated JSON array at line " + line);
                    }
                    items.add(jsonNode(parser, t));
                }
                return new Sequence(items, line);
            }
            case VALUE_STRING -> {
                return new Leaf(Kind.STRING, parser.getText(), line);
            }
            case VALUE_NUMBER_INT -> {
                return new Leaf(Kind.INT, parser.getText(), line);
            }
            case VALUE_NUMBER_FLOAT -> {
                return new Leaf(Kind.FLOAT, parser.getText(), line);
            }
            case VALUE_TRUE, VALUE_FALSE -> {
                return new Leaf(Kind.BOOL, parser.getText(), line);
            }
            case VALUE_NULL -> {
                return new Leaf(Kind.NULL, "", line);
            }
            default -> throw new SopsFormatException("invalid-json", "not valid JSON at line " + line);
        }
    }

    private static int line(JsonParser parser) {
        return parser.currentLocation() == null ? 0 : parser.currentLocation().getLineNr();
    }

    /** A parser's problem text without quoted input: quoted runs longer than one character are elided. */
    private static String safe(String problem) {
        if (problem == null) {
            return "syntax error";
        }
        String s = problem.replaceAll("'[^']{2,}'", "'…'").replaceAll("\"[^\"]{2,}\"", "\"…\"");
        return s.length() > 160 ? s.substring(0, 160) + "…" : s;
    }
}
