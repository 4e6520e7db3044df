package dev.handoff.lab.world.tofu;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A parser for the part of HCL's native syntax that OpenTofu configurations and {@code .tfvars} files use: bodies of
 * attributes and labelled blocks, and expressions (literals, quoted and heredoc templates with {@code ${...}}
 * interpolation, tuples, objects, references such as {@code var.x} or {@code aws_vpc.main.id}, function calls,
 * conditionals, unary and binary operators). {@code for} expressions and template directives are kept as opaque
 * source text. Every node keeps its source range so diagnostics can point at it as OpenTofu's do.
 */
final class Hcl {
    private Hcl() {}

    /** A position range in one file; lines and columns start at 1, offsets at 0 (end exclusive). */
    record Range(String file, int startLine, int startCol, int startOffset, int endLine, int endCol, int endOffset) {
        Range to(Range end) {
            return new Range(file, startLine, startCol, startOffset, end.endLine, end.endCol, end.endOffset);
        }

        /** {@code main.tf:12,3-8} as HCL prints a range's start. */
        String startString() {
            return file + ":" + startLine + "," + startCol;
        }
    }

    /** A parsed file: its name, its text, its body. */
    record File(String name, String source, Body body) {}

    /** {@code name = expr}. */
    record Attribute(String name, Expr expr, Range nameRange, Range range) {}

    /** {@code type "label" ... { body }}. */
    record Block(String type, List<String> labels, Body body, Range typeRange, List<Range> labelRanges, Range range) {
        /** The block's header: its type and labels (HCL's {@code DefRange}). */
        Range defRange() {
            Range end = labelRanges.isEmpty() ? typeRange : labelRanges.get(labelRanges.size() - 1);
            return typeRange.to(end);
        }

        String label(int i) {
            return i < labels.size() ? labels.get(i) : "";
        }
    }

    /** The attributes and blocks of a file or a block, in source order. */
    record Body(List<Attribute> attributes, List<Block> blocks) {
        Optional<Attribute> attribute(String name) {
            return attributes.stream().filter(a -> a.name().equals(name)).findFirst();
        }

        List<Block> blocks(String type) {
            return blocks.stream().filter(b -> b.type().equals(type)).toList();
        }
    }

    /** An expression node. */
    sealed interface Expr
            permits Lit, Template, Tuple, ObjectCons, Traversal, Call, Conditional, Binary, Unary, Opaque {
        Range range();
    }

    record Lit(Object value, Range range) implements Expr {}

    /** Parts are {@link String} literals or {@link Expr} interpolations. */
    record Template(List<Object> parts, Range range) implements Expr {}

    record Tuple(List<Expr> items, Range range) implements Expr {}

    record ObjectCons(List<Expr> keys, List<Expr> values, Range range) implements Expr {}

    /** {@code root.step[...]...}; steps are {@link String} attribute names, {@link Expr} indexes or {@link #SPLAT}. */
    record Traversal(String root, List<Object> steps, Range range) implements Expr {}

    record Call(String name, List<Expr> args, boolean expandLast, Range range) implements Expr {}

    record Conditional(Expr condition, Expr whenTrue, Expr whenFalse, Range range) implements Expr {}

    record Binary(String op, Expr left, Expr right, Range range) implements Expr {}

    record Unary(String op, Expr operand, Range range) implements Expr {}

    /** A construct kept as its source text (for expressions, template directives). */
    record Opaque(String source, List<Traversal> references, Range range) implements Expr {}

    /** The splat step {@code [*]} of a traversal. */
    static final Object SPLAT = new Object() {
        @Override
        public String toString() {
            return "[*]";
        }
    };

    /** A syntax error, with where it is. */
    static final class SyntaxError extends RuntimeException {
        final String summary;
        final Range range;

        SyntaxError(String summary, String detail, Range range) {
            super(detail);
            this.summary = summary;
            this.range = range;
        }
    }

    /** Parses a whole file. */
    static File parse(String name, String source) {
        List<Token> tokens = new Lexer(name, source).all();
        Parser p = new Parser(name, source, tokens);
        Body body = p.body(true);
        return new File(name, source, body);
    }

    /** Parses one expression (e.g. a {@code -var} value). */
    static Expr parseExpression(String name, String source) {
        List<Token> tokens = new Lexer(name, source).all();
        Parser p = new Parser(name, source, tokens);
        p.nesting = 1;
        Expr e = p.expression();
        if (p.peek().type != T.EOF) {
            throw p.error(
                    "Extra characters after expression",
                    "An expression was successfully parsed, but extra characters were found after it.",
                    p.peek());
        }
        return e;
    }

    /** The source text of a node. */
    static String text(String source, Range range) {
        int start = Math.min(Math.max(0, range.startOffset()), source.length());
        return source.substring(start, Math.max(start, Math.min(range.endOffset(), source.length())));
    }

    /** Every reference ({@code var.x}, {@code type.name...}) in an expression. */
    static List<Traversal> references(Expr e) {
        List<Traversal> out = new ArrayList<>();
        collect(e, out);
        return out;
    }

    private static void collect(Expr e, List<Traversal> out) {
        if (e instanceof Template t) {
            t.parts().forEach(p -> {
                if (p instanceof Expr x) {
                    collect(x, out);
                }
            });
        } else if (e instanceof Tuple t) {
            t.items().forEach(x -> collect(x, out));
        } else if (e instanceof ObjectCons o) {
            o.keys().forEach(x -> collect(x, out));
            o.values().forEach(x -> collect(x, out));
        } else if (e instanceof Traversal t) {
            out.add(t);
            t.steps().forEach(s -> {
                if (s instanceof Expr x) {
                    collect(x, out);
                }
            });
        } else if (e instanceof Call c) {
            c.args().forEach(x -> collect(x, out));
        } else if (e instanceof Conditional c) {
            collect(c.condition(), out);
            collect(c.whenTrue(), out);
            collect(c.whenFalse(), out);
        } else if (e instanceof Binary b) {
            collect(b.left(), out);
            collect(b.right(), out);
        } else if (e instanceof Unary u) {
            collect(u.operand(), out);
        } else if (e instanceof Opaque o) {
            out.addAll(o.references());
        }
    }

    // ---------------------------------------------------------------- lexer

    enum T {
        NEWLINE,
        IDENT,
        NUMBER,
        TEMPLATE,
        LBRACE,
        RBRACE,
        LBRACK,
        RBRACK,
        LPAREN,
        RPAREN,
        EQ,
        COMMA,
        DOT,
        COLON,
        QUESTION,
        OP,
        ELLIPSIS,
        ARROW,
        EOF
    }

    static final class Token {
        final T type;
        final String text;
        final int start;
        final int end;
        final int line;
        final int col;
        final int endLine;
        final int endCol;
        /** For templates: {@link String} literal parts and {@code List<Token>} interpolations. */
        final List<Object> parts;
        /** For templates: whether it holds a directive we keep as text. */
        final boolean directive;

        Token(
                T type,
                String text,
                int start,
                int end,
                int line,
                int col,
                int endLine,
                int endCol,
                List<Object> parts,
                boolean directive) {
            this.type = type;
            this.text = text;
            this.start = start;
            this.end = end;
            this.line = line;
            this.col = col;
            this.endLine = endLine;
            this.endCol = endCol;
            this.parts = parts;
            this.directive = directive;
        }

        Range range(String file) {
            return new Range(file, line, col, start, endLine, endCol, end);
        }

        @Override
        public String toString() {
            return type + "(" + text + ")";
        }
    }

    private static final class Lexer {
        private final String file;
        private final String src;
        private int pos;
        private int line = 1;
        private int col = 1;

        Lexer(String file, String src) {
            this.file = file;
            this.src = src;
        }

        List<Token> all() {
            List<Token> out = tokens(false);
            out.add(new Token(T.EOF, "", pos, pos, line, col, line, col, null, false));
            return out;
        }

        /** Tokens until EOF, or (in an interpolation) until the matching closing brace, which is consumed. */
        private List<Token> tokens(boolean interpolation) {
            List<Token> out = new ArrayList<>();
            int braces = 0;
            while (pos < src.length()) {
                char c = src.charAt(pos);
                if (c == ' ' || c == '\t' || c == '\r') {
                    advance(1);
                    continue;
                }
                if (c == '#' || (c == '/' && peekAt(1) == '/')) {
                    while (pos < src.length() && src.charAt(pos) != '\n') {
                        advance(1);
                    }
                    continue;
                }
                if (c == '/' && peekAt(1) == '*') {
                    int sl = line;
                    int sc = col;
                    advance(2);
                    while (pos < src.length() && !(src.charAt(pos) == '*' && peekAt(1) == '/')) {
                        advance(1);
                    }
                    if (pos >= src.length()) {
                        throw new SyntaxError(
                                "Unterminated template string",
                                "No closing marker was found for the comment.",
                                new Range(file, sl, sc, pos, line, col, pos));
                    }
                    advance(2);
                    continue;
                }
                int start = pos;
                int sl = line;
                int sc = col;
                if (c == '\n') {
                    advance(1);
                    out.add(tok(T.NEWLINE, start, sl, sc));
                    continue;
                }
                if (interpolation && c == '~' && peekAt(1) == '}' && braces == 0) {
                    advance(1);
                    continue;
                }
                if (interpolation && c == '}' && braces == 0) {
                    advance(1);
                    return out;
                }
                if (Character.isLetter(c) || c == '_') {
                    while (pos < src.length()
                            && (Character.isLetterOrDigit(src.charAt(pos))
                                    || src.charAt(pos) == '_'
                                    || src.charAt(pos) == '-'
                                    || (src.charAt(pos) == ':' && peekAt(1) == ':'))) {
                        advance(src.charAt(pos) == ':' ? 2 : 1);
                    }
                    out.add(tok(T.IDENT, start, sl, sc));
                    continue;
                }
                if (Character.isDigit(c)) {
                    while (pos < src.length() && Character.isDigit(src.charAt(pos))) {
                        advance(1);
                    }
                    if (pos < src.length() && src.charAt(pos) == '.' && Character.isDigit(peekAt(1))) {
                        advance(1);
                        while (pos < src.length() && Character.isDigit(src.charAt(pos))) {
                            advance(1);
                        }
                    }
                    if (pos < src.length() && (src.charAt(pos) == 'e' || src.charAt(pos) == 'E')) {
                        int save = pos;
                        advance(1);
                        if (pos < src.length() && (src.charAt(pos) == '+' || src.charAt(pos) == '-')) {
                            advance(1);
                        }
                        if (pos < src.length() && Character.isDigit(src.charAt(pos))) {
                            while (pos < src.length() && Character.isDigit(src.charAt(pos))) {
                                advance(1);
                            }
                        } else {
                            col -= pos - save;
                            pos = save;
                        }
                    }
                    out.add(tok(T.NUMBER, start, sl, sc));
                    continue;
                }
                if (c == '"') {
                    out.add(quoted(start, sl, sc));
                    continue;
                }
                if (c == '<' && peekAt(1) == '<' && (Character.isLetter(peekAt(2)) || peekAt(2) == '-')) {
                    out.add(heredoc(start, sl, sc));
                    continue;
                }
                String two = pos + 1 < src.length() ? src.substring(pos, pos + 2) : "";
                if (src.startsWith("...", pos)) {
                    advance(3);
                    out.add(tok(T.ELLIPSIS, start, sl, sc));
                    continue;
                }
                if (two.equals("=>")) {
                    advance(2);
                    out.add(tok(T.ARROW, start, sl, sc));
                    continue;
                }
                if (List.of("==", "!=", "<=", ">=", "&&", "||").contains(two)) {
                    advance(2);
                    out.add(tok(T.OP, start, sl, sc));
                    continue;
                }
                T single = switch (c) {
                    case '{' -> T.LBRACE;
                    case '}' -> T.RBRACE;
                    case '[' -> T.LBRACK;
                    case ']' -> T.RBRACK;
                    case '(' -> T.LPAREN;
                    case ')' -> T.RPAREN;
                    case '=' -> T.EQ;
                    case ',' -> T.COMMA;
                    case '.' -> T.DOT;
                    case ':' -> T.COLON;
                    case '?' -> T.QUESTION;
                    case '<', '>', '+', '-', '*', '/', '%', '!' -> T.OP;
                    default -> null;
                };
                if (single == null) {
                    throw new SyntaxError(
                            "Invalid character",
                            "This character is not used within the language.",
                            new Range(file, sl, sc, start, sl, sc + 1, start + 1));
                }
                if (single == T.LBRACE) {
                    braces++;
                } else if (single == T.RBRACE) {
                    braces--;
                }
                advance(1);
                out.add(tok(single, start, sl, sc));
            }
            if (interpolation) {
                throw new SyntaxError(
                        "Unterminated template string",
                        "No closing marker was found for the string.",
                        new Range(file, line, col, pos, line, col, pos));
            }
            return out;
        }

        private Token quoted(int start, int sl, int sc) {
            advance(1);
            List<Object> parts = new ArrayList<>();
            StringBuilder lit = new StringBuilder();
            boolean directive = false;
            while (true) {
                if (pos >= src.length() || src.charAt(pos) == '\n') {
                    throw new SyntaxError(
                            "Unterminated template string",
                            "No closing marker was found for the string.",
                            new Range(file, sl, sc, start, line, col, pos));
                }
                char c = src.charAt(pos);
                if (c == '"') {
                    advance(1);
                    break;
                }
                if (c == '\\') {
                    char e = peekAt(1);
                    advance(2);
                    switch (e) {
                        case 'n' -> lit.append('\n');
                        case 't' -> lit.append('\t');
                        case 'r' -> lit.append('\r');
                        case '"' -> lit.append('"');
                        case '\\' -> lit.append('\\');
                        case 'u' -> {
                            lit.append((char) Integer.parseInt(src.substring(pos, pos + 4), 16));
                            advance(4);
                        }
                        default -> lit.append('\\').append(e);
                    }
                    continue;
                }
                directive |= template(parts, lit);
            }
            if (lit.length() > 0 || parts.isEmpty()) {
                parts.add(lit.toString());
            }
            return new Token(T.TEMPLATE, src.substring(start, pos), start, pos, sl, sc, line, col, parts, directive);
        }

        /** Handles {@code ${...}}, {@code $${}}, {@code %{...}} at pos or one literal character; true for a directive. */
        private boolean template(List<Object> parts, StringBuilder lit) {
            char c = src.charAt(pos);
            if (c == '$' && peekAt(1) == '$' && peekAt(2) == '{') {
                lit.append("${");
                advance(3);
                return false;
            }
            if (c == '%' && peekAt(1) == '%' && peekAt(2) == '{') {
                lit.append("%{");
                advance(3);
                return false;
            }
            if (c == '$' && peekAt(1) == '{') {
                advance(2);
                if (peekAt(0) == '~') {
                    advance(1);
                }
                if (lit.length() > 0) {
                    parts.add(lit.toString());
                    lit.setLength(0);
                }
                parts.add(tokens(true));
                return false;
            }
            if (c == '%' && peekAt(1) == '{') {
                int depth = 0;
                while (pos < src.length()) {
                    char d = src.charAt(pos);
                    lit.append(d);
                    advance(1);
                    if (d == '{') {
                        depth++;
                    } else if (d == '}' && --depth == 0) {
                        break;
                    }
                }
                return true;
            }
            lit.append(c);
            advance(1);
            return false;
        }

        private Token heredoc(int start, int sl, int sc) {
            advance(2);
            boolean strip = false;
            if (peekAt(0) == '-') {
                strip = true;
                advance(1);
            }
            int ws = pos;
            while (pos < src.length() && (Character.isLetterOrDigit(src.charAt(pos)) || src.charAt(pos) == '_')) {
                advance(1);
            }
            String marker = src.substring(ws, pos);
            while (pos < src.length() && src.charAt(pos) != '\n') {
                advance(1);
            }
            advance(1);
            List<String> lines = new ArrayList<>();
            boolean closed = false;
            while (pos < src.length()) {
                int ls = pos;
                while (pos < src.length() && src.charAt(pos) != '\n') {
                    pos++;
                    col++;
                }
                String l = src.substring(ls, pos);
                if (l.strip().equals(marker)) {
                    closed = true;
                    break;
                }
                lines.add(l);
                if (pos < src.length()) {
                    advance(1);
                }
            }
            if (!closed) {
                throw new SyntaxError(
                        "Unterminated template string",
                        "No closing marker was found for the heredoc.",
                        new Range(file, sl, sc, start, line, col, pos));
            }
            if (strip) {
                int min = Integer.MAX_VALUE;
                for (String l : lines) {
                    if (!l.isBlank()) {
                        int n = 0;
                        while (n < l.length() && (l.charAt(n) == ' ' || l.charAt(n) == '\t')) {
                            n++;
                        }
                        min = Math.min(min, n);
                    }
                }
                int cut = min == Integer.MAX_VALUE ? 0 : min;
                lines.replaceAll(l -> l.length() >= cut ? l.substring(cut) : l.strip());
            }
            String body = lines.isEmpty() ? "" : String.join("\n", lines) + "\n";
            Lexer inner = new Lexer(file, body);
            inner.line = sl + 1;
            List<Object> parts = new ArrayList<>();
            StringBuilder lit = new StringBuilder();
            boolean directive = false;
            while (inner.pos < body.length()) {
                directive |= inner.template(parts, lit);
            }
            if (lit.length() > 0 || parts.isEmpty()) {
                parts.add(lit.toString());
            }
            return new Token(T.TEMPLATE, src.substring(start, pos), start, pos, sl, sc, line, col, parts, directive);
        }

        private char peekAt(int ahead) {
            return pos + ahead < src.length() ? src.charAt(pos + ahead) : '\0';
        }

        private void advance(int n) {
            for (int i = 0; i < n && pos < src.length(); i++) {
                if (src.charAt(pos) == '\n') {
                    line++;
                    col = 1;
                } else {
                    col++;
                }
                pos++;
            }
        }

        private Token tok(T type, int start, int sl, int sc) {
            return new Token(type, src.substring(start, pos), start, pos, sl, sc, line, col, null, false);
        }
    }

    // ---------------------------------------------------------------- parser

    private static final class Parser {
        private final String file;
        private final String src;
        private final List<Token> toks;
        private int i;
        /** Inside parentheses or brackets newlines do not end an expression. */
        int nesting;

        Parser(String file, String src, List<Token> toks) {
            this.file = file;
            this.src = src;
            this.toks = toks;
        }

        SyntaxError error(String summary, String detail, Token at) {
            return new SyntaxError(summary, detail, at.range(file));
        }

        Token peek() {
            if (nesting > 0) {
                while (toks.get(i).type == T.NEWLINE) {
                    i++;
                }
            }
            return toks.get(i);
        }

        Token peekRaw() {
            return toks.get(i);
        }

        Token next() {
            Token t = peek();
            if (t.type != T.EOF) {
                i++;
            }
            return t;
        }

        void skipNewlines() {
            while (toks.get(i).type == T.NEWLINE) {
                i++;
            }
        }

        Token expect(T type, String what) {
            Token t = peek();
            if (t.type != type) {
                throw error("Invalid expression", "Expected " + what + ".", t);
            }
            return next();
        }

        Body body(boolean top) {
            List<Attribute> attributes = new ArrayList<>();
            List<Block> blocks = new ArrayList<>();
            while (true) {
                skipNewlines();
                Token t = peekRaw();
                if (t.type == T.EOF) {
                    if (!top) {
                        throw error(
                                "Unclosed configuration block",
                                "There is no closing brace for this block before the end of the file. This may be caused by incorrect brace nesting elsewhere in this file.",
                                t);
                    }
                    break;
                }
                if (t.type == T.RBRACE && !top) {
                    break;
                }
                if (t.type != T.IDENT) {
                    throw error(
                            "Argument or block definition required",
                            "An argument or block definition is required here.",
                            t);
                }
                i++;
                Token after = peekRaw();
                if (after.type == T.EQ) {
                    i++;
                    int saved = nesting;
                    nesting = 0;
                    Expr e = expression();
                    nesting = saved;
                    attributes.add(new Attribute(
                            t.text, e, t.range(file), t.range(file).to(e.range())));
                    endOfItem("argument");
                    continue;
                }
                List<String> labels = new ArrayList<>();
                List<Range> labelRanges = new ArrayList<>();
                while (peekRaw().type == T.TEMPLATE || peekRaw().type == T.IDENT) {
                    Token l = peekRaw();
                    i++;
                    if (l.type == T.TEMPLATE) {
                        if (l.parts.size() != 1 || !(l.parts.get(0) instanceof String s)) {
                            throw error(
                                    "Invalid block label",
                                    "Block labels must be plain strings, without template sequences.",
                                    l);
                        }
                        labels.add(s);
                    } else {
                        labels.add(l.text);
                    }
                    labelRanges.add(l.range(file));
                }
                Token open = peekRaw();
                if (open.type != T.LBRACE) {
                    throw error(
                            "Invalid block definition",
                            "Either a quoted string block label or an opening brace (\"{\") is expected here.",
                            open);
                }
                i++;
                int saved = nesting;
                nesting = 0;
                Body inner = body(false);
                nesting = saved;
                Token close = peekRaw();
                i++;
                blocks.add(new Block(
                        t.text,
                        labels,
                        inner,
                        t.range(file),
                        labelRanges,
                        t.range(file).to(close.range(file))));
                endOfItem("block definition");
            }
            return new Body(attributes, blocks);
        }

        private void endOfItem(String what) {
            Token t = peekRaw();
            if (t.type == T.NEWLINE) {
                i++;
            } else if (t.type != T.EOF && t.type != T.RBRACE) {
                throw error(
                        "Missing newline after " + what,
                        "An " + what.replace("block definition", "block definition") + " must end with a newline.",
                        t);
            }
        }

        Expr expression() {
            Expr condition = binary(0);
            if (peek().type == T.QUESTION) {
                next();
                Expr t = expression();
                expect(T.COLON, "a colon");
                Expr f = expression();
                return new Conditional(condition, t, f, condition.range().to(f.range()));
            }
            return condition;
        }

        private static final List<List<String>> LEVELS = List.of(
                List.of("||"),
                List.of("&&"),
                List.of("==", "!="),
                List.of("<", ">", "<=", ">="),
                List.of("+", "-"),
                List.of("*", "/", "%"));

        private Expr binary(int level) {
            if (level == LEVELS.size()) {
                return unary();
            }
            Expr left = binary(level + 1);
            while (peek().type == T.OP && LEVELS.get(level).contains(peek().text)) {
                String op = next().text;
                Expr right = binary(level + 1);
                left = new Binary(op, left, right, left.range().to(right.range()));
            }
            return left;
        }

        private Expr unary() {
            Token t = peek();
            if (t.type == T.OP && (t.text.equals("-") || t.text.equals("!"))) {
                next();
                Expr operand = unary();
                return new Unary(t.text, operand, t.range(file).to(operand.range()));
            }
            return postfix(primary());
        }

        private Expr postfix(Expr e) {
            while (true) {
                Token t = peekRaw();
                if (t.type == T.DOT) {
                    i++;
                    Token n = peekRaw();
                    Object step;
                    if (n.type == T.IDENT) {
                        step = n.text;
                    } else if (n.type == T.NUMBER) {
                        step = new Lit(new BigDecimal(n.text), n.range(file));
                    } else if (n.type == T.OP && n.text.equals("*")) {
                        step = SPLAT;
                    } else {
                        throw error("Invalid attribute name", "An attribute name is required after a dot.", n);
                    }
                    i++;
                    e = withStep(e, step, n.range(file));
                } else if (t.type == T.LBRACK) {
                    i++;
                    nesting++;
                    Object step;
                    if (peek().type == T.OP && peek().text.equals("*")) {
                        next();
                        step = SPLAT;
                    } else {
                        step = expression();
                    }
                    Token close = expect(T.RBRACK, "a closing bracket");
                    nesting--;
                    e = withStep(e, step, close.range(file));
                } else {
                    return e;
                }
            }
        }

        private Expr withStep(Expr e, Object step, Range end) {
            if (e instanceof Traversal tr) {
                List<Object> steps = new ArrayList<>(tr.steps());
                steps.add(step);
                return new Traversal(tr.root(), steps, tr.range().to(end));
            }
            String source = text(src, e.range().to(end));
            return new Opaque(source, references(e), e.range().to(end));
        }

        private Expr primary() {
            Token t = next();
            switch (t.type) {
                case NUMBER -> {
                    return new Lit(new BigDecimal(t.text), t.range(file));
                }
                case TEMPLATE -> {
                    return template(t);
                }
                case IDENT -> {
                    switch (t.text) {
                        case "true" -> {
                            return new Lit(Boolean.TRUE, t.range(file));
                        }
                        case "false" -> {
                            return new Lit(Boolean.FALSE, t.range(file));
                        }
                        case "null" -> {
                            return new Lit(null, t.range(file));
                        }
                        default -> {}
                    }
                    if (peekRaw().type == T.LPAREN) {
                        i++;
                        nesting++;
                        List<Expr> args = new ArrayList<>();
                        boolean expand = false;
                        while (peek().type != T.RPAREN) {
                            args.add(expression());
                            if (peek().type == T.ELLIPSIS) {
                                next();
                                expand = true;
                            }
                            if (peek().type == T.COMMA) {
                                next();
                            } else {
                                break;
                            }
                        }
                        Token close = expect(T.RPAREN, "a closing parenthesis");
                        nesting--;
                        return new Call(t.text, args, expand, t.range(file).to(close.range(file)));
                    }
                    return new Traversal(t.text, List.of(), t.range(file));
                }
                case LBRACK -> {
                    if (peek().type == T.IDENT && peek().text.equals("for")) {
                        return opaqueUntil(t, T.LBRACK, T.RBRACK);
                    }
                    nesting++;
                    List<Expr> items = new ArrayList<>();
                    while (peek().type != T.RBRACK) {
                        items.add(expression());
                        if (peek().type == T.COMMA) {
                            next();
                        } else {
                            break;
                        }
                    }
                    Token close = expect(T.RBRACK, "a comma or a closing bracket");
                    nesting--;
                    return new Tuple(items, t.range(file).to(close.range(file)));
                }
                case LBRACE -> {
                    if (peek().type == T.IDENT && peek().text.equals("for")) {
                        return opaqueUntil(t, T.LBRACE, T.RBRACE);
                    }
                    int saved = nesting;
                    nesting = 0;
                    List<Expr> keys = new ArrayList<>();
                    List<Expr> values = new ArrayList<>();
                    while (true) {
                        skipNewlines();
                        if (peekRaw().type == T.RBRACE) {
                            break;
                        }
                        Token k = peekRaw();
                        Expr key;
                        if (k.type == T.IDENT && (toks.get(i + 1).type == T.EQ || toks.get(i + 1).type == T.COLON)) {
                            i++;
                            key = new Lit(k.text, k.range(file));
                        } else {
                            nesting = 1;
                            key = expression();
                            nesting = 0;
                        }
                        Token sep = peekRaw();
                        if (sep.type != T.EQ && sep.type != T.COLON) {
                            throw error(
                                    "Missing key/value separator",
                                    "Expected an equals sign (\"=\") to mark the beginning of the attribute value.",
                                    sep);
                        }
                        i++;
                        values.add(expression());
                        keys.add(key);
                        Token end = peekRaw();
                        if (end.type == T.COMMA || end.type == T.NEWLINE) {
                            i++;
                        } else if (end.type != T.RBRACE) {
                            throw error(
                                    "Missing attribute separator",
                                    "Expected a newline or comma to mark the beginning of the next attribute.",
                                    end);
                        }
                    }
                    Token close = peekRaw();
                    i++;
                    nesting = saved;
                    return new ObjectCons(keys, values, t.range(file).to(close.range(file)));
                }
                case LPAREN -> {
                    nesting++;
                    Expr inner = expression();
                    expect(T.RPAREN, "a closing parenthesis");
                    nesting--;
                    return inner;
                }
                default ->
                    throw error(
                            "Invalid expression",
                            "Expected the start of an expression, but found an invalid expression token.",
                            t);
            }
        }

        private Expr opaqueUntil(Token open, T openType, T closeType) {
            int depth = 1;
            nesting++;
            Token last = open;
            List<Traversal> refs = new ArrayList<>();
            while (depth > 0) {
                Token t = next();
                if (t.type == T.EOF) {
                    throw error("Invalid expression", "Missing closing bracket.", t);
                }
                if (t.type == openType) {
                    depth++;
                } else if (t.type == closeType) {
                    depth--;
                } else if (t.type == T.IDENT && peekRaw().type == T.DOT) {
                    List<Object> steps = new ArrayList<>();
                    while (peekRaw().type == T.DOT && toks.get(i + 1).type == T.IDENT) {
                        steps.add(toks.get(i + 1).text);
                        i += 2;
                    }
                    refs.add(new Traversal(t.text, steps, t.range(file)));
                }
                last = t;
            }
            nesting--;
            Range r = open.range(file).to(last.range(file));
            return new Opaque(text(src, r), refs, r);
        }

        private Expr template(Token t) {
            List<Object> parts = new ArrayList<>();
            for (Object p : t.parts) {
                if (p instanceof String s) {
                    parts.add(s);
                } else {
                    @SuppressWarnings("unchecked")
                    List<Token> inner = new ArrayList<>((List<Token>) p);
                    Token last = inner.isEmpty() ? t : inner.get(inner.size() - 1);
                    inner.add(new Token(
                            T.EOF,
                            "",
                            last.end,
                            last.end,
                            last.endLine,
                            last.endCol,
                            last.endLine,
                            last.endCol,
                            null,
                            false));
                    Parser sub = new Parser(file, src, inner);
                    sub.nesting = 1;
                    Expr e = sub.expression();
                    if (sub.peek().type != T.EOF) {
                        throw sub.error(
                                "Extra characters after interpolation expression",
                                "Expected a closing brace to end the interpolation expression, but found extra characters.",
                                sub.peek());
                    }
                    parts.add(e);
                }
            }
            if (t.directive) {
                return new Opaque(t.text, references(new Template(parts, t.range(file))), t.range(file));
            }
            return new Template(parts, t.range(file));
        }
    }
}
