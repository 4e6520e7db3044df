package dev.handoff.lab.world.tofu;

import dev.handoff.lab.world.tofu.Diagnostics.Diag;
import dev.handoff.lab.world.tofu.Diagnostics.Failure;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * A stack's root module as OpenTofu loads it ({@code internal/configs}): the {@code *.tf} and {@code *.tofu} files of
 * the folder in name order (a {@code .tofu} file hides the {@code .tf} file of the same name), with their variables,
 * locals, resources, outputs, {@code moved}, {@code import} and {@code removed} blocks, provider requirements and the
 * backend. Override files, modules and data sources are not modelled.
 */
final class TofuConfig {
    static final String REGISTRY = "registry.opentofu.org";
    static final String BUILTIN_TERRAFORM = "terraform.io/builtin/terraform";

    record Variable(
            String name, Hcl.Expr defaultExpr, String type, boolean sensitive, String description, Hcl.Block block) {
        boolean required() {
            return defaultExpr == null;
        }
    }

    record Resource(String type, String name, Hcl.Body body, Hcl.Block block, String providerLocalName) {
        String address() {
            return type + "." + name;
        }
    }

    record Output(String name, Hcl.Expr value, boolean sensitive, String description, Hcl.Block block) {}

    record Moved(String from, String to, Hcl.Block block) {}

    record Import(String to, Hcl.Expr id, Hcl.Block block) {}

    record Removed(String from, Hcl.Block block) {}

    record Backend(String type, Hcl.Block block) {}

    /** A provider the module needs: its full address ({@code registry.opentofu.org/oracle/oci}) and constraints. */
    record Requirement(String address, String constraints) {}

    final Path dir;
    final Map<String, Hcl.File> files = new LinkedHashMap<>();
    final Map<String, Variable> variables = new LinkedHashMap<>();
    final Map<String, Hcl.Attribute> locals = new LinkedHashMap<>();
    final List<Resource> resources = new ArrayList<>();
    final Map<String, Output> outputs = new LinkedHashMap<>();
    final List<Moved> moved = new ArrayList<>();
    final List<Import> imports = new ArrayList<>();
    final List<Removed> removed = new ArrayList<>();
    final List<Hcl.Block> providers = new ArrayList<>();
    /** Local name → source address and version constraints, from {@code required_providers}. */
    final Map<String, Requirement> requiredProviders = new LinkedHashMap<>();

    Backend backend;
    final List<Hcl.Attribute> requiredVersions = new ArrayList<>();

    private TofuConfig(Path dir) {
        this.dir = dir;
    }

    /** Whether the folder has any configuration file. */
    static boolean hasConfiguration(Path dir) {
        return !configFiles(dir).isEmpty();
    }

    /** Loads the root module in {@code dir}; configuration errors end the command as tofu's would. */
    static TofuConfig load(Path dir) {
        Map<String, String> texts = new LinkedHashMap<>();
        for (Path file : configFiles(dir)) {
            try {
                texts.put(file.getFileName().toString(), Files.readString(file, StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return fromSources(dir, texts);
    }

    /** Loads a root module from file texts (a saved plan's configuration snapshot), {@code dir} for {@code file()}. */
    static TofuConfig fromSources(Path dir, Map<String, String> texts) {
        TofuConfig config = new TofuConfig(dir);
        List<Diag> diags = new ArrayList<>();
        for (Map.Entry<String, String> e : texts.entrySet()) {
            String name = e.getKey();
            String text = e.getValue();
            try {
                config.files.put(name, Hcl.parse(name, text));
            } catch (Hcl.SyntaxError ex) {
                config.files.put(name, new Hcl.File(name, text, new Hcl.Body(List.of(), List.of())));
                diags.add(Diag.error(ex.summary, ex.getMessage(), ex.range));
            }
        }
        if (!diags.isEmpty()) {
            throw new ConfigFailure(diags, config.files);
        }
        for (Hcl.File f : config.files.values()) {
            config.decode(f, diags);
        }
        if (diags.stream().anyMatch(Diag::error)) {
            throw new ConfigFailure(diags, config.files);
        }
        return config;
    }

    /** Configuration errors, with the sources to render them. */
    static final class ConfigFailure extends Failure {
        final Map<String, Hcl.File> sources;

        ConfigFailure(List<Diag> diags, Map<String, Hcl.File> sources) {
            super(diags);
            this.sources = sources;
        }
    }

    static List<Path> configFiles(Path dir) {
        Map<String, Path> byBase = new TreeMap<>();
        try (Stream<Path> list = Files.list(dir)) {
            for (Path p : list.sorted().toList()) {
                String n = p.getFileName().toString();
                if (!Files.isRegularFile(p) || n.startsWith(".") || n.endsWith("~")) {
                    continue;
                }
                String base;
                if (n.endsWith(".tofu")) {
                    base = n.substring(0, n.length() - 5);
                } else if (n.endsWith(".tf")) {
                    base = n.substring(0, n.length() - 3);
                    if (byBase.containsKey(base)) {
                        continue;
                    }
                } else {
                    continue;
                }
                if (base.equals("override") || base.endsWith("_override")) {
                    continue;
                }
                byBase.put(base, p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<Path> files = new ArrayList<>(byBase.values());
        files.sort(
                (a, b) -> a.getFileName().toString().compareTo(b.getFileName().toString()));
        return files;
    }

    private void decode(Hcl.File file, List<Diag> diags) {
        for (Hcl.Attribute a : file.body().attributes()) {
            diags.add(Diag.error(
                    "Unsupported argument",
                    "An argument named " + Json.quote(a.name()) + " is not expected here.",
                    a.nameRange()));
        }
        for (Hcl.Block b : file.body().blocks()) {
            switch (b.type()) {
                case "terraform" -> terraform(b, diags);
                case "variable" -> {
                    Hcl.Body body = b.body();
                    boolean sensitive = literalBool(body, "sensitive");
                    String type = body.attribute("type")
                            .map(a -> Hcl.text(file.source(), a.expr().range()))
                            .orElse(null);
                    String description = body.attribute("description")
                            .map(a -> String.valueOf(literal(a.expr())))
                            .orElse(null);
                    if (variables.containsKey(b.label(0))) {
                        diags.add(duplicate("variable", b));
                    }
                    variables.put(
                            b.label(0),
                            new Variable(
                                    b.label(0),
                                    body.attribute("default")
                                            .map(Hcl.Attribute::expr)
                                            .orElse(null),
                                    type,
                                    sensitive,
                                    description,
                                    b));
                }
                case "locals" -> b.body().attributes().forEach(a -> locals.put(a.name(), a));
                case "resource" -> {
                    String providerName = b.body()
                            .attribute("provider")
                            .map(a -> a.expr() instanceof Hcl.Traversal t ? t.root() : impliedProvider(b.label(0)))
                            .orElse(impliedProvider(b.label(0)));
                    Resource r = new Resource(b.label(0), b.label(1), b.body(), b, providerName);
                    if (resource(r.address()).isPresent()) {
                        diags.add(Diag.error(
                                "Duplicate resource \"" + r.type() + "\" configuration",
                                "A " + r.type() + " resource named " + Json.quote(r.name())
                                        + " was already declared at "
                                        + resource(r.address())
                                                .get()
                                                .block()
                                                .defRange()
                                                .startString()
                                        + ". Resource names must be unique per type in each module.",
                                b.defRange()));
                    }
                    resources.add(r);
                }
                case "data", "module", "check" -> {
                    // not modelled by the stand-in: data sources, child modules and checks are ignored
                }
                case "output" -> {
                    Optional<Hcl.Attribute> value = b.body().attribute("value");
                    if (value.isEmpty()) {
                        diags.add(Diag.error(
                                "Missing required argument",
                                "The argument \"value\" is required, but no definition was found.",
                                b.defRange()));
                        continue;
                    }
                    outputs.put(
                            b.label(0),
                            new Output(
                                    b.label(0),
                                    value.get().expr(),
                                    literalBool(b.body(), "sensitive"),
                                    b.body()
                                            .attribute("description")
                                            .map(a -> String.valueOf(literal(a.expr())))
                                            .orElse(null),
                                    b));
                }
                case "provider" -> providers.add(b);
                case "moved" -> moved.add(new Moved(address(b, "from", diags), address(b, "to", diags), b));
                case "import" -> {
                    Optional<Hcl.Attribute> id = b.body().attribute("id");
                    if (id.isEmpty()) {
                        diags.add(Diag.error(
                                "Missing required argument",
                                "The argument \"id\" is required, but no definition was found.",
                                b.defRange()));
                        continue;
                    }
                    imports.add(new Import(address(b, "to", diags), id.get().expr(), b));
                }
                case "removed" -> {
                    for (Hcl.Block inner : b.body().blocks()) {
                        // OpenTofu 1.8's removed block has only "from" (internal/configs/removed.go)
                        diags.add(Diag.error(
                                "Unsupported block type",
                                "Blocks of type " + Json.quote(inner.type()) + " are not expected here.",
                                inner.typeRange()));
                    }
                    for (Hcl.Attribute a : b.body().attributes()) {
                        if (!a.name().equals("from")) {
                            diags.add(Diag.error(
                                    "Unsupported argument",
                                    "An argument named " + Json.quote(a.name()) + " is not expected here.",
                                    a.nameRange()));
                        }
                    }
                    removed.add(new Removed(address(b, "from", diags), b));
                }
                default ->
                    diags.add(Diag.error(
                            "Unsupported block type",
                            "Blocks of type " + Json.quote(b.type()) + " are not expected here.",
                            b.typeRange()));
            }
        }
    }

    private static Diag duplicate(String kind, Hcl.Block b) {
        return Diag.error(
                "Duplicate " + kind + " declaration",
                "A " + kind + " named " + Json.quote(b.label(0)) + " was already declared. "
                        + kind.substring(0, 1).toUpperCase() + kind.substring(1)
                        + " names must be unique within a module.",
                b.defRange());
    }

    private void terraform(Hcl.Block b, List<Diag> diags) {
        b.body().attribute("required_version").ifPresent(requiredVersions::add);
        for (Hcl.Block inner : b.body().blocks()) {
            switch (inner.type()) {
                case "backend" -> {
                    if (backend != null) {
                        diags.add(Diag.error(
                                "Duplicate backend configuration",
                                "A module may have only one backend configuration. The backend was previously configured at "
                                        + backend.block().defRange().startString() + ".",
                                inner.defRange()));
                    }
                    backend = new Backend(inner.label(0), inner);
                }
                case "required_providers" -> {
                    for (Hcl.Attribute a : inner.body().attributes()) {
                        Object v = literal(a.expr());
                        String source;
                        String version = null;
                        if (v instanceof Map<?, ?> m) {
                            source =
                                    m.get("source") == null ? "hashicorp/" + a.name() : String.valueOf(m.get("source"));
                            version = m.get("version") == null ? null : String.valueOf(m.get("version"));
                        } else {
                            source = "hashicorp/" + a.name();
                            version = v == null ? null : String.valueOf(v);
                        }
                        requiredProviders.put(a.name(), new Requirement(fullAddress(source), version));
                    }
                }
                default -> {}
            }
        }
    }

    /** A literal expression's value (no references). */
    static Object literal(Hcl.Expr e) {
        return new Eval(new Eval.Scope() {
                    @Override
                    public Object variable(String name, Hcl.Traversal at) {
                        throw new Failure(
                                Diag.error("Variables not allowed", "Variables may not be used here.", at.range()));
                    }

                    @Override
                    public Object local(String name, Hcl.Traversal at) {
                        throw new Failure(
                                Diag.error("Variables not allowed", "Variables may not be used here.", at.range()));
                    }

                    @Override
                    public Object resource(String type, String name, Hcl.Traversal at) {
                        throw new Failure(
                                Diag.error("Variables not allowed", "Variables may not be used here.", at.range()));
                    }

                    @Override
                    public Object missingAttribute(String type, String name, String attribute) {
                        return null;
                    }

                    @Override
                    public Path dir() {
                        return Path.of(".");
                    }
                })
                .eval(e);
    }

    private static boolean literalBool(Hcl.Body body, String name) {
        return body.attribute(name)
                .map(a -> Boolean.TRUE.equals(literal(a.expr())))
                .orElse(false);
    }

    private static String address(Hcl.Block b, String attribute, List<Diag> diags) {
        Optional<Hcl.Attribute> a = b.body().attribute(attribute);
        if (a.isEmpty()) {
            diags.add(Diag.error(
                    "Missing required argument",
                    "The argument " + Json.quote(attribute) + " is required, but no definition was found.",
                    b.defRange()));
            return "";
        }
        if (a.get().expr() instanceof Hcl.Traversal t
                && t.steps().size() == 1
                && t.steps().get(0) instanceof String n) {
            return t.root() + "." + n;
        }
        diags.add(Diag.error(
                "Invalid address",
                "A resource address is required here, like aws_instance.example.",
                a.get().expr().range()));
        return "";
    }

    /** The local provider name a resource type implies: the part before the first underscore. */
    static String impliedProvider(String type) {
        int u = type.indexOf('_');
        return u < 0 ? type : type.substring(0, u);
    }

    /** {@code oracle/oci} → {@code registry.opentofu.org/oracle/oci}. */
    static String fullAddress(String source) {
        String[] parts = source.toLowerCase(java.util.Locale.ROOT).split("/");
        return switch (parts.length) {
            case 1 -> REGISTRY + "/hashicorp/" + parts[0];
            case 2 -> REGISTRY + "/" + parts[0] + "/" + parts[1];
            default -> source.toLowerCase(java.util.Locale.ROOT);
        };
    }

    /** {@code registry.opentofu.org/oracle/oci} → {@code oracle/oci} ({@code addrs.Provider.ForDisplay}). */
    static String forDisplay(String address) {
        return address.startsWith(REGISTRY + "/") ? address.substring(REGISTRY.length() + 1) : address;
    }

    /** The full provider address a local provider name stands for in this module. */
    String providerAddress(String localName) {
        if (localName.equals("terraform")) {
            return BUILTIN_TERRAFORM;
        }
        Requirement r = requiredProviders.get(localName);
        return r != null ? r.address() : REGISTRY + "/hashicorp/" + localName;
    }

    /** The providers the module needs, by full address, with their version constraints (null: none). */
    Map<String, String> providerRequirements() {
        Map<String, String> reqs = new TreeMap<>();
        for (Requirement r : requiredProviders.values()) {
            reqs.put(r.address(), r.constraints());
        }
        for (Resource r : resources) {
            reqs.putIfAbsent(providerAddress(r.providerLocalName()), null);
        }
        for (Hcl.Block p : providers) {
            reqs.putIfAbsent(providerAddress(p.label(0)), null);
        }
        return reqs;
    }

    /** {@code configs.Module.CheckCoreVersionRequirements}: every {@code required_version} must allow this version. */
    void checkRequiredVersion() {
        List<Diag> diags = new ArrayList<>();
        for (Hcl.Attribute a : requiredVersions) {
            Object constraint = literal(a.expr());
            if (constraint != null && !ProviderLocks.allows(String.valueOf(constraint), StandInTofu.VERSION)) {
                diags.add(Diag.error(
                        "Unsupported OpenTofu Core version",
                        "This configuration does not support OpenTofu version " + StandInTofu.VERSION + ". To proceed,"
                                + " either choose another supported OpenTofu version or update this version constraint."
                                + " Version constraints are normally set for good reason, so updating the constraint may"
                                + " lead to other errors or unexpected behavior.",
                        a.expr().range()));
            }
        }
        if (!diags.isEmpty()) {
            throw new ConfigFailure(diags, files);
        }
    }

    Optional<Resource> resource(String address) {
        return resources.stream().filter(r -> r.address().equals(address)).findFirst();
    }

    /** The provider block of a local name, if any. */
    Optional<Hcl.Block> provider(String localName) {
        return providers.stream().filter(p -> p.label(0).equals(localName)).findFirst();
    }

    /** The file's sources, for diagnostics. */
    Map<String, Hcl.File> sources() {
        return files;
    }
}
