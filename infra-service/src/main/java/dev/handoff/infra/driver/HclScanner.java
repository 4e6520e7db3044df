package dev.handoff.infra.driver;

import dev.handoff.common.event.v1.StageFailed;
import dev.handoff.infra.stage.StageFailure;
import java.util.List;

/**
 * The lexical side of HCL's native syntax, as much as reading a {@code stack {}} block needs: blanks and the three
 * comment forms ({@code #}, {@code //}, {@code /* *}{@code /}), identifiers, quoted strings with their escapes and
 * {@code ${...}}/{@code %{...}} templates, heredocs, and skipping a whole expression without evaluating it, so that a
 * word inside a string, comment or heredoc is never taken for syntax.
 */
final class HclScanner {
    private final String file;
    private final String text;
    private int pos;

    HclScanner(String file, String text) {
        this.file = file;
        this.text = text;
        this.pos = text.startsWith("\uFEFF") ? 1 : 0;
    }

    boolean atEnd() {
        return pos >= text.length();
    }

    char peek() {
        return peek(0);
    }

    char peek(int ahead) {
        return pos + ahead < text.length() ? text.charAt(pos + ahead) : '\0';
    }

    void advance() {
        pos++;
    }

    int position() {
        return pos;
    }

    /** Skips spaces, tabs and comments, and newlines too when {@code newlines}; a comment's newline is left. */
    void skipBlank(boolean newlines) throws StageFailure {
        while (!atEnd()) {
            char c = peek();
            if (c == ' ' || c == '\t' || c == '\r' || (newlines && c == '\n')) {
                pos++;
            } else if (c == '#' || (c == '/' && peek(1) == '/')) {
                while (!atEnd() && peek() != '\n') {
                    pos++;
                }
            } else if (c == '/' && peek(1) == '*') {
                int end = text.indexOf("*/", pos + 2);
                if (end < 0) {
                    throw error(pos, "a /* comment is never closed", "close it with */");
                }
                pos = end + 2;
            } else {
                return;
            }
        }
    }

    /** An identifier ({@code stack}, {@code after}, {@code wanted_by}, ...), or null when none starts here. */
    String identifier() {
        if (atEnd() || !(Character.isLetter(peek()) || peek() == '_')) {
            return null;
        }
        int start = pos;
        while (!atEnd() && (Character.isLetterOrDigit(peek()) || peek() == '_' || peek() == '-')) {
            pos++;
        }
        return text.substring(start, pos);
    }

    /** A quoted string without templates, its escapes decoded; the scanner is at its opening quote. */
    String literalString(String what) throws StageFailure {
        int start = pos++;
        StringBuilder value = new StringBuilder();
        while (true) {
            char c = peek();
            if (atEnd() || c == '\n') {
                throw error(start, "a string is never closed", "close it with \" on the same line");
            } else if (c == '"') {
                pos++;
                return value.toString();
            } else if (c == '\\') {
                value.append(escape(start));
            } else if ((c == '$' || c == '%') && peek(1) == c && peek(2) == '{') {
                value.append(c).append('{');
                pos += 3;
            } else if ((c == '$' || c == '%') && peek(1) == '{') {
                throw error(
                        pos,
                        what + " holds a template (" + c + "{...}), which Handoff cannot evaluate",
                        "write the value as a plain string");
            } else {
                value.append(c);
                pos++;
            }
        }
    }

    private String escape(int stringStart) throws StageFailure {
        char e = peek(1);
        pos += 2;
        switch (e) {
            case 'n':
                return "\n";
            case 'r':
                return "\r";
            case 't':
                return "\t";
            case '"':
                return "\"";
            case '\\':
                return "\\";
            case 'u':
            case 'U':
                int digits = e == 'u' ? 4 : 8;
                String hex = pos + digits <= text.length() ? text.substring(pos, pos + digits) : "";
                if (!hex.matches("[0-9a-fA-F]{" + digits + "}")) {
                    throw error(pos - 2, "the escape \\" + e + " needs " + digits + " hex digits", "fix the escape");
                }
                pos += digits;
                return new String(Character.toChars(Integer.parseInt(hex, 16)));
            default:
                throw error(pos - 2, "the string holds the unknown escape \\" + e, "write \\\\ for a backslash");
        }
    }

    /**
     * Skips one attribute's expression: up to the newline (or the {@code }} of a one-line block) outside brackets,
     * neither consumed.
     */
    void skipExpression() throws StageFailure {
        int start = pos;
        skipBlank(false);
        if (atEnd() || peek() == '\n' || peek() == '}') {
            throw error(start, "an attribute has no value", "give it a value or remove it");
        }
        skip(false);
    }

    /** Skips to the {@code }} closing a {@code ${}/{@code %{} template, consumed; newlines are free inside. */
    private void skipTemplate() throws StageFailure {
        skip(true);
        pos++;
    }

    private void skip(boolean template) throws StageFailure {
        int depth = 0;
        int start = pos;
        while (true) {
            skipBlank(template || depth > 0);
            if (atEnd()) {
                if (depth > 0 || template) {
                    throw error(start, "a bracket or template is never closed", "close it");
                }
                return;
            }
            char c = peek();
            if (c == '\n' && depth == 0) {
                return;
            } else if (c == '"') {
                skipQuoted();
            } else if (c == '<' && peek(1) == '<') {
                skipHeredoc();
            } else if (c == '(' || c == '[' || c == '{') {
                depth++;
                pos++;
            } else if (c == ')' || c == ']' || c == '}') {
                if (depth == 0) {
                    if (c == '}') {
                        return;
                    }
                    throw error(pos, "'" + c + "' closes nothing", "remove it or open its bracket");
                }
                depth--;
                pos++;
            } else {
                pos++;
            }
        }
    }

    private void skipQuoted() throws StageFailure {
        int start = pos++;
        while (true) {
            char c = peek();
            if (atEnd() || c == '\n') {
                throw error(start, "a string is never closed", "close it with \" on the same line");
            } else if (c == '"') {
                pos++;
                return;
            } else if (c == '\\') {
                pos += 2;
            } else if ((c == '$' || c == '%') && peek(1) == c && peek(2) == '{') {
                pos += 3;
            } else if ((c == '$' || c == '%') && peek(1) == '{') {
                pos += 2;
                skipTemplate();
            } else {
                pos++;
            }
        }
    }

    /** {@code <<EOT} or {@code <<-EOT}, up to the line holding only {@code EOT} (indented or not). */
    private void skipHeredoc() throws StageFailure {
        int start = pos;
        pos += peek(2) == '-' ? 3 : 2;
        String marker = identifier();
        int lineEnd = text.indexOf('\n', pos);
        if (marker == null || lineEnd < 0 || !text.substring(pos, lineEnd).isBlank()) {
            throw error(start, "a heredoc must start with <<NAME or <<-NAME at the end of a line", "fix the heredoc");
        }
        pos = lineEnd + 1;
        while (pos < text.length()) {
            int end = text.indexOf('\n', pos);
            int next = end < 0 ? text.length() : end;
            if (text.substring(pos, next).strip().equals(marker)) {
                pos = next;
                return;
            }
            pos = end < 0 ? text.length() : end + 1;
        }
        throw error(start, "the heredoc " + marker + " is never closed", "end it with a line holding only " + marker);
    }

    /** The line (from 1) of the offset {@code at}. */
    int line(int at) {
        int line = 1;
        for (int i = 0; i < Math.min(at, text.length()); i++) {
            if (text.charAt(i) == '\n') {
                line++;
            }
        }
        return line;
    }

    /** A failure naming the file, line and column of {@code at}, what is wrong and the fix. */
    StageFailure error(int at, String what, String fix) {
        int line = line(at);
        int lineStart = at == 0 ? 0 : text.lastIndexOf('\n', at - 1) + 1;
        String where = file + ":" + line + ":" + (at - lineStart + 1);
        return new StageFailure(
                "stack-order",
                "cannot read the Terramate configuration " + where + ": " + what + "; " + fix + " in " + file,
                false,
                List.of(new StageFailed.Detail("unreadable-hcl", file, "line " + line + ": " + what)));
    }
}
