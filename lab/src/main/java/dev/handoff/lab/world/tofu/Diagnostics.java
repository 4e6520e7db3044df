package dev.handoff.lab.world.tofu;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * OpenTofu's diagnostics (errors and warnings) and how its CLI prints them ({@code internal/command/format/
 * diagnostic.go}, {@code views/view.go}): with {@code -no-color} the plain form ({@code DiagnosticPlain}: "Error:
 * summary", the source snippet, the detail wrapped at 77 columns), otherwise the boxed form ({@code ╷ │ ╵}, detail
 * wrapped at 75 columns; the stand-in prints it without the ANSI colours). Errors go to stderr, warnings to stdout.
 * Output is not a terminal, so the width is tofu's default of 78 columns.
 */
final class Diagnostics {
    /** Tofu's width when the output is not a terminal ({@code internal/terminal/stream.go}). */
    static final int COLUMNS = 78;

    private Diagnostics() {}

    /** One diagnostic; {@code subject} and {@code address} may be null. */
    record Diag(boolean error, String summary, String detail, Hcl.Range subject, String address) {
        static Diag error(String summary, String detail) {
            return new Diag(true, summary, detail, null, null);
        }

        static Diag error(String summary, String detail, Hcl.Range subject) {
            return new Diag(true, summary, detail, subject, null);
        }

        static Diag warning(String summary, String detail) {
            return new Diag(false, summary, detail, null, null);
        }

        static Diag warning(String summary, String detail, Hcl.Range subject) {
            return new Diag(false, summary, detail, subject, null);
        }
    }

    /** Thrown to end a command with diagnostics (exit code 1). */
    static class Failure extends RuntimeException {
        final List<Diag> diags;

        Failure(List<Diag> diags) {
            super(diags.isEmpty() ? "failed" : diags.get(0).summary());
            this.diags = diags;
        }

        Failure(Diag diag) {
            this(List.of(diag));
        }
    }

    /** Prints diagnostics as tofu's {@code View.Diagnostics} does: sorted, errors to stderr, warnings to stdout. */
    static void print(
            List<Diag> diags, Map<String, Hcl.File> sources, boolean color, PrintStream out, PrintStream err) {
        List<Diag> sorted = new ArrayList<>(diags);
        sorted.sort(Comparator.comparing((Diag d) -> d.error() ? 0 : 1)
                .thenComparing(d -> d.subject() == null ? "" : d.subject().file())
                .thenComparingInt(d -> d.subject() == null ? 0 : d.subject().startLine())
                .thenComparingInt(d -> d.subject() == null ? 0 : d.subject().startCol()));
        for (Diag d : sorted) {
            String text = color ? boxed(d, sources) : plain(d, sources);
            (d.error() ? err : out).print(text);
        }
    }

    /** {@code format.DiagnosticPlain}. */
    static String plain(Diag d, Map<String, Hcl.File> sources) {
        StringBuilder b = new StringBuilder();
        b.append(d.error() ? "\nError: " : "\nWarning: ").append(d.summary()).append("\n\n");
        snippet(b, d, sources);
        detail(b, d.detail(), COLUMNS - 1);
        return b.toString();
    }

    /** {@code format.Diagnostic}, without colours. */
    static String boxed(Diag d, Map<String, Hcl.File> sources) {
        StringBuilder b = new StringBuilder();
        b.append(d.error() ? "Error: " : "Warning: ").append(d.summary()).append("\n\n");
        snippet(b, d, sources);
        detail(b, d.detail(), COLUMNS - 2 - 1);
        StringBuilder ruled = new StringBuilder("╷\n");
        String body = b.toString();
        if (body.endsWith("\n")) {
            body = body.substring(0, body.length() - 1);
        }
        for (String line : body.split("\n", -1)) {
            ruled.append(line.isEmpty() ? "│" : "│ ").append(line).append('\n');
        }
        return ruled.append("╵\n").toString();
    }

    private static void detail(StringBuilder b, String detail, int width) {
        if (detail == null || detail.isEmpty()) {
            return;
        }
        for (String line : detail.split("\n", -1)) {
            b.append(line.startsWith(" ") ? line : wrap(line, width)).append('\n');
        }
    }

    private static void snippet(StringBuilder b, Diag d, Map<String, Hcl.File> sources) {
        if (d.address() != null) {
            b.append("  with ").append(d.address()).append(",\n");
        }
        Hcl.Range r = d.subject();
        if (r == null) {
            return;
        }
        Hcl.File file = sources == null ? null : sources.get(r.file());
        if (file == null) {
            b.append("  on ")
                    .append(r.file())
                    .append(" line ")
                    .append(r.startLine())
                    .append(":\n  (source code not available)\n");
        } else {
            String context = context(file, r.startOffset() - 1);
            b.append("  on ")
                    .append(r.file())
                    .append(" line ")
                    .append(r.startLine())
                    .append(context.isEmpty() ? "" : ", in " + context)
                    .append(":\n");
            String[] lines = file.source().split("\n", -1);
            int last = Math.max(r.startLine(), r.endLine());
            for (int n = r.startLine(); n <= last && n <= lines.length; n++) {
                b.append(String.format("%4d: %s", n, lines[n - 1])).append('\n');
            }
        }
        b.append('\n');
    }

    /** HCL's {@code hcled.ContextString}: the header of the top-level block containing the offset. */
    static String context(Hcl.File file, int offset) {
        for (Hcl.Block block : file.body().blocks()) {
            if (offset >= block.range().startOffset() && offset < block.range().endOffset()) {
                StringBuilder s = new StringBuilder(block.type());
                for (String label : block.labels()) {
                    s.append(' ').append(Json.quote(label));
                }
                return s.toString();
            }
        }
        return "";
    }

    /** {@code github.com/mitchellh/go-wordwrap} v1.0.1 {@code WrapString}. */
    static String wrap(String s, int lim) {
        StringBuilder buf = new StringBuilder();
        StringBuilder word = new StringBuilder();
        StringBuilder space = new StringBuilder();
        int current = 0;
        int wordLen = 0;
        int spaceLen = 0;
        for (int i = 0; i < s.length(); ) {
            int ch = s.codePointAt(i);
            i += Character.charCount(ch);
            if (ch == '\n') {
                if (word.length() == 0) {
                    if (current + spaceLen > lim) {
                        current = 0;
                    } else {
                        current += spaceLen;
                        buf.append(space);
                    }
                    space.setLength(0);
                    spaceLen = 0;
                } else {
                    current += spaceLen + wordLen;
                    buf.append(space);
                    space.setLength(0);
                    spaceLen = 0;
                    buf.append(word);
                    word.setLength(0);
                    wordLen = 0;
                }
                buf.appendCodePoint(ch);
                current = 0;
            } else if (Character.isWhitespace(ch) && ch != 0xA0) {
                if (space.length() == 0 || word.length() > 0) {
                    current += spaceLen + wordLen;
                    buf.append(space);
                    space.setLength(0);
                    spaceLen = 0;
                    buf.append(word);
                    word.setLength(0);
                    wordLen = 0;
                }
                space.appendCodePoint(ch);
                spaceLen++;
            } else {
                word.appendCodePoint(ch);
                wordLen++;
                if (current + spaceLen + wordLen > lim && wordLen < lim) {
                    buf.append('\n');
                    current = 0;
                    space.setLength(0);
                    spaceLen = 0;
                }
            }
        }
        if (word.length() == 0) {
            if (current + spaceLen <= lim) {
                buf.append(space);
            }
        } else {
            buf.append(space);
            buf.append(word);
        }
        return buf.toString();
    }

    /** {@code format.WordWrap}: wraps every line not starting with a space at {@code width - 1}. */
    static String wordWrap(String s, int width) {
        StringBuilder b = new StringBuilder();
        String[] lines = s.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            if (i > 0) {
                b.append('\n');
            }
            b.append(lines[i].startsWith(" ") ? lines[i] : wrap(lines[i], width - 1));
        }
        return b.toString();
    }

    /** {@code format.HorizontalRule} without colour. */
    static String horizontalRule() {
        return "\n" + "─".repeat(COLUMNS - 1);
    }
}
