package dev.handoff.lab.world.tofu;

import dev.handoff.lab.world.tofu.Plan.OutputChange;
import dev.handoff.lab.world.tofu.Plan.ResourceChange;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code tofu show -json} documents: the plan representation ({@code internal/command/jsonplan}, format 1.2) and the
 * state representation ({@code internal/command/jsonstate}, format 1.0), written as Go's {@code json.Marshal} writes
 * them (compact, struct fields in declaration order, map keys sorted).
 */
final class PlanJson {
    static final String PLAN_FORMAT = "1.2";
    static final String STATE_FORMAT = "1.0";

    private PlanJson() {}

    static String plan(Plan plan, TofuConfig config) {
        Map<String, Object> root = Json.struct();
        root.put("format_version", PLAN_FORMAT);
        root.put("terraform_version", StandInTofu.VERSION);
        if (!plan.variables.isEmpty()) {
            Map<String, Object> vars = Json.sorted();
            plan.variables.forEach((k, v) -> {
                Map<String, Object> m = Json.struct();
                m.put("value", Values.json(v));
                vars.put(k, m);
            });
            root.put("variables", vars);
        }
        root.put("planned_values", plannedValues(plan));
        List<Object> changes = new ArrayList<>();
        for (ResourceChange c : plan.resourceChanges) {
            changes.add(resourceChange(c));
        }
        if (!changes.isEmpty()) {
            root.put("resource_changes", changes);
        }
        if (!plan.outputChanges.isEmpty()) {
            Map<String, Object> outputs = Json.sorted();
            plan.outputChanges.forEach((k, o) -> outputs.put(k, outputChange(o)));
            root.put("output_changes", outputs);
        }
        if (plan.prior != null && !plan.prior.empty()) {
            root.put("prior_state", stateDocument(plan.prior));
        }
        if (config != null) {
            root.put("configuration", configuration(config));
        }
        root.put("timestamp", plan.timestamp.truncatedTo(ChronoUnit.SECONDS).toString());
        root.put("errored", plan.errored);
        return Json.compact(root);
    }

    /** The state document, or {@code {"format_version":"1.0"}} for no state. */
    static String state(TofuState state) {
        if (state == null) {
            Map<String, Object> root = Json.struct();
            root.put("format_version", STATE_FORMAT);
            return Json.compact(root);
        }
        return Json.compact(stateDocument(state));
    }

    private static Map<String, Object> plannedValues(Plan plan) {
        Map<String, Object> values = Json.struct();
        Map<String, Object> outputs = Json.sorted();
        for (OutputChange o : plan.outputChanges.values()) {
            if (o.actions().equals(List.of("delete"))) {
                continue;
            }
            Map<String, Object> m = Json.struct();
            m.put("sensitive", o.sensitive());
            if (!Values.containsUnknown(o.after())) {
                m.put("type", Values.type(Values.unmark(o.after())));
                m.put("value", Values.json(o.after()));
            }
            outputs.put(o.name(), m);
        }
        if (!outputs.isEmpty()) {
            values.put("outputs", outputs);
        }
        Map<String, Object> module = Json.struct();
        List<Object> resources = new ArrayList<>();
        List<ResourceChange> sorted = new ArrayList<>(plan.resourceChanges);
        sorted.sort((a, b) -> a.address().compareTo(b.address()));
        for (ResourceChange c : sorted) {
            if (c.actions().equals(List.of("delete"))) {
                continue;
            }
            Map<String, Object> r = Json.struct();
            r.put("address", c.address());
            r.put("mode", "managed");
            r.put("type", c.type());
            r.put("name", c.name());
            r.put("provider_name", c.provider());
            r.put("schema_version", c.schemaVersion());
            if (c.after() != null) {
                r.put("values", Values.json(c.after()));
            }
            r.put("sensitive_values", Values.sensitiveAsBool(c.after(), LabProvider.sensitive(c.type())));
            resources.add(r);
        }
        if (!resources.isEmpty()) {
            module.put("resources", resources);
        }
        values.put("root_module", module);
        return values;
    }

    private static Map<String, Object> resourceChange(ResourceChange c) {
        Map<String, Object> r = Json.struct();
        r.put("address", c.address());
        if (c.previousAddress() != null && !c.previousAddress().equals(c.address())) {
            r.put("previous_address", c.previousAddress());
        }
        r.put("mode", "managed");
        r.put("type", c.type());
        r.put("name", c.name());
        r.put("provider_name", c.provider());
        Map<String, Object> change = Json.struct();
        change.put("actions", c.actions());
        Set<String> schemaSensitive = LabProvider.sensitive(c.type());
        if (c.before() != null) {
            change.put("before", Values.json(c.before()));
        } else {
            change.put("before", null);
        }
        change.put("after", c.after() == null ? null : Values.json(c.after()));
        change.put("after_unknown", c.after() == null ? Map.of() : Values.unknownAsBool(c.after()));
        change.put(
                "before_sensitive",
                c.before() == null ? Boolean.FALSE : Values.sensitiveAsBool(c.before(), schemaSensitive));
        change.put(
                "after_sensitive",
                c.after() == null ? Boolean.FALSE : Values.sensitiveAsBool(c.after(), schemaSensitive));
        if (c.importingId() != null) {
            Map<String, Object> importing = Json.struct();
            importing.put("id", c.importingId());
            change.put("importing", importing);
        }
        r.put("change", change);
        if (c.actionReason() != null) {
            r.put("action_reason", c.actionReason());
        }
        return r;
    }

    private static Map<String, Object> outputChange(OutputChange o) {
        Map<String, Object> m = Json.struct();
        m.put("actions", o.actions());
        boolean deleted = o.actions().equals(List.of("delete"));
        m.put("before", o.before() == null ? null : Values.json(o.before()));
        if (deleted) {
            m.put("after", null);
            m.put("after_unknown", false);
        } else if (Values.containsUnknown(o.after())) {
            m.put("after_unknown", Values.unknownAsBool(o.after()));
        } else {
            m.put("after", Values.json(o.after()));
            m.put("after_unknown", false);
        }
        m.put("before_sensitive", o.sensitive());
        m.put("after_sensitive", o.sensitive());
        return m;
    }

    private static Map<String, Object> stateDocument(TofuState state) {
        Map<String, Object> root = Json.struct();
        root.put("format_version", STATE_FORMAT);
        root.put("terraform_version", state.terraformVersion);
        Map<String, Object> values = Json.struct();
        if (!state.outputs.isEmpty()) {
            Map<String, Object> outputs = Json.sorted();
            state.outputs.forEach((k, o) -> {
                Map<String, Object> m = Json.struct();
                m.put("sensitive", o.sensitive());
                m.put("value", o.value());
                m.put("type", o.type());
                outputs.put(k, m);
            });
            values.put("outputs", outputs);
        }
        Map<String, Object> module = Json.struct();
        List<Object> resources = new ArrayList<>();
        List<TofuState.Resource> sorted = new ArrayList<>(state.resources);
        sorted.sort((a, b) -> a.address().compareTo(b.address()));
        for (TofuState.Resource res : sorted) {
            Map<String, Object> r = Json.struct();
            r.put("address", res.address());
            r.put("mode", res.mode());
            r.put("type", res.type());
            r.put("name", res.name());
            r.put("provider_name", Planner.providerAddress(res.provider()));
            r.put("schema_version", res.instance().schemaVersion());
            r.put("values", TofuState.sortedDeep(res.instance().attributes()));
            r.put(
                    "sensitive_values",
                    Values.sensitiveAsBool(res.instance().value(), LabProvider.sensitive(res.type())));
            if (!res.instance().dependencies().isEmpty()) {
                r.put("depends_on", res.instance().dependencies());
            }
            resources.add(r);
        }
        if (!resources.isEmpty()) {
            module.put("resources", resources);
        }
        values.put("root_module", module);
        root.put("values", values);
        return root;
    }

    private static Map<String, Object> configuration(TofuConfig config) {
        Map<String, Object> root = Json.struct();
        Map<String, Object> providers = Json.sorted();
        Map<String, String> reqs = config.providerRequirements();
        Set<String> localNames = new LinkedHashSet<>(config.requiredProviders.keySet());
        config.resources.forEach(r -> localNames.add(r.providerLocalName()));
        config.providers.forEach(p -> localNames.add(p.label(0)));
        for (String local : localNames) {
            String address = config.providerAddress(local);
            if (!ProviderLocks.lockable(address)) {
                continue;
            }
            Map<String, Object> p = Json.struct();
            p.put("name", local);
            p.put("full_name", address);
            String constraint = ProviderLocks.normalize(reqs.get(address));
            if (constraint != null) {
                p.put("version_constraint", constraint);
            }
            config.provider(local).ifPresent(block -> {
                Map<String, Object> expressions = expressions(block.body(), config);
                if (!expressions.isEmpty()) {
                    p.put("expressions", expressions);
                }
            });
            providers.put(local, p);
        }
        if (!providers.isEmpty()) {
            root.put("provider_config", providers);
        }
        Map<String, Object> module = Json.struct();
        if (!config.outputs.isEmpty()) {
            Map<String, Object> outputs = Json.sorted();
            config.outputs.values().forEach(o -> {
                Map<String, Object> m = Json.struct();
                if (o.sensitive()) {
                    m.put("sensitive", true);
                }
                m.put("expression", expression(o.value(), config));
                if (o.description() != null) {
                    m.put("description", o.description());
                }
                outputs.put(o.name(), m);
            });
            module.put("outputs", outputs);
        }
        if (!config.resources.isEmpty()) {
            List<Object> resources = new ArrayList<>();
            for (TofuConfig.Resource r : config.resources) {
                Map<String, Object> m = Json.struct();
                m.put("address", r.address());
                m.put("mode", "managed");
                m.put("type", r.type());
                m.put("name", r.name());
                m.put("provider_config_key", r.providerLocalName());
                Map<String, Object> expressions = expressions(r.body(), config);
                if (!expressions.isEmpty()) {
                    m.put("expressions", expressions);
                }
                m.put("schema_version", LabProvider.schemaVersion(r.type()));
                resources.add(m);
            }
            module.put("resources", resources);
        }
        if (!config.variables.isEmpty()) {
            Map<String, Object> variables = Json.sorted();
            config.variables.values().forEach(v -> {
                Map<String, Object> m = Json.struct();
                if (v.defaultExpr() != null) {
                    m.put("default", Values.json(TofuConfig.literal(v.defaultExpr())));
                }
                if (v.description() != null) {
                    m.put("description", v.description());
                }
                if (v.sensitive()) {
                    m.put("sensitive", true);
                }
                variables.put(v.name(), m);
            });
            module.put("variables", variables);
        }
        root.put("root_module", module);
        return root;
    }

    private static Map<String, Object> expressions(Hcl.Body body, TofuConfig config) {
        Map<String, Object> out = Json.sorted();
        for (Hcl.Attribute a : body.attributes()) {
            if (a.name().equals("provider") || a.name().equals("depends_on")) {
                continue;
            }
            out.put(a.name(), expression(a.expr(), config));
        }
        for (Hcl.Block b : body.blocks()) {
            if (b.type().equals("lifecycle")
                    || b.type().equals("provisioner")
                    || b.type().equals("connection")) {
                continue;
            }
            @SuppressWarnings("unchecked")
            List<Object> list = (List<Object>) out.computeIfAbsent(b.type(), k -> new ArrayList<>());
            list.add(expressions(b.body(), config));
        }
        return out;
    }

    private static Map<String, Object> expression(Hcl.Expr e, TofuConfig config) {
        Map<String, Object> m = Json.struct();
        Set<String> refs = new LinkedHashSet<>();
        for (Hcl.Traversal t : Hcl.references(e)) {
            StringBuilder full = new StringBuilder(t.root());
            List<String> prefixes = new ArrayList<>();
            for (Object step : t.steps()) {
                if (!(step instanceof String s)) {
                    break;
                }
                full.append('.').append(s);
                prefixes.add(full.toString());
            }
            if (prefixes.isEmpty()) {
                refs.add(t.root());
                continue;
            }
            boolean resource = !List.of("var", "local", "path", "terraform", "count", "each", "self", "module", "data")
                    .contains(t.root());
            if (resource) {
                refs.add(prefixes.get(Math.min(1, prefixes.size() - 1)));
                refs.add(prefixes.get(0));
            } else {
                refs.add(prefixes.get(0));
            }
        }
        if (refs.isEmpty()) {
            try {
                m.put("constant_value", Values.json(TofuConfig.literal(e)));
            } catch (RuntimeException ex) {
                // not a constant we can show
            }
        } else {
            m.put("references", new ArrayList<>(refs));
        }
        return m;
    }
}
