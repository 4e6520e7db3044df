package dev.handoff.infra.driver;

import dev.handoff.infra.stage.StageFailure;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads the top-level {@code stack {}} block of one Terramate file (HCL native syntax) without evaluating anything:
 * every block and attribute of the file is parsed far enough to know where it ends, so {@code after} inside a string,
 * a comment, a heredoc or another block is never read as the stack's.
 *
 * <p>Checked as Terramate's {@code hcl/block_stack_parser.go} checks them: the attributes Terramate knows and no
 * other, no nested blocks, no attribute twice, and the {@code set(string)} attributes ({@code tags}, {@code after},
 * {@code before}, {@code wants}, {@code wanted_by}, {@code watch}) a list of distinct strings or {@code null}. Unlike
 * Terramate, only literal lists are read: an expression (a function call, a {@code ${}} template) is refused rather
 * than guessed.
 */
final class StackBlockReader {
    /** The stack block of a file: where it starts and its ordering attributes. */
    record StackBlock(String file, int line, List<String> after, List<String> before, List<String> tags) {}

    private static final Set<String> SETS = Set.of("tags", "after", "before", "wants", "wanted_by", "watch");
    private static final Set<String> VALUES =
            Set.of("id", "name", "description", "from_bundle_file", "from_bundle_label");

    private final HclScanner scanner;
    private final String file;

    private StackBlockReader(String file, String hcl) {
        this.file = file;
        this.scanner = new HclScanner(file, hcl);
    }

    /**
     * The file's stack block, if it has one.
     *
     * @param file the file relative to the repository root, for messages
     * @throws StageFailure {@code stack-order} naming the file, line and fix when the file is no valid HCL, holds two
     *     stack blocks, or its stack block is one Terramate refuses or Handoff cannot read
     */
    static Optional<StackBlock> read(String file, String hcl) throws StageFailure {
        return new StackBlockReader(file, hcl).body(true, 0);
    }

    /** A body up to its closing {@code }} (consumed) or, at the top, the end of the file. */
    private Optional<StackBlock> body(boolean top, int blockStart) throws StageFailure {
        StackBlock stack = null;
        while (true) {
            scanner.skipBlank(true);
            if (scanner.atEnd()) {
                if (!top) {
                    throw scanner.error(blockStart, "a block is never closed", "close it with }");
                }
                return Optional.ofNullable(stack);
            }
            if (!top && scanner.peek() == '}') {
                scanner.advance();
                return Optional.empty();
            }
            int start = scanner.position();
            String name = identifier("an attribute or a block");
            scanner.skipBlank(false);
            if (scanner.peek() == '=' && scanner.peek(1) != '=') {
                scanner.advance();
                scanner.skipExpression();
            } else {
                openBlock();
                if (top && name.equals("stack")) {
                    if (stack != null) {
                        throw scanner.error(
                                start,
                                "a second stack {} block (the first is on line " + stack.line() + ")",
                                "keep one stack block per directory");
                    }
                    stack = stackBody(start);
                } else {
                    body(false, start);
                }
            }
            endOfItem();
        }
    }

    private StackBlock stackBody(int start) throws StageFailure {
        Map<String, List<String>> sets = new HashMap<>();
        Set<String> seen = new HashSet<>();
        while (true) {
            scanner.skipBlank(true);
            if (scanner.atEnd()) {
                throw scanner.error(start, "the stack block is never closed", "close it with }");
            }
            if (scanner.peek() == '}') {
                scanner.advance();
                break;
            }
            int at = scanner.position();
            String name = identifier("an attribute of the stack block");
            scanner.skipBlank(false);
            if (scanner.peek() != '=' || scanner.peek(1) == '=') {
                throw scanner.error(
                        at, "the stack block holds the block " + name + ", and takes none", "move it out of stack {}");
            }
            scanner.advance();
            if (!seen.add(name)) {
                throw scanner.error(at, "stack." + name + " is set twice", "keep one");
            }
            if (SETS.contains(name)) {
                sets.put(name, stringSet(name));
            } else if (VALUES.contains(name)) {
                scanner.skipExpression();
            } else {
                throw scanner.error(
                        at,
                        "the stack block has no attribute " + name + " (Terramate knows id, name, description, tags,"
                                + " after, before, wants, wanted_by, watch)",
                        "fix its name or remove it");
            }
            endOfItem();
        }
        return new StackBlock(
                file,
                scanner.line(start),
                sets.getOrDefault("after", List.of()),
                sets.getOrDefault("before", List.of()),
                sets.getOrDefault("tags", List.of()));
    }

    /** {@code ["a", "b",]} over any lines, with comments, or {@code null}. */
    private List<String> stringSet(String name) throws StageFailure {
        String example = "a list of strings such as [\"/stacks/network\"]";
        scanner.skipBlank(false);
        int start = scanner.position();
        if ("null".equals(scanner.identifier())) {
            return List.of();
        }
        if (scanner.peek() != '[') {
            throw scanner.error(
                    start,
                    "stack." + name + " must be " + example + ", which Handoff reads without evaluating",
                    "write it as a literal list");
        }
        scanner.advance();
        List<String> values = new ArrayList<>();
        while (true) {
            scanner.skipBlank(true);
            if (scanner.peek() == ']') {
                scanner.advance();
                return List.copyOf(values);
            }
            int at = scanner.position();
            if (scanner.peek() != '"') {
                throw scanner.error(
                        at,
                        "element " + values.size() + " of stack." + name + " is not a string",
                        "make it " + example);
            }
            String value = scanner.literalString("an element of stack." + name);
            if (values.contains(value)) {
                throw scanner.error(
                        at, "stack." + name + " holds \"" + value + "\" twice, and is a set", "remove the repeat");
            }
            values.add(value);
            scanner.skipBlank(true);
            if (scanner.peek() == ',') {
                scanner.advance();
            } else if (scanner.peek() != ']') {
                throw scanner.error(
                        scanner.position(), "stack." + name + " misses a , or ] after \"" + value + "\"", "add it");
            }
        }
    }

    /** Block labels (quoted or bare) up to the block's {@code {}, consumed. */
    private void openBlock() throws StageFailure {
        while (scanner.peek() != '{') {
            int at = scanner.position();
            if (scanner.peek() == '"') {
                scanner.literalString("a block label");
            } else if (scanner.identifier() == null) {
                throw scanner.error(at, "expected = or a block's { here", "fix the syntax");
            }
            scanner.skipBlank(false);
        }
        scanner.advance();
    }

    /** After an attribute or block: the end of the line, of the file, or of a one-line block. */
    private void endOfItem() throws StageFailure {
        scanner.skipBlank(false);
        if (scanner.atEnd() || scanner.peek() == '}') {
            return;
        }
        if (scanner.peek() != '\n') {
            throw scanner.error(scanner.position(), "expected a new line here", "put the next item on its own line");
        }
        scanner.advance();
    }

    private String identifier(String what) throws StageFailure {
        String name = scanner.identifier();
        if (name == null) {
            throw scanner.error(scanner.position(), "expected " + what + " here", "fix the syntax");
        }
        return name;
    }
}
