package dev.handoff.lab.world.tofu;

import dev.handoff.lab.world.tofu.Diagnostics.Diag;
import dev.handoff.lab.world.tofu.Diagnostics.Failure;
import dev.handoff.lab.world.tofu.Plan.OutputChange;
import dev.handoff.lab.world.tofu.Plan.ResourceChange;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Plans and applies a stack the way OpenTofu's core does for what the lab models. Each resource is compared on its
 * own: its configuration body evaluated (variables substituted, references to other resources resolved) against the
 * attributes in state; a difference is an {@code update}, a resource not in state a {@code create}, a state object
 * without configuration a {@code delete} (or a {@code forget} under a {@code removed} block). {@code moved} blocks
 * rename state objects first ({@code previous_address}), {@code import} blocks bring objects into state
 * ({@code importing.id}). Outputs are evaluated and compared with the state's; the plan records the state's lineage
 * and serial so an apply can refuse a stale plan.
 */
final class Planner {
    /** Meta-arguments and blocks that are not resource attributes. */
    private static final Set<String> META =
            Set.of("provider", "depends_on", "count", "for_each", "lifecycle", "provisioner", "connection", "timeouts");

    private final TofuConfig config;
    private final Map<String, Object> variables;
    private final Map<String, String> cloud;
    private final boolean destructive;

    Planner(TofuConfig config, Map<String, Object> variables, Map<String, String> cloud, boolean destructive) {
        this.config = config;
        this.variables = variables;
        this.cloud = cloud;
        this.destructive = destructive;
    }

    // ---------------------------------------------------------------- plan

    /** Plans against {@code state} (null: no state yet). */
    Plan plan(TofuState state) {
        TofuState previous = state == null ? new TofuState() : state.copy();
        if (state == null) {
            previous.lineage = "";
        }
        TofuState prior = previous.copy();
        List<Diag> diags = new ArrayList<>();
        Map<String, String> movedFrom = new HashMap<>();
        for (TofuConfig.Moved m : config.moved) {
            Optional<TofuConfig.Resource> stillThere = config.resource(m.from());
            if (stillThere.isPresent()) {
                diags.add(Diag.error(
                        "Moved object still exists",
                        "This statement declares a move from " + m.from() + ", but that resource is still declared at "
                                + stillThere.get().block().defRange().startString()
                                + ".\n\nChange your configuration so"
                                + " that this resource will be declared as " + m.to() + " instead.",
                        m.block().defRange()));
                continue;
            }
            if (!type(m.from()).equals(type(m.to()))) {
                diags.add(Diag.error(
                        "Resource type mismatch",
                        "This statement declares a move from " + m.from() + " to " + m.to()
                                + ", which is a resource of a different type.",
                        m.block().defRange()));
                continue;
            }
            TofuState.Resource r = prior.resource(m.from());
            if (r != null && prior.resource(m.to()) == null) {
                prior.resources.remove(r);
                prior.resources.add(
                        new TofuState.Resource(r.mode(), r.type(), name(m.to()), r.provider(), r.instance()));
                movedFrom.put(m.to(), m.from());
            }
        }
        for (TofuConfig.Removed rm : config.removed) {
            if (config.resource(rm.from()).isPresent()) {
                diags.add(Diag.error(
                        "Removed resource block still exists",
                        "This statement declares a removal of the resource " + rm.from() + ", but this resource block"
                                + " still exists in the configuration. Please remove the resource block.",
                        rm.block().defRange()));
            }
        }
        for (TofuConfig.Import im : config.imports) {
            if (config.resource(im.to()).isEmpty()) {
                diags.add(Diag.error(
                        "Configuration for import target does not exist",
                        "The configuration for the given import " + im.to() + " does not exist. All target instances"
                                + " must have an associated configuration to be imported.",
                        im.block().defRange()));
            }
        }
        if (!diags.isEmpty()) {
            throw new Failure(diags);
        }

        PlanScope scope = new PlanScope(prior, state != null && !state.empty());
        Plan plan = new Plan();
        for (TofuConfig.Resource r : config.resources) {
            ResourceChange c = scope.change(r);
            plan.resourceChanges.add(
                    c.previousAddress() == null && movedFrom.containsKey(c.address())
                            ? withPrevious(c, movedFrom.get(c.address()))
                            : c);
        }
        for (TofuState.Resource r : prior.resources) {
            if (!r.mode().equals("managed") || config.resource(r.address()).isPresent()) {
                continue;
            }
            boolean forget = config.removed.stream().anyMatch(rm -> rm.from().equals(r.address()));
            plan.resourceChanges.add(new ResourceChange(
                    r.address(),
                    movedFrom.get(r.address()),
                    r.type(),
                    r.name(),
                    providerAddress(r.provider()),
                    List.of(forget ? "forget" : "delete"),
                    r.instance().value(),
                    null,
                    forget ? null : "delete_because_no_resource_config",
                    null,
                    r.instance().schemaVersion()));
        }
        plan.resourceChanges.sort(Comparator.comparing(ResourceChange::type).thenComparing(ResourceChange::name));

        Eval eval = new Eval(scope);
        for (TofuConfig.Output o : config.outputs.values()) {
            Object value = eval.eval(o.value());
            if (!o.sensitive() && Values.containsSensitive(value)) {
                diags.add(sensitiveOutput(o));
                continue;
            }
            TofuState.Output before = prior.outputs.get(o.name());
            List<String> actions;
            if (before == null) {
                actions = List.of("create");
            } else if (!Values.containsUnknown(value)
                    && Values.same(Values.fromJson(before.value()), value)
                    && before.sensitive() == o.sensitive()) {
                actions = List.of("no-op");
            } else {
                actions = List.of("update");
            }
            plan.outputChanges.put(
                    o.name(),
                    new OutputChange(
                            o.name(),
                            actions,
                            before == null ? null : Values.fromJson(before.value()),
                            value,
                            o.sensitive()));
        }
        for (Map.Entry<String, TofuState.Output> e : prior.outputs.entrySet()) {
            if (!config.outputs.containsKey(e.getKey())) {
                plan.outputChanges.put(
                        e.getKey(),
                        new OutputChange(
                                e.getKey(),
                                List.of("delete"),
                                Values.fromJson(e.getValue().value()),
                                null,
                                e.getValue().sensitive()));
            }
        }
        if (!diags.isEmpty()) {
            throw new Failure(diags);
        }
        plan.variables = new java.util.TreeMap<>(variables);
        plan.prior = prior;
        plan.previousRun = previous;
        return plan;
    }

    static Diag sensitiveOutput(TofuConfig.Output o) {
        return Diag.error(
                "Output refers to sensitive values",
                "To reduce the risk of accidentally exporting sensitive data that was intended to be only internal,"
                        + " OpenTofu requires that any root module output containing sensitive data be explicitly marked"
                        + " as sensitive, to confirm your intent.\n\nIf you do intend to export this data, annotate the"
                        + " output value as sensitive by adding the following argument:\n    sensitive = true",
                o.block().defRange());
    }

    private static ResourceChange withPrevious(ResourceChange c, String previous) {
        return new ResourceChange(
                c.address(),
                previous,
                c.type(),
                c.name(),
                c.provider(),
                c.actions(),
                c.before(),
                c.after(),
                c.actionReason(),
                c.importingId(),
                c.schemaVersion());
    }

    private static String type(String address) {
        int dot = address.indexOf('.');
        return dot < 0 ? address : address.substring(0, dot);
    }

    private static String name(String address) {
        int dot = address.indexOf('.');
        return dot < 0 ? "" : address.substring(dot + 1);
    }

    /** {@code provider["registry.opentofu.org/oracle/oci"]} → the address inside. */
    static String providerAddress(String stateProvider) {
        int open = stateProvider.indexOf("[\"");
        int close = stateProvider.lastIndexOf("\"]");
        return open >= 0 && close > open ? stateProvider.substring(open + 2, close) : stateProvider;
    }

    /** The state's provider string for a resource of this configuration. */
    String stateProvider(TofuConfig.Resource r) {
        return "provider[\"" + config.providerAddress(r.providerLocalName()) + "\"]";
    }

    /** Evaluates a resource's body: attributes and nested blocks (as lists of objects). */
    Map<String, Object> body(Hcl.Body body, Eval eval) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Hcl.Attribute a : body.attributes()) {
            if (!META.contains(a.name())) {
                out.put(a.name(), eval.eval(a.expr()));
            }
        }
        for (Hcl.Block b : body.blocks()) {
            if (META.contains(b.type())) {
                continue;
            }
            @SuppressWarnings("unchecked")
            List<Object> list = (List<Object>) out.computeIfAbsent(b.type(), k -> new ArrayList<>());
            list.add(body(b.body(), eval));
        }
        return out;
    }

    /** The resources a body refers to, as state dependencies. */
    Set<String> dependencies(TofuConfig.Resource r) {
        Set<String> deps = new TreeSet<>();
        collect(r.body(), deps);
        deps.remove(r.address());
        return deps;
    }

    private void collect(Hcl.Body body, Set<String> deps) {
        for (Hcl.Attribute a : body.attributes()) {
            if (a.name().equals("depends_on") && a.expr() instanceof Hcl.Tuple t) {
                for (Hcl.Expr x : t.items()) {
                    if (x instanceof Hcl.Traversal tr && !tr.steps().isEmpty()) {
                        deps.add(tr.root() + "." + tr.steps().get(0));
                    }
                }
                continue;
            }
            for (Hcl.Traversal t : Hcl.references(a.expr())) {
                if (config.resource(t.root() + "."
                                + (t.steps().isEmpty() ? "" : t.steps().get(0)))
                        .isPresent()) {
                    deps.add(t.root() + "." + t.steps().get(0));
                }
            }
        }
        for (Hcl.Block b : body.blocks()) {
            collect(b.body(), deps);
        }
    }

    /** Marks a provider schema's sensitive attributes, as the provider's schema marks them for references. */
    static Object withSchemaMarks(String type, Object object) {
        if (!(object instanceof Map<?, ?> m)) {
            return object;
        }
        Map<String, Object> out = new LinkedHashMap<>();
        m.forEach((k, v) -> out.put(
                (String) k, LabProvider.sensitive(type).contains((String) k) && v != null ? Values.sensitive(v) : v));
        return out;
    }

    private abstract class BaseScope implements Eval.Scope {
        @Override
        public Object variable(String name, Hcl.Traversal at) {
            if (!config.variables.containsKey(name)) {
                throw new Failure(Diag.error(
                        "Reference to undeclared input variable",
                        "An input variable with the name " + Json.quote(name) + " has not been declared. This variable"
                                + " can be declared with a variable " + Json.quote(name) + " {} block.",
                        at.range()));
            }
            return variables.get(name);
        }

        private final Set<String> evaluatingLocals = new HashSet<>();

        @Override
        public Object local(String name, Hcl.Traversal at) {
            Hcl.Attribute a = config.locals.get(name);
            if (a == null) {
                throw new Failure(Diag.error(
                        "Reference to undeclared local value",
                        "A local value with the name " + Json.quote(name) + " has not been declared.",
                        at.range()));
            }
            if (!evaluatingLocals.add(name)) {
                throw new Failure(Diag.error("Cycle: local." + name, "", at.range()));
            }
            try {
                return new Eval(this).eval(a.expr());
            } finally {
                evaluatingLocals.remove(name);
            }
        }

        @Override
        public Object missingAttribute(String type, String name, String attribute) {
            return LabProvider.unknownAttribute(attribute, cloud);
        }

        @Override
        public Path dir() {
            return config.dir;
        }

        /** The configured resource a reference names, or tofu's "Reference to undeclared resource". */
        TofuConfig.Resource declared(String type, String name, Hcl.Traversal at) {
            return config.resource(type + "." + name).orElseThrow(() -> undeclared(type, name, at));
        }

        Failure undeclared(String type, String name, Hcl.Traversal at) {
            return new Failure(Diag.error(
                    "Reference to undeclared resource",
                    "A managed resource " + Json.quote(type) + " " + Json.quote(name) + " has not been declared in the"
                            + " root module.",
                    at.range()));
        }
    }

    /** Resolves references while planning: to the planned values of other resources. */
    private final class PlanScope extends BaseScope {
        private final TofuState prior;
        private final boolean hasState;
        private final Map<String, ResourceChange> planned = new HashMap<>();
        private final Set<String> planning = new HashSet<>();

        PlanScope(TofuState prior, boolean hasState) {
            this.prior = prior;
            this.hasState = hasState;
        }

        @Override
        public Object resource(String type, String name, Hcl.Traversal at) {
            ResourceChange c = change(declared(type, name, at));
            // a configured resource planned for deletion (the destructive-plan fault) is known after apply only
            return c.after() == null ? Values.UNKNOWN : withSchemaMarks(type, c.after());
        }

        ResourceChange change(TofuConfig.Resource r) {
            ResourceChange done = planned.get(r.address());
            if (done != null) {
                return done;
            }
            if (!planning.add(r.address())) {
                throw new Failure(Diag.error(
                        "Cycle: " + r.address(),
                        "The resource refers to itself through other resources.",
                        r.block().defRange()));
            }
            ResourceChange c = compute(r);
            planning.remove(r.address());
            planned.put(r.address(), c);
            return c;
        }

        private ResourceChange compute(TofuConfig.Resource r) {
            Map<String, Object> body = body(r.body(), new Eval(this));
            String provider = config.providerAddress(r.providerLocalName());
            long schema = LabProvider.schemaVersion(r.type());
            TofuState.Resource inState = prior.resource(r.address());
            Object before = null;
            String importing = null;
            if (inState != null) {
                before = inState.instance().value();
            } else {
                for (TofuConfig.Import im : config.imports) {
                    if (im.to().equals(r.address())) {
                        Object id = Values.unmark(new Eval(this).eval(im.id()));
                        if (!(id instanceof String s) || s.isEmpty()) {
                            throw new Failure(Diag.error(
                                    "Invalid import id argument",
                                    "The import ID cannot be null or empty, and must be known during planning.",
                                    im.id().range()));
                        }
                        importing = s;
                        before = LabProvider.imported(r.type(), r.name(), s, stripUnknown(body), cloud);
                    }
                }
            }
            if (before == null) {
                return new ResourceChange(
                        r.address(),
                        null,
                        r.type(),
                        r.name(),
                        provider,
                        List.of("create"),
                        null,
                        withComputedUnknown(r.type(), body),
                        null,
                        null,
                        schema);
            }
            int index = config.resources.indexOf(r);
            if (destructive && hasState && importing == null && index < 2) {
                if (index == 0) {
                    return new ResourceChange(
                            r.address(),
                            null,
                            r.type(),
                            r.name(),
                            provider,
                            List.of("delete", "create"),
                            before,
                            withComputedUnknown(r.type(), body),
                            "replace_because_cannot_update",
                            null,
                            schema);
                }
                return new ResourceChange(
                        r.address(),
                        null,
                        r.type(),
                        r.name(),
                        provider,
                        List.of("delete"),
                        before,
                        null,
                        null,
                        null,
                        schema);
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> prior = new LinkedHashMap<>((Map<String, Object>) before);
            boolean changed = false;
            Map<String, Object> after = new LinkedHashMap<>(prior);
            for (Map.Entry<String, Object> e : body.entrySet()) {
                if (!prior.containsKey(e.getKey()) || !Values.same(prior.get(e.getKey()), e.getValue())) {
                    changed = true;
                }
                after.put(e.getKey(), e.getValue());
            }
            List<String> computed = LabProvider.computed(r.type());
            for (String k : prior.keySet()) {
                if (!body.containsKey(k) && !computed.contains(k) && prior.get(k) != null) {
                    changed = true;
                    after.put(k, null);
                }
            }
            return new ResourceChange(
                    r.address(),
                    null,
                    r.type(),
                    r.name(),
                    provider,
                    List.of(changed ? "update" : "no-op"),
                    before,
                    after,
                    null,
                    importing,
                    schema);
        }
    }

    private static Map<String, Object> withComputedUnknown(String type, Map<String, Object> body) {
        Map<String, Object> after = new LinkedHashMap<>(body);
        for (String attr : LabProvider.computed(type)) {
            if (!after.containsKey(attr) || after.get(attr) == null) {
                after.put(attr, Values.UNKNOWN);
            }
        }
        return after;
    }

    private static Map<String, Object> stripUnknown(Map<String, Object> body) {
        Map<String, Object> out = new LinkedHashMap<>();
        body.forEach((k, v) -> out.put(k, v == Values.UNKNOWN ? null : v));
        return out;
    }

    // ---------------------------------------------------------------- apply

    /** One step of an apply, for the caller to print. */
    interface Progress {
        void line(String text);
    }

    /**
     * Applies a plan to its prior state: every change in order (deletions first, then creations and updates in
     * configuration order), then the outputs. Returns the new state content (header taken from the prior state).
     */
    TofuState apply(Plan plan, Progress progress) {
        return apply(plan, progress, null);
    }

    /** A resource whose apply failed, or that depends on one: it and its dependents are left as they were. */
    private static final class Skipped extends RuntimeException {
        Skipped() {
            super(null, null, false, false);
        }
    }

    /**
     * Applies a plan whose change of {@code failing} fails (a provider error): everything not depending on it is
     * applied and kept, as OpenTofu persists the objects an apply created before it stopped; outputs that depend on
     * the failed resource keep their previous value.
     */
    TofuState apply(Plan plan, Progress progress, String failing) {
        TofuState state = plan.prior.copy();
        TofuState before = plan.prior;
        for (ResourceChange c : plan.resourceChanges) {
            if (c.actions().contains("delete") || c.actions().contains("forget")) {
                TofuState.Resource r = state.resource(c.address());
                if (c.actions().equals(List.of("forget"))) {
                    state.resources.remove(r);
                    continue;
                }
                String id = id(c.before());
                progress.line(c.address() + ": Destroying..." + (id == null ? "" : " [id=" + id + "]"));
                state.resources.remove(r);
                progress.line(c.address() + ": Destruction complete after 1s");
            }
        }
        ApplyScope scope = new ApplyScope(plan, state, progress, failing);
        for (TofuConfig.Resource r : config.resources) {
            try {
                scope.apply(r);
            } catch (Skipped e) {
                // left as it was
            }
        }
        Eval eval = new Eval(scope);
        state.outputs.clear();
        for (TofuConfig.Output o : config.outputs.values()) {
            Object value;
            try {
                value = eval.eval(o.value());
            } catch (Skipped e) {
                TofuState.Output previous = before.outputs.get(o.name());
                if (previous != null) {
                    state.outputs.put(o.name(), previous);
                }
                continue;
            }
            if (!o.sensitive() && Values.containsSensitive(value)) {
                throw new Failure(sensitiveOutput(o));
            }
            Object plain = Values.json(value);
            state.outputs.put(o.name(), new TofuState.Output(plain, Values.type(Values.unmark(value)), o.sensitive()));
        }
        return state;
    }

    private static String id(Object object) {
        Object v = object instanceof Map<?, ?> m ? m.get("id") : null;
        return v instanceof String s && !s.isEmpty() ? s : null;
    }

    /** Resolves references while applying: to the new objects. */
    private final class ApplyScope extends BaseScope {
        private final Plan plan;
        private final TofuState state;
        private final Progress progress;
        private final Set<String> applied = new HashSet<>();
        private final Set<String> failed = new HashSet<>();
        private final String failing;

        ApplyScope(Plan plan, TofuState state, Progress progress, String failing) {
            this.plan = plan;
            this.state = state;
            this.progress = progress;
            this.failing = failing;
        }

        @Override
        public Object resource(String type, String name, Hcl.Traversal at) {
            TofuConfig.Resource r = declared(type, name, at);
            String address = r.address();
            apply(r);
            if (failed.contains(address)) {
                throw new Skipped();
            }
            TofuState.Resource s = state.resource(address);
            if (s == null) {
                // deleted while still configured (the destructive-plan fault): the simulated cloud still has it
                return withSchemaMarks(
                        type, LabProvider.applied(type, name, body(r.body(), new Eval(this)), null, cloud));
            }
            return withSchemaMarks(type, s.instance().value());
        }

        void apply(TofuConfig.Resource r) {
            if (!applied.add(r.address())) {
                return;
            }
            try {
                applyOnce(r);
            } catch (Skipped e) {
                failed.add(r.address());
                throw e;
            }
        }

        private void applyOnce(TofuConfig.Resource r) {
            ResourceChange c = plan.resourceChanges.stream()
                    .filter(x -> x.address().equals(r.address()))
                    .findFirst()
                    .orElse(null);
            if (c == null
                    || c.actions().equals(List.of("delete"))
                    || c.actions().equals(List.of("forget"))) {
                return;
            }
            TofuState.Resource existing = state.resource(r.address());
            if (c.noOp() && c.importingId() == null) {
                return;
            }
            Map<String, Object> planned = body(r.body(), new Eval(this));
            if (r.address().equals(failing)) {
                String id = existing == null ? null : id(existing.instance().attributes());
                progress.line(r.address()
                        + (c.actions().contains("create") && !c.actions().contains("delete")
                                ? ": Creating..."
                                : ": Modifying..." + (id == null ? "" : " [id=" + id + "]")));
                throw new Skipped();
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> priorObject = existing == null
                    ? null
                    : (Map<String, Object>) Values.fromJson(existing.instance().attributes());
            Map<String, Object> object;
            if (c.importingId() != null) {
                progress.line(r.address() + ": Importing... [id=" + c.importingId() + "]");
                progress.line(r.address() + ": Import complete [id=" + c.importingId() + "]");
                object = LabProvider.imported(r.type(), r.name(), c.importingId(), stripUnknown(planned), cloud);
                if (c.noOp()) {
                    store(r, object);
                    return;
                }
                priorObject = object;
            }
            if (c.actions().contains("create")) {
                progress.line(r.address() + ": Creating...");
                object = LabProvider.applied(r.type(), r.name(), planned, null, cloud);
                store(r, object);
                progress.line(r.address() + ": Creation complete after 1s" + idSuffix(object));
            } else {
                String id = priorObject == null ? null : id(priorObject);
                progress.line(r.address() + ": Modifying..." + (id == null ? "" : " [id=" + id + "]"));
                Map<String, Object> merged = new LinkedHashMap<>();
                if (priorObject != null) {
                    priorObject.forEach((k, v) -> {
                        if (LabProvider.computed(r.type()).contains(k)) {
                            merged.put(k, v);
                        }
                    });
                }
                merged.putAll(planned);
                object = LabProvider.applied(r.type(), r.name(), merged, priorObject, cloud);
                for (String k : LabProvider.computed(r.type())) {
                    if (!k.equals("id") && !planned.containsKey(k)) {
                        object.put(k, LabProvider.value(r.type(), r.name(), k, cloud));
                    }
                }
                store(r, object);
                progress.line(r.address() + ": Modifications complete after 1s" + idSuffix(object));
            }
        }

        private String idSuffix(Map<String, Object> object) {
            String id = id(object);
            return id == null ? "" : " [id=" + id + "]";
        }

        private void store(TofuConfig.Resource r, Map<String, Object> object) {
            TofuState.Resource old = state.resource(r.address());
            if (old != null) {
                state.resources.remove(old);
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> attributes = (Map<String, Object>) Values.json(object);
            state.resources.add(new TofuState.Resource(
                    "managed",
                    r.type(),
                    r.name(),
                    stateProvider(r),
                    new TofuState.Instance(
                            attributes,
                            Values.sensitivePaths(object),
                            List.copyOf(dependencies(r)),
                            LabProvider.schemaVersion(r.type()),
                            Map.of())));
        }
    }
}
