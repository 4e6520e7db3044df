package dev.handoff.lab.world.tofu;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A small JSON reader and a writer that prints like Go's {@code encoding/json}, which OpenTofu uses for every JSON
 * document it writes: objects keep the order of the given map (pass a {@link TreeMap} for a Go map, whose keys Go
 * sorts; a {@link LinkedHashMap} for a Go struct, whose fields keep their declaration order), {@code <}, {@code >}
 * and {@code &} are escaped as {@code \u003c} etc., numbers print without exponent.
 *
 * <p>Parsed values: {@link Map} (insertion-ordered), {@link List}, {@link String}, {@link BigDecimal}, {@link Boolean}
 * and {@code null}.
 */
final class Json {
    private Json() {}

    /** A fragment of JSON text that is written as it is (Go's {@code json.RawMessage}). */
    record Raw(String json) {}

    /** Parses one JSON document. */
    static Object parse(String text) {
        Parser p = new Parser(text);
        p.space();
        Object value = p.value();
        p.space();
        if (p.pos < text.length()) {
            throw p.error("invalid character '" + text.charAt(p.pos) + "' after top-level value");
        }
        return value;
    }

    /** Go's {@code json.Marshal}. */
    static String compact(Object value) {
        StringBuilder out = new StringBuilder();
        write(out, value, null, 0);
        return out.toString();
    }

    /** Go's {@code json.MarshalIndent(value, "", indent)}. */
    static String indent(Object value, String indent) {
        StringBuilder out = new StringBuilder();
        write(out, value, indent, 0);
        return out.toString();
    }

    /** Go's {@code %q} ({@code strconv.Quote}), as tofu's messages quote names and values. */
    static String quote(String s) {
        StringBuilder out = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        out.append(String.format("\\x%02x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }

    /** A map whose keys come out sorted, as Go writes its maps. */
    static <V> Map<String, V> sorted() {
        return new TreeMap<>();
    }

    /** A map that keeps insertion order, as Go writes its structs. */
    static Map<String, Object> struct() {
        return new LinkedHashMap<>();
    }

    private static void write(StringBuilder out, Object value, String indent, int depth) {
        if (value == null) {
            out.append("null");
        } else if (value instanceof Raw raw) {
            out.append(indent == null ? raw.json() : reindent(raw.json(), indent, depth));
        } else if (value instanceof String s) {
            string(out, s);
        } else if (value instanceof Boolean b) {
            out.append(b);
        } else if (value instanceof BigDecimal d) {
            out.append(number(d));
        } else if (value instanceof Number n) {
            out.append(number(new BigDecimal(n.toString())));
        } else if (value instanceof Map<?, ?> map) {
            if (map.isEmpty()) {
                out.append("{}");
                return;
            }
            out.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : map.entrySet()) {
                if (!first) {
                    out.append(',');
                }
                first = false;
                newline(out, indent, depth + 1);
                string(out, String.valueOf(e.getKey()));
                out.append(indent == null ? ":" : ": ");
                write(out, e.getValue(), indent, depth + 1);
            }
            newline(out, indent, depth);
            out.append('}');
        } else if (value instanceof Collection<?> list) {
            if (list.isEmpty()) {
                out.append("[]");
                return;
            }
            out.append('[');
            boolean first = true;
            for (Object item : list) {
                if (!first) {
                    out.append(',');
                }
                first = false;
                newline(out, indent, depth + 1);
                write(out, item, indent, depth + 1);
            }
            newline(out, indent, depth);
            out.append(']');
        } else {
            throw new IllegalArgumentException("cannot write " + value.getClass() + " as JSON");
        }
    }

    private static String reindent(String raw, String indent, int depth) {
        StringBuilder out = new StringBuilder();
        write(out, parse(raw), indent, depth);
        return out.toString();
    }

    static String number(BigDecimal d) {
        BigDecimal s = d.stripTrailingZeros();
        if (s.scale() < 0) {
            s = s.setScale(0);
        }
        return s.toPlainString();
    }

    private static void newline(StringBuilder out, String indent, int depth) {
        if (indent != null) {
            out.append('\n');
            out.append(indent.repeat(depth));
        }
    }

    private static void string(StringBuilder out, String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                case '<', '>', '&', '\u2028', '\u2029' -> out.append(String.format("\\u%04x", (int) c));
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    /** Thrown for a document that is not JSON; the message reads like Go's. */
    static final class JsonException extends RuntimeException {
        JsonException(String message) {
            super(message);
        }
    }

    private static final class Parser {
        private final String text;
        private int pos;

        Parser(String text) {
            this.text = text;
        }

        JsonException error(String message) {
            return new JsonException(message);
        }

        void space() {
            while (pos < text.length() && " \t\r\n".indexOf(text.charAt(pos)) >= 0) {
                pos++;
            }
        }

        Object value() {
            if (pos >= text.length()) {
                throw error("unexpected end of JSON input");
            }
            char c = text.charAt(pos);
            switch (c) {
                case '{' -> {
                    pos++;
                    Map<String, Object> map = new LinkedHashMap<>();
                    space();
                    if (peek('}')) {
                        pos++;
                        return map;
                    }
                    while (true) {
                        space();
                        if (!peek('"')) {
                            throw error("invalid character looking for beginning of object key string");
                        }
                        String key = string();
                        space();
                        expect(':');
                        space();
                        map.put(key, value());
                        space();
                        if (peek(',')) {
                            pos++;
                            continue;
                        }
                        expect('}');
                        return map;
                    }
                }
                case '[' -> {
                    pos++;
                    List<Object> list = new ArrayList<>();
                    space();
                    if (peek(']')) {
                        pos++;
                        return list;
                    }
                    while (true) {
                        space();
                        list.add(value());
                        space();
                        if (peek(',')) {
                            pos++;
                            continue;
                        }
                        expect(']');
                        return list;
                    }
                }
                case '"' -> {
                    return string();
                }
                case 't' -> {
                    word("true");
                    return Boolean.TRUE;
                }
                case 'f' -> {
                    word("false");
                    return Boolean.FALSE;
                }
                case 'n' -> {
                    word("null");
                    return null;
                }
                default -> {
                    if (c == '-' || (c >= '0' && c <= '9')) {
                        int start = pos;
                        pos++;
                        while (pos < text.length() && "0123456789.eE+-".indexOf(text.charAt(pos)) >= 0) {
                            pos++;
                        }
                        try {
                            return new BigDecimal(text.substring(start, pos));
                        } catch (NumberFormatException e) {
                            throw error("invalid number literal " + text.substring(start, pos));
                        }
                    }
                    throw error("invalid character '" + c + "' looking for beginning of value");
                }
            }
        }

        private boolean peek(char c) {
            return pos < text.length() && text.charAt(pos) == c;
        }

        private void expect(char c) {
            if (!peek(c)) {
                if (pos >= text.length()) {
                    throw error("unexpected end of JSON input");
                }
                throw error("invalid character '" + text.charAt(pos) + "' (expected '" + c + "')");
            }
            pos++;
        }

        private void word(String w) {
            if (!text.startsWith(w, pos)) {
                throw error("invalid character '" + text.charAt(pos) + "' looking for beginning of value");
            }
            pos += w.length();
        }

        private String string() {
            expect('"');
            StringBuilder s = new StringBuilder();
            while (true) {
                if (pos >= text.length()) {
                    throw error("unexpected end of JSON input");
                }
                char c = text.charAt(pos++);
                if (c == '"') {
                    return s.toString();
                }
                if (c != '\\') {
                    s.append(c);
                    continue;
                }
                if (pos >= text.length()) {
                    throw error("unexpected end of JSON input");
                }
                char e = text.charAt(pos++);
                switch (e) {
                    case '"', '\\', '/' -> s.append(e);
                    case 'n' -> s.append('\n');
                    case 't' -> s.append('\t');
                    case 'r' -> s.append('\r');
                    case 'b' -> s.append('\b');
                    case 'f' -> s.append('\f');
                    case 'u' -> {
                        if (pos + 4 > text.length()) {
                            throw error("unexpected end of JSON input");
                        }
                        s.append((char) Integer.parseInt(text.substring(pos, pos + 4), 16));
                        pos += 4;
                    }
                    default -> throw error("invalid character '" + e + "' in string escape code");
                }
            }
        }
    }
}
