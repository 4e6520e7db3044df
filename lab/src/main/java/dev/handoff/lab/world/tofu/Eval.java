package dev.handoff.lab.world.tofu;

import dev.handoff.lab.world.tofu.Diagnostics.Diag;
import dev.handoff.lab.world.tofu.Diagnostics.Failure;
import dev.handoff.lab.world.tofu.Hcl.Expr;
import dev.handoff.lab.world.tofu.Values.Sensitive;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Evaluates {@link Hcl} expressions to {@link Values}, as OpenTofu's evaluator would for the constructs the lab uses:
 * references ({@code var.x}, {@code local.x}, {@code <type>.<name>.<attr>}), templates, operators and a set of
 * built-in functions. Unknown values propagate ("known after apply"), so do sensitive marks.
 */
final class Eval {
    /** Where references resolve. */
    interface Scope {
        /** {@code var.<name>}. */
        Object variable(String name, Hcl.Traversal at);

        /** {@code local.<name>}. */
        Object local(String name, Hcl.Traversal at);

        /** The object of resource {@code type.name} ({@link Values#UNKNOWN} if not known yet). */
        Object resource(String type, String name, Hcl.Traversal at);

        /** An attribute the resource object lacks (the lab's provider decides). */
        Object missingAttribute(String type, String name, String attribute);

        /** The stack folder, for {@code file()} and {@code path.module}. */
        java.nio.file.Path dir();
    }

    private final Scope scope;

    Eval(Scope scope) {
        this.scope = scope;
    }

    Object eval(Expr e) {
        if (e instanceof Hcl.Lit l) {
            return l.value();
        }
        if (e instanceof Hcl.Template t) {
            return template(t);
        }
        if (e instanceof Hcl.Tuple t) {
            List<Object> out = new ArrayList<>();
            for (Expr x : t.items()) {
                out.add(eval(x));
            }
            return out;
        }
        if (e instanceof Hcl.ObjectCons o) {
            Map<String, Object> out = new LinkedHashMap<>();
            for (int i = 0; i < o.keys().size(); i++) {
                Object k = Values.unmark(eval(o.keys().get(i)));
                if (k == Values.UNKNOWN) {
                    return Values.UNKNOWN;
                }
                out.put(Values.asString(k), eval(o.values().get(i)));
            }
            return out;
        }
        if (e instanceof Hcl.Traversal t) {
            return traversal(t);
        }
        if (e instanceof Hcl.Call c) {
            return call(c);
        }
        if (e instanceof Hcl.Conditional c) {
            Object cond = eval(c.condition());
            boolean sensitive = cond instanceof Sensitive;
            cond = Values.unmark(cond);
            if (cond == Values.UNKNOWN) {
                return Values.UNKNOWN;
            }
            Object result = toBool(cond, c.condition()) ? eval(c.whenTrue()) : eval(c.whenFalse());
            return sensitive ? Values.sensitive(result) : result;
        }
        if (e instanceof Hcl.Binary b) {
            return binary(b);
        }
        if (e instanceof Hcl.Unary u) {
            Object v = eval(u.operand());
            boolean sensitive = v instanceof Sensitive;
            v = Values.unmark(v);
            Object r;
            if (v == Values.UNKNOWN) {
                r = Values.UNKNOWN;
            } else if (u.op().equals("!")) {
                r = !toBool(v, u.operand());
            } else {
                r = toNumber(v, u.operand()).negate();
            }
            return sensitive ? Values.sensitive(r) : r;
        }
        return opaque((Hcl.Opaque) e);
    }

    private Object opaque(Hcl.Opaque o) {
        StringBuilder s = new StringBuilder(o.source());
        boolean sensitive = false;
        for (Hcl.Traversal ref : o.references()) {
            Object v;
            try {
                v = traversal(ref);
            } catch (Failure f) {
                continue;
            }
            if (Values.containsUnknown(v)) {
                return Values.UNKNOWN;
            }
            sensitive |= Values.containsSensitive(v);
            s.append('|').append(Json.compact(Values.json(v)));
        }
        return sensitive ? Values.sensitive(s.toString()) : s.toString();
    }

    private Object template(Hcl.Template t) {
        if (t.parts().size() == 1 && t.parts().get(0) instanceof Expr only) {
            return eval(only);
        }
        StringBuilder s = new StringBuilder();
        boolean sensitive = false;
        for (Object p : t.parts()) {
            if (p instanceof String lit) {
                s.append(lit);
                continue;
            }
            Expr x = (Expr) p;
            Object v = eval(x);
            sensitive |= v instanceof Sensitive;
            v = Values.unmark(v);
            if (v == Values.UNKNOWN) {
                return Values.UNKNOWN;
            }
            if (v == null) {
                throw new Failure(Diag.error(
                        "Invalid template interpolation value",
                        "The expression result is null. Cannot include a null value in a string template.",
                        x.range()));
            }
            if (v instanceof List || v instanceof Map) {
                throw new Failure(Diag.error(
                        "Invalid template interpolation value",
                        "Cannot include the given value in a string template: string required.",
                        x.range()));
            }
            s.append(Values.asString(v));
        }
        return sensitive ? Values.sensitive(s.toString()) : s.toString();
    }

    private Object traversal(Hcl.Traversal t) {
        List<Object> steps = t.steps();
        Object v;
        int from;
        switch (t.root()) {
            case "var" -> {
                v = scope.variable(stepName(t, 0), t);
                from = 1;
            }
            case "local" -> {
                v = scope.local(stepName(t, 0), t);
                from = 1;
            }
            case "path" -> {
                v = ".";
                from = 1;
            }
            case "terraform", "tofu" -> {
                v = "default";
                from = 1;
            }
            case "count", "each", "self", "data", "module" -> {
                return Values.UNKNOWN;
            }
            default -> {
                String name = stepName(t, 0);
                v = scope.resource(t.root(), name, t);
                from = 1;
                if (steps.size() > 1 && steps.get(1) instanceof String attr) {
                    if (v == Values.UNKNOWN) {
                        return Values.UNKNOWN;
                    }
                    if (v instanceof Map<?, ?> m && !m.containsKey(attr)) {
                        v = scope.missingAttribute(t.root(), name, attr);
                    } else {
                        v = step(v, attr, t);
                    }
                    from = 2;
                }
            }
        }
        for (int i = from; i < steps.size(); i++) {
            Object s = steps.get(i);
            if (s instanceof Expr index) {
                s = Values.unmark(eval(index));
            }
            v = step(v, s, t);
        }
        return v;
    }

    private static String stepName(Hcl.Traversal t, int i) {
        if (t.steps().size() <= i || !(t.steps().get(i) instanceof String s)) {
            throw new Failure(Diag.error(
                    "Invalid reference",
                    "The \"" + t.root() + "\" object must be followed by an attribute name.",
                    t.range()));
        }
        return s;
    }

    private Object step(Object v, Object s, Hcl.Traversal at) {
        if (v instanceof Sensitive sv) {
            return Values.sensitive(step(sv.value(), s, at));
        }
        if (v == Values.UNKNOWN || s == Values.UNKNOWN) {
            return Values.UNKNOWN;
        }
        if (s == Hcl.SPLAT) {
            return v instanceof List<?> ? v : (v == null ? List.of() : List.of(v));
        }
        if (v instanceof List<?> l) {
            if (s instanceof BigDecimal n) {
                int i = n.intValue();
                if (i < 0 || i >= l.size()) {
                    throw new Failure(Diag.error(
                            "Invalid index",
                            "The given key does not identify an element in this collection value: the collection has "
                                    + l.size() + " elements.",
                            at.range()));
                }
                return l.get(i);
            }
            if (s instanceof String name) {
                List<Object> out = new ArrayList<>();
                for (Object x : l) {
                    out.add(step(x, name, at));
                }
                return out;
            }
        }
        if (v instanceof Map<?, ?> m) {
            String key = Values.asString(s);
            if (!m.containsKey(key)) {
                throw new Failure(Diag.error(
                        "Unsupported attribute",
                        "This object does not have an attribute named " + Json.quote(key) + ".",
                        at.range()));
            }
            return m.get(key);
        }
        if (v == null) {
            throw new Failure(Diag.error(
                    "Attempt to get attribute from null value",
                    "This value is null, so it does not have any attributes.",
                    at.range()));
        }
        throw new Failure(
                Diag.error("Unsupported attribute", "Can't access attributes on a primitive-typed value.", at.range()));
    }

    private Object binary(Hcl.Binary b) {
        Object l = eval(b.left());
        Object r = eval(b.right());
        boolean sensitive = l instanceof Sensitive || r instanceof Sensitive;
        l = Values.unmark(l);
        r = Values.unmark(r);
        Object out;
        if (l == Values.UNKNOWN || r == Values.UNKNOWN) {
            out = Values.UNKNOWN;
        } else {
            out = switch (b.op()) {
                case "==" -> Values.same(l, r);
                case "!=" -> !Values.same(l, r);
                case "&&" -> toBool(l, b.left()) && toBool(r, b.right());
                case "||" -> toBool(l, b.left()) || toBool(r, b.right());
                case "<" -> toNumber(l, b.left()).compareTo(toNumber(r, b.right())) < 0;
                case ">" -> toNumber(l, b.left()).compareTo(toNumber(r, b.right())) > 0;
                case "<=" -> toNumber(l, b.left()).compareTo(toNumber(r, b.right())) <= 0;
                case ">=" -> toNumber(l, b.left()).compareTo(toNumber(r, b.right())) >= 0;
                case "+" -> toNumber(l, b.left()).add(toNumber(r, b.right()));
                case "-" -> toNumber(l, b.left()).subtract(toNumber(r, b.right()));
                case "*" -> toNumber(l, b.left()).multiply(toNumber(r, b.right()));
                case "/" -> toNumber(l, b.left()).divide(toNumber(r, b.right()), MathContext.DECIMAL64);
                case "%" -> toNumber(l, b.left()).remainder(toNumber(r, b.right()));
                default -> throw new IllegalStateException(b.op());
            };
        }
        return sensitive ? Values.sensitive(out) : out;
    }

    static BigDecimal toNumber(Object v, Expr at) {
        if (v instanceof BigDecimal d) {
            return d;
        }
        if (v instanceof String s) {
            try {
                return new BigDecimal(s.strip());
            } catch (NumberFormatException e) {
                // fall through
            }
        }
        throw new Failure(Diag.error(
                "Invalid operand",
                "Unsuitable value for operand: a number is required.",
                at == null ? null : at.range()));
    }

    static boolean toBool(Object v, Expr at) {
        if (v instanceof Boolean b) {
            return b;
        }
        if ("true".equals(v)) {
            return true;
        }
        if ("false".equals(v)) {
            return false;
        }
        throw new Failure(Diag.error(
                "Invalid operand",
                "Unsuitable value for operand: a bool is required.",
                at == null ? null : at.range()));
    }

    private Object call(Hcl.Call c) {
        List<Object> args = new ArrayList<>();
        for (Expr a : c.args()) {
            args.add(eval(a));
        }
        if (c.expandLast() && !args.isEmpty() && Values.unmark(args.get(args.size() - 1)) instanceof List<?> last) {
            args.remove(args.size() - 1);
            args.addAll(last);
        }
        String name = c.name();
        if (name.equals("sensitive")) {
            return Values.sensitive(args.get(0));
        }
        if (name.equals("nonsensitive")) {
            return Values.unmark(args.get(0));
        }
        if (name.equals("try")) {
            for (Expr a : c.args()) {
                try {
                    return eval(a);
                } catch (Failure f) {
                    // next
                }
            }
            throw new Failure(Diag.error(
                    "Error in function call", "Call to function \"try\" failed: no expression succeeded.", c.range()));
        }
        if (name.equals("can")) {
            try {
                eval(c.args().get(0));
                return true;
            } catch (Failure f) {
                return false;
            }
        }
        boolean sensitive = args.stream().anyMatch(Values::containsSensitive);
        List<Object> plain = new ArrayList<>();
        for (Object a : args) {
            Object u = Values.unmark(a);
            if (Values.containsUnknown(u) && !name.equals("length") && !name.equals("coalesce")) {
                return Values.UNKNOWN;
            }
            plain.add(u);
        }
        Object out = function(name, plain, c);
        return sensitive ? Values.sensitive(out) : out;
    }

    @SuppressWarnings("unchecked")
    private Object function(String name, List<Object> a, Hcl.Call c) {
        try {
            return switch (name) {
                case "upper" -> str(a, 0).toUpperCase(java.util.Locale.ROOT);
                case "lower" -> str(a, 0).toLowerCase(java.util.Locale.ROOT);
                case "trimspace" -> str(a, 0).strip();
                case "tostring" -> a.get(0) == null ? null : Values.asString(a.get(0));
                case "tonumber" -> a.get(0) == null ? null : toNumber(a.get(0), c);
                case "tobool" -> a.get(0) == null ? null : toBool(a.get(0), c);
                case "tolist", "toset", "tomap", "jsondecode" ->
                    name.equals("jsondecode") ? Values.fromJson(Json.parse(str(a, 0))) : a.get(0);
                case "join" -> {
                    List<String> parts = new ArrayList<>();
                    for (int i = 1; i < a.size(); i++) {
                        for (Object x : (List<Object>) a.get(i)) {
                            parts.add(Values.asString(x));
                        }
                    }
                    yield String.join(str(a, 0), parts);
                }
                case "split" ->
                    new ArrayList<Object>(List.of(str(a, 1).split(java.util.regex.Pattern.quote(str(a, 0)), -1)));
                case "concat" -> {
                    List<Object> out = new ArrayList<>();
                    a.forEach(x -> out.addAll((List<Object>) x));
                    yield out;
                }
                case "length" -> {
                    Object v = a.get(0);
                    if (v == Values.UNKNOWN) {
                        yield Values.UNKNOWN;
                    }
                    yield BigDecimal.valueOf(
                            v instanceof List<?> l
                                    ? l.size()
                                    : v instanceof Map<?, ?> m
                                            ? m.size()
                                            : str(a, 0)
                                                    .codePointCount(0, str(a, 0).length()));
                }
                case "merge" -> {
                    Map<String, Object> out = new LinkedHashMap<>();
                    a.forEach(x -> {
                        if (x != null) {
                            out.putAll((Map<String, Object>) x);
                        }
                    });
                    yield out;
                }
                case "lookup" -> {
                    Map<String, Object> m = (Map<String, Object>) a.get(0);
                    String k = str(a, 1);
                    if (m.containsKey(k)) {
                        yield m.get(k);
                    }
                    if (a.size() > 2) {
                        yield a.get(2);
                    }
                    throw new IllegalArgumentException("the given key \"" + k + "\" does not exist in the map");
                }
                case "coalesce" -> {
                    for (Object x : a) {
                        if (x == Values.UNKNOWN) {
                            yield Values.UNKNOWN;
                        }
                        if (x != null && !"".equals(x)) {
                            yield x;
                        }
                    }
                    throw new IllegalArgumentException("no non-null, non-empty-string arguments");
                }
                case "compact" -> {
                    List<Object> out = new ArrayList<>();
                    for (Object x : (List<Object>) a.get(0)) {
                        if (x != null && !"".equals(x)) {
                            out.add(x);
                        }
                    }
                    yield out;
                }
                case "keys" -> new ArrayList<Object>(new TreeMap<>((Map<String, Object>) a.get(0)).keySet());
                case "values" -> new ArrayList<>(new TreeMap<>((Map<String, Object>) a.get(0)).values());
                case "element" -> {
                    List<Object> l = (List<Object>) a.get(0);
                    yield l.get(toNumber(a.get(1), c).intValue() % l.size());
                }
                case "contains" -> ((List<Object>) a.get(0)).stream().anyMatch(x -> Values.same(x, a.get(1)));
                case "replace" -> str(a, 0).replace(str(a, 1), str(a, 2));
                case "substr" -> {
                    String s = str(a, 0);
                    int off = toNumber(a.get(1), c).intValue();
                    int len = toNumber(a.get(2), c).intValue();
                    yield s.substring(off, len < 0 ? s.length() : Math.min(s.length(), off + len));
                }
                case "format" -> format(str(a, 0), a.subList(1, a.size()));
                case "jsonencode" -> Json.compact(Values.json(a.get(0)));
                case "base64encode" ->
                    Base64.getEncoder().encodeToString(str(a, 0).getBytes(StandardCharsets.UTF_8));
                case "base64decode" -> new String(Base64.getDecoder().decode(str(a, 0)), StandardCharsets.UTF_8);
                case "sha256" -> hex("SHA-256", str(a, 0));
                case "sha1" -> hex("SHA-1", str(a, 0));
                case "md5" -> hex("MD5", str(a, 0));
                case "min", "max" -> {
                    BigDecimal best = null;
                    for (Object x : a) {
                        BigDecimal n = toNumber(x, c);
                        if (best == null || (name.equals("min") ? n.compareTo(best) < 0 : n.compareTo(best) > 0)) {
                            best = n;
                        }
                    }
                    yield best;
                }
                case "abs" -> toNumber(a.get(0), c).abs();
                case "ceil" -> toNumber(a.get(0), c).setScale(0, RoundingMode.CEILING);
                case "floor" -> toNumber(a.get(0), c).setScale(0, RoundingMode.FLOOR);
                case "file" -> java.nio.file.Files.readString(scope.dir().resolve(str(a, 0)), StandardCharsets.UTF_8);
                case "timestamp" -> Values.UNKNOWN;
                default ->
                    throw new Failure(Diag.error(
                            "Call to unknown function",
                            "There is no function named " + Json.quote(name) + ".",
                            c.range()));
            };
        } catch (Failure f) {
            throw f;
        } catch (Exception e) {
            throw new Failure(Diag.error(
                    "Error in function call",
                    "Call to function " + Json.quote(name) + " failed: " + e.getMessage() + ".",
                    c.range()));
        }
    }

    private static String str(List<Object> a, int i) {
        Object v = a.get(i);
        if (v == null) {
            throw new IllegalArgumentException("argument must not be null");
        }
        return Values.asString(v);
    }

    private static String format(String spec, List<Object> args) {
        StringBuilder out = new StringBuilder();
        int next = 0;
        for (int i = 0; i < spec.length(); i++) {
            char ch = spec.charAt(i);
            if (ch != '%' || i + 1 >= spec.length()) {
                out.append(ch);
                continue;
            }
            char verb = spec.charAt(++i);
            if (verb == '%') {
                out.append('%');
                continue;
            }
            Object v = next < args.size() ? args.get(next++) : null;
            out.append(verb == 'q' ? Json.quote(Values.asString(v)) : Values.asString(v));
        }
        return out.toString();
    }

    private static String hex(String algorithm, String s) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance(algorithm).digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
