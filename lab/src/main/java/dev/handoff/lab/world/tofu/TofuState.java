package dev.handoff.lab.world.tofu;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * A v4 state snapshot ({@code internal/states/statefile/version4.go}): {@code version}, {@code terraform_version},
 * {@code serial}, {@code lineage}, {@code outputs}, {@code resources}, {@code check_results}. OpenTofu 1.8 writes it as
 * compact JSON ({@code json.Marshal}, one line and a newline), resources sorted by mode, type and name.
 */
final class TofuState {
    /** An output value in the state. */
    record Output(Object value, Object type, boolean sensitive) {}

    /** A resource instance object: its attributes (plain JSON values) and the rest of its fields, as read. */
    record Instance(
            Map<String, Object> attributes,
            List<List<Object>> sensitivePaths,
            List<String> dependencies,
            long schemaVersion,
            Map<String, Object> extra) {
        /** The attributes with the sensitive paths marked. */
        Object value() {
            return Values.markPaths(Values.fromJson(attributes), sensitivePaths);
        }
    }

    /** A resource with one instance (the stand-in has no count/for_each). */
    record Resource(String mode, String type, String name, String provider, Instance instance) {
        String address() {
            return (mode.equals("data") ? "data." : "") + type + "." + name;
        }
    }

    String terraformVersion = StandInTofu.VERSION;
    long serial;
    String lineage;
    final Map<String, Output> outputs = new TreeMap<>();
    final List<Resource> resources = new ArrayList<>();
    Object checkResults;

    /** A new empty state with a fresh lineage and serial 0 ({@code statemgr.NewStateFile}). */
    static TofuState fresh() {
        TofuState s = new TofuState();
        s.lineage = UUID.randomUUID().toString();
        return s;
    }

    /** Thrown for a snapshot tofu cannot read; the message is tofu's. */
    static final class Unreadable extends Exception {
        Unreadable(String message) {
            super(message);
        }
    }

    /** Reads a snapshot; null for an empty one ({@code statefile.ErrNoState}). */
    static TofuState read(String text) throws Unreadable {
        if (text == null || text.isBlank()) {
            return null;
        }
        Object parsed;
        try {
            parsed = Json.parse(text);
        } catch (Json.JsonException e) {
            throw new Unreadable("Unsupported state file format: The state file could not be parsed as JSON: "
                    + "syntax error at byte offset 1.");
        }
        if (!(parsed instanceof Map<?, ?> root)) {
            throw new Unreadable("Unsupported state file format: The state file could not be parsed as JSON.");
        }
        if (root.containsKey("encrypted_data")) {
            throw new Unreadable("Unsupported state file format: The state file is encrypted, and encryption is not"
                    + " configured.");
        }
        Object version = root.get("version");
        if (!(version instanceof BigDecimal v) || v.intValue() != 4) {
            throw new Unreadable("Unsupported state file format: The state file uses format version " + version
                    + ", which is not supported by OpenTofu " + StandInTofu.VERSION + ".");
        }
        TofuState s = new TofuState();
        s.terraformVersion = String.valueOf(root.get("terraform_version"));
        s.serial = root.get("serial") instanceof BigDecimal n ? n.longValue() : 0;
        s.lineage = root.get("lineage") == null ? "" : String.valueOf(root.get("lineage"));
        if (root.get("outputs") instanceof Map<?, ?> outs) {
            outs.forEach((k, o) -> {
                Map<?, ?> m = (Map<?, ?>) o;
                s.outputs.put(
                        (String) k, new Output(m.get("value"), m.get("type"), Boolean.TRUE.equals(m.get("sensitive"))));
            });
        }
        if (root.get("resources") instanceof List<?> rs) {
            for (Object o : rs) {
                Map<?, ?> r = (Map<?, ?>) o;
                if ("terraform_data".equals(r.get("type")) && "lab_config_digest".equals(r.get("name"))) {
                    continue; // the earlier stand-in's bookkeeping, never a real object
                }
                List<?> instances = r.get("instances") instanceof List<?> l ? l : List.of();
                if (instances.isEmpty()) {
                    continue;
                }
                Map<?, ?> i = (Map<?, ?>) instances.get(0);
                Map<String, Object> extra = new LinkedHashMap<>();
                i.forEach((k, x) -> extra.put((String) k, x));
                @SuppressWarnings("unchecked")
                Map<String, Object> attributes =
                        i.get("attributes") instanceof Map<?, ?> a ? (Map<String, Object>) a : new LinkedHashMap<>();
                s.resources.add(new Resource(
                        String.valueOf(r.get("mode")),
                        String.valueOf(r.get("type")),
                        String.valueOf(r.get("name")),
                        String.valueOf(r.get("provider")),
                        new Instance(
                                attributes,
                                paths(i.get("sensitive_attributes")),
                                i.get("dependencies") instanceof List<?> d
                                        ? d.stream().map(String::valueOf).toList()
                                        : List.of(),
                                i.get("schema_version") instanceof BigDecimal sv ? sv.longValue() : 0,
                                extra)));
            }
        }
        s.checkResults = root.get("check_results");
        return s;
    }

    private static List<List<Object>> paths(Object json) {
        List<List<Object>> out = new ArrayList<>();
        if (json instanceof List<?> paths) {
            for (Object p : paths) {
                List<Object> path = new ArrayList<>();
                for (Object step : (List<?>) p) {
                    Map<?, ?> s = (Map<?, ?>) step;
                    Object value = s.get("value");
                    if ("index".equals(s.get("type")) && value instanceof Map<?, ?> v) {
                        path.add(v.get("value") instanceof String key ? new Values.Key(key) : v.get("value"));
                    } else {
                        path.add(value);
                    }
                }
                out.add(path);
            }
        }
        return out;
    }

    /** Whether the state has no resources and no outputs ({@code states.State.Empty}). */
    boolean empty() {
        return resources.isEmpty() && outputs.isEmpty();
    }

    Resource resource(String address) {
        return resources.stream()
                .filter(r -> r.address().equals(address))
                .findFirst()
                .orElse(null);
    }

    TofuState copy() {
        TofuState c = new TofuState();
        c.terraformVersion = terraformVersion;
        c.serial = serial;
        c.lineage = lineage;
        c.outputs.putAll(outputs);
        c.resources.addAll(resources);
        c.checkResults = checkResults;
        return c;
    }

    /** The snapshot as OpenTofu 1.8.5 writes it: compact JSON and a newline, this version recorded. */
    String write() {
        terraformVersion = StandInTofu.VERSION;
        Map<String, Object> root = Json.struct();
        root.put("version", 4);
        root.put("terraform_version", terraformVersion);
        root.put("serial", serial);
        root.put("lineage", lineage == null ? "" : lineage);
        body(root);
        return Json.compact(root) + "\n";
    }

    /** The content that {@code statefile.StatesMarshalEqual} compares: everything but the header. */
    String content() {
        Map<String, Object> root = Json.struct();
        body(root);
        return Json.compact(root);
    }

    private void body(Map<String, Object> root) {
        Map<String, Object> outs = Json.sorted();
        outputs.forEach((k, o) -> {
            Map<String, Object> m = Json.struct();
            m.put("value", o.value());
            m.put("type", o.type());
            if (o.sensitive()) {
                m.put("sensitive", true);
            }
            outs.put(k, m);
        });
        root.put("outputs", outs);
        List<Object> rs = new ArrayList<>();
        List<Resource> sorted = new ArrayList<>(resources);
        sorted.sort(Comparator.comparing(Resource::mode)
                .thenComparing(Resource::type)
                .thenComparing(Resource::name));
        for (Resource r : sorted) {
            Map<String, Object> m = Json.struct();
            m.put("mode", r.mode());
            m.put("type", r.type());
            m.put("name", r.name());
            m.put("provider", r.provider());
            m.put("instances", List.of(instance(r.instance())));
            rs.add(m);
        }
        root.put("resources", rs);
        root.put("check_results", checkResults);
    }

    private static Map<String, Object> instance(Instance i) {
        Map<String, Object> m = Json.struct();
        for (String k : List.of("index_key", "status", "deposed")) {
            if (i.extra().get(k) != null) {
                m.put(k, i.extra().get(k));
            }
        }
        m.put("schema_version", i.schemaVersion());
        m.put("attributes", sortedDeep(i.attributes()));
        if (i.extra().get("attributes_flat") != null) {
            m.put("attributes_flat", i.extra().get("attributes_flat"));
        }
        List<Object> paths = new ArrayList<>();
        for (List<Object> path : i.sensitivePaths()) {
            List<Object> steps = new ArrayList<>();
            for (Object step : path) {
                Map<String, Object> s = Json.struct();
                if (step instanceof String name) {
                    s.put("type", "get_attr");
                    s.put("value", name);
                } else {
                    Map<String, Object> key = Json.struct();
                    key.put("value", step instanceof Values.Key k ? k.key() : step);
                    key.put("type", step instanceof Values.Key ? "string" : "number");
                    s.put("type", "index");
                    s.put("value", key);
                }
                steps.add(s);
            }
            paths.add(steps);
        }
        m.put("sensitive_attributes", paths);
        if (i.extra().get("private") != null) {
            m.put("private", i.extra().get("private"));
        }
        if (!i.dependencies().isEmpty()) {
            m.put("dependencies", i.dependencies().stream().sorted().toList());
        }
        if (Boolean.TRUE.equals(i.extra().get("create_before_destroy"))) {
            m.put("create_before_destroy", true);
        }
        return m;
    }

    @SuppressWarnings("unchecked")
    static Object sortedDeep(Object v) {
        if (v instanceof Map<?, ?> m) {
            Map<String, Object> out = new TreeMap<>();
            m.forEach((k, x) -> out.put((String) k, sortedDeep(x)));
            return out;
        }
        if (v instanceof List<?> l) {
            List<Object> out = new ArrayList<>();
            l.forEach(x -> out.add(sortedDeep(x)));
            return out;
        }
        return v;
    }
}
