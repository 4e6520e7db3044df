package dev.handoff.lab.world.tofu;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The stand-in's values, modelled on cty's: {@code null}, {@link String}, {@link BigDecimal}, {@link Boolean},
 * {@link List} (tuples and lists), {@link Map} (objects and maps), the unknown value {@link #UNKNOWN} ("known after
 * apply") and the sensitive mark {@link Sensitive}. The JSON forms follow {@code ctyjson} and OpenTofu's
 * {@code jsonplan}/{@code jsonstate} helpers (sensitive and unknown values as booleans).
 */
final class Values {
    private Values() {}

    /** A value not known until apply. */
    static final Object UNKNOWN = new Object() {
        @Override
        public String toString() {
            return "(known after apply)";
        }
    };

    /** A value marked sensitive. */
    record Sensitive(Object value) {}

    static Object sensitive(Object v) {
        return v instanceof Sensitive ? v : new Sensitive(v);
    }

    /** The value without any sensitive mark, deeply. */
    static Object unmark(Object v) {
        if (v instanceof Sensitive s) {
            return unmark(s.value());
        }
        if (v instanceof List<?> l) {
            List<Object> out = new ArrayList<>();
            l.forEach(x -> out.add(unmark(x)));
            return out;
        }
        if (v instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            m.forEach((k, x) -> out.put((String) k, unmark(x)));
            return out;
        }
        return v;
    }

    /** Whether the value or anything in it is marked sensitive. */
    static boolean containsSensitive(Object v) {
        if (v instanceof Sensitive) {
            return true;
        }
        if (v instanceof List<?> l) {
            return l.stream().anyMatch(Values::containsSensitive);
        }
        if (v instanceof Map<?, ?> m) {
            return m.values().stream().anyMatch(Values::containsSensitive);
        }
        return false;
    }

    /** Whether the value or anything in it is unknown. */
    static boolean containsUnknown(Object v) {
        if (v == UNKNOWN) {
            return true;
        }
        if (v instanceof Sensitive s) {
            return containsUnknown(s.value());
        }
        if (v instanceof List<?> l) {
            return l.stream().anyMatch(Values::containsUnknown);
        }
        if (v instanceof Map<?, ?> m) {
            return m.values().stream().anyMatch(Values::containsUnknown);
        }
        return false;
    }

    /** Structural equality of the unmarked values (numbers by value). */
    static boolean same(Object a, Object b) {
        a = a instanceof Sensitive s ? s.value() : a;
        b = b instanceof Sensitive s ? s.value() : b;
        if (a == UNKNOWN || b == UNKNOWN) {
            return false;
        }
        if (a instanceof Map<?, ?> x && b instanceof Map<?, ?> y) {
            if (!x.keySet().equals(y.keySet())) {
                return false;
            }
            for (Object k : x.keySet()) {
                if (!same(x.get(k), y.get(k))) {
                    return false;
                }
            }
            return true;
        }
        if (a instanceof List<?> x && b instanceof List<?> y) {
            if (x.size() != y.size()) {
                return false;
            }
            for (int i = 0; i < x.size(); i++) {
                if (!same(x.get(i), y.get(i))) {
                    return false;
                }
            }
            return true;
        }
        if (a == null || b == null) {
            return a == b;
        }
        if (a instanceof BigDecimal x && b instanceof BigDecimal y) {
            return x.compareTo(y) == 0;
        }
        return a.equals(b);
    }

    /** The value as JSON ({@code ctyjson.Marshal}): marks dropped, unknowns omitted from objects, null in lists. */
    static Object json(Object v) {
        if (v instanceof Sensitive s) {
            return json(s.value());
        }
        if (v == UNKNOWN) {
            return null;
        }
        if (v instanceof List<?> l) {
            List<Object> out = new ArrayList<>();
            l.forEach(x -> out.add(json(x)));
            return out;
        }
        if (v instanceof Map<?, ?> m) {
            Map<String, Object> out = new TreeMap<>();
            m.forEach((k, x) -> {
                if (x != UNKNOWN) {
                    out.put((String) k, json(x));
                }
            });
            return out;
        }
        return v;
    }

    /** A parsed JSON value as a value (objects keep their keys). */
    static Object fromJson(Object json) {
        if (json instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            m.forEach((k, x) -> out.put((String) k, fromJson(x)));
            return out;
        }
        if (json instanceof List<?> l) {
            List<Object> out = new ArrayList<>();
            l.forEach(x -> out.add(fromJson(x)));
            return out;
        }
        return json;
    }

    /** The cty type of the value as JSON ({@code ctyjson.MarshalType}); collections are tuples and objects. */
    static Object type(Object v) {
        v = v instanceof Sensitive s ? s.value() : v;
        if (v == null || v == UNKNOWN) {
            return "dynamic";
        }
        if (v instanceof String) {
            return "string";
        }
        if (v instanceof BigDecimal) {
            return "number";
        }
        if (v instanceof Boolean) {
            return "bool";
        }
        if (v instanceof List<?> l) {
            List<Object> types = new ArrayList<>();
            l.forEach(x -> types.add(type(x)));
            return List.of("tuple", types);
        }
        if (v instanceof Map<?, ?> m) {
            Map<String, Object> types = new TreeMap<>();
            m.forEach((k, x) -> types.put((String) k, type(x)));
            return List.of("object", types);
        }
        return "dynamic";
    }

    /**
     * {@code jsonstate.SensitiveAsBool} with extra sensitive attribute names at the top level (a provider schema's
     * sensitive attributes).
     */
    static Object sensitiveAsBool(Object v, java.util.Set<String> schemaSensitive) {
        if (v instanceof Sensitive) {
            return true;
        }
        if (v == null || v == UNKNOWN || !(v instanceof List || v instanceof Map)) {
            return false;
        }
        if (v instanceof List<?> l) {
            List<Object> out = new ArrayList<>();
            l.forEach(x -> out.add(sensitiveAsBool(x, java.util.Set.of())));
            return out;
        }
        Map<String, Object> out = new TreeMap<>();
        ((Map<?, ?>) v).forEach((k, x) -> {
            Object s = schemaSensitive.contains((String) k) ? Boolean.TRUE : sensitiveAsBool(x, java.util.Set.of());
            if (!Boolean.FALSE.equals(s)) {
                out.put((String) k, s);
            }
        });
        return out;
    }

    /** {@code jsonplan.unknownAsBool}. */
    static Object unknownAsBool(Object v) {
        v = v instanceof Sensitive s ? s.value() : v;
        if (v == UNKNOWN) {
            return true;
        }
        if (v instanceof List<?> l) {
            List<Object> out = new ArrayList<>();
            l.forEach(x -> out.add(unknownAsBool(x)));
            return out;
        }
        if (v instanceof Map<?, ?> m) {
            Map<String, Object> out = new TreeMap<>();
            m.forEach((k, x) -> {
                Object u = unknownAsBool(x);
                if (!Boolean.FALSE.equals(u)) {
                    out.put((String) k, u);
                }
            });
            return out;
        }
        return false;
    }

    /** A path step indexing a map by a string key (a {@link String} step is an object attribute). */
    record Key(String key) {}

    /**
     * Paths of the sensitive values inside a resource object: attribute steps ({@link String}) at the top and inside
     * list elements (nested blocks), {@link Key} steps into maps, {@link BigDecimal} steps into lists.
     */
    static List<List<Object>> sensitivePaths(Object v) {
        List<List<Object>> out = new ArrayList<>();
        sensitivePaths(v, new ArrayList<>(), out);
        return out;
    }

    private static void sensitivePaths(Object v, List<Object> path, List<List<Object>> out) {
        if (v instanceof Sensitive) {
            out.add(List.copyOf(path));
            return;
        }
        if (v instanceof List<?> l) {
            for (int i = 0; i < l.size(); i++) {
                path.add(BigDecimal.valueOf(i));
                sensitivePaths(l.get(i), path, out);
                path.remove(path.size() - 1);
            }
        } else if (v instanceof Map<?, ?> m) {
            boolean object = path.isEmpty() || path.get(path.size() - 1) instanceof BigDecimal;
            for (Map.Entry<?, ?> e : new TreeMap<>(m).entrySet()) {
                path.add(object ? e.getKey() : new Key((String) e.getKey()));
                sensitivePaths(e.getValue(), path, out);
                path.remove(path.size() - 1);
            }
        }
    }

    /** Marks the values at the given paths sensitive (reading a state's {@code sensitive_attributes}). */
    static Object markPaths(Object v, List<List<Object>> paths) {
        for (List<Object> path : paths) {
            v = mark(v, path, 0);
        }
        return v;
    }

    @SuppressWarnings("unchecked")
    private static Object mark(Object v, List<Object> path, int i) {
        if (i == path.size()) {
            return sensitive(v);
        }
        Object step = path.get(i) instanceof Key k ? k.key() : path.get(i);
        if (v instanceof Map<?, ?> m && step instanceof String key && m.containsKey(key)) {
            Map<String, Object> copy = new LinkedHashMap<>((Map<String, Object>) m);
            copy.put(key, mark(copy.get(key), path, i + 1));
            return copy;
        }
        if (v instanceof List<?> l && step instanceof BigDecimal n && n.intValue() < l.size()) {
            List<Object> copy = new ArrayList<>(l);
            copy.set(n.intValue(), mark(copy.get(n.intValue()), path, i + 1));
            return copy;
        }
        return v;
    }

    /** {@code tostring} of a primitive value. */
    static String asString(Object v) {
        v = v instanceof Sensitive s ? s.value() : v;
        if (v instanceof BigDecimal d) {
            return Json.number(d);
        }
        return String.valueOf(v);
    }

    /** The value as {@code tofu output} and the plan renderer print it ({@code repl.FormatValue}-like). */
    static String human(Object v, int indent) {
        if (v instanceof Sensitive) {
            return "(sensitive value)";
        }
        if (v == UNKNOWN) {
            return "(known after apply)";
        }
        if (v == null) {
            return "null";
        }
        if (v instanceof String s) {
            if (s.contains("\n")) {
                String pad = " ".repeat(indent);
                StringBuilder b = new StringBuilder("<<EOT\n");
                for (String line : s.split("\n", -1)) {
                    b.append(pad).append(line).append('\n');
                }
                return b.append(pad).append("EOT").toString();
            }
            return Json.quote(s);
        }
        if (v instanceof BigDecimal d) {
            return Json.number(d);
        }
        if (v instanceof Boolean b) {
            return b.toString();
        }
        String pad = " ".repeat(indent + 2);
        if (v instanceof List<?> l) {
            if (l.isEmpty()) {
                return "[]";
            }
            StringBuilder b = new StringBuilder("[\n");
            for (Object x : l) {
                b.append(pad).append(human(x, indent + 2)).append(",\n");
            }
            return b.append(" ".repeat(indent)).append(']').toString();
        }
        Map<?, ?> m = (Map<?, ?>) v;
        if (m.isEmpty()) {
            return "{}";
        }
        int width = m.keySet().stream().mapToInt(k -> key(k).length()).max().orElse(0);
        StringBuilder b = new StringBuilder("{\n");
        for (Map.Entry<?, ?> e : new TreeMap<>(m).entrySet()) {
            String k = key(e.getKey());
            b.append(pad)
                    .append(k)
                    .append(" ".repeat(width - k.length()))
                    .append(" = ")
                    .append(human(e.getValue(), indent + 2))
                    .append('\n');
        }
        return b.append(" ".repeat(indent)).append('}').toString();
    }

    private static String key(Object k) {
        String s = String.valueOf(k);
        return s.matches("[A-Za-z_][A-Za-z0-9_-]*") ? s : Json.quote(s);
    }
}
