package dev.handoff.lab.world.tofu;

import dev.handoff.lab.world.tofu.Diagnostics.Diag;
import dev.handoff.lab.world.tofu.Diagnostics.Failure;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Root module variable values as OpenTofu gathers them ({@code command/meta_vars.go}, {@code backend/
 * unparsed_value.go}), later sources winning: the declaration's {@code default}, {@code TF_VAR_<name>},
 * {@code terraform.tfvars}, {@code terraform.tfvars.json}, {@code *.auto.tfvars} and {@code *.auto.tfvars.json} in
 * name order, then {@code -var} and {@code -var-file} in command-line order. A variable without a default and without
 * a value is "No value for required variable". Values of {@code sensitive = true} variables are marked sensitive.
 */
final class Variables {
    private Variables() {}

    /** A {@code -var 'name=value'} or {@code -var-file=path} argument. */
    record Arg(boolean file, String value) {}

    private record Raw(Object value, String source, Hcl.Range range, boolean fromFile, boolean fromCli) {}

    /** Resolves every declared variable; throws with tofu's diagnostics when one is missing or invalid. */
    static Map<String, Object> resolve(
            TofuConfig config, Map<String, String> env, List<Arg> args, List<Diag> warnings) {
        Map<String, Raw> raw = new LinkedHashMap<>();
        List<Diag> diags = new ArrayList<>();
        for (Map.Entry<String, String> e : new TreeMap<>(env).entrySet()) {
            if (e.getKey().startsWith("TF_VAR_")) {
                String name = e.getKey().substring(7);
                raw.put(name, new Raw(e.getValue(), "env", null, false, false));
            }
        }
        Path dir = config.dir;
        List<Path> files = new ArrayList<>();
        for (String n : List.of("terraform.tfvars", "terraform.tfvars.json")) {
            if (Files.isRegularFile(dir.resolve(n))) {
                files.add(dir.resolve(n));
            }
        }
        try (Stream<Path> list = Files.list(dir)) {
            list.filter(p -> {
                        String n = p.getFileName().toString();
                        return n.endsWith(".auto.tfvars") || n.endsWith(".auto.tfvars.json");
                    })
                    .sorted()
                    .forEach(files::add);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (Path f : files) {
            readFile(f, f.getFileName().toString(), raw, false, diags);
        }
        for (Arg a : args) {
            if (a.file()) {
                Path f = dir.resolve(a.value());
                if (!Files.isRegularFile(f)) {
                    diags.add(Diag.error(
                            "Failed to read variables file", "Given variables file " + a.value() + " does not exist."));
                    continue;
                }
                readFile(f, a.value(), raw, true, diags);
            } else {
                int eq = a.value().indexOf('=');
                if (eq <= 0) {
                    diags.add(Diag.error(
                            "Invalid -var option",
                            "The given -var option " + Json.quote(a.value())
                                    + " is not correctly specified. Must be a variable name and value separated by an"
                                    + " equals sign, like -var=\"key=value\"."));
                    continue;
                }
                raw.put(a.value().substring(0, eq), new Raw(a.value().substring(eq + 1), "cli", null, false, true));
            }
        }
        int undeclaredInFiles = 0;
        for (Map.Entry<String, Raw> e : raw.entrySet()) {
            if (config.variables.containsKey(e.getKey())) {
                continue;
            }
            Raw r = e.getValue();
            if (r.fromCli()) {
                diags.add(Diag.error(
                        "Value for undeclared variable",
                        "A variable named " + Json.quote(e.getKey()) + " was assigned on the command line, but the root"
                                + " module does not declare a variable of that name. To use this value, add a"
                                + " \"variable\" block to the configuration."));
            } else if (r.range() != null) {
                if (undeclaredInFiles < 2) {
                    warnings.add(Diag.warning(
                            "Value for undeclared variable",
                            "The root module does not declare a variable named " + Json.quote(e.getKey())
                                    + " but a value was found in file " + Json.quote(r.source())
                                    + ". If you meant to use this value, add a \"variable\" block to the configuration.\n\n"
                                    + "To silence these warnings, use TF_VAR_... environment variables to provide"
                                    + " certain \"global\" settings to all configurations in your organization. To reduce"
                                    + " the verbosity of these warnings, use the -compact-warnings option."));
                }
                undeclaredInFiles++;
            }
        }
        if (undeclaredInFiles > 2) {
            warnings.add(Diag.warning(
                    "Values for undeclared variables",
                    "In addition to the other similar warnings shown, " + (undeclaredInFiles - 2)
                            + " other variable(s) defined without being declared."));
        }
        Map<String, Object> values = new TreeMap<>();
        for (TofuConfig.Variable v : config.variables.values()) {
            Raw r = raw.get(v.name());
            Object value;
            if (r == null) {
                if (v.required()) {
                    diags.add(Diag.error(
                            "No value for required variable",
                            "The root module input variable " + Json.quote(v.name()) + " is not set, and has no default"
                                    + " value. Use a -var or -var-file command line argument to provide a value for this"
                                    + " variable.",
                            v.block().defRange()));
                    continue;
                }
                value = TofuConfig.literal(v.defaultExpr());
            } else if (r.value() instanceof String s && r.range() == null && !primitive(v.type())) {
                try {
                    value = TofuConfig.literal(Hcl.parseExpression("<value for var." + v.name() + ">", s));
                } catch (Hcl.SyntaxError | Failure ex) {
                    diags.add(invalid(v, r, "a value of the declared type is required"));
                    continue;
                }
            } else {
                value = r.value();
            }
            try {
                value = convert(value, v.type());
            } catch (IllegalArgumentException ex) {
                diags.add(invalid(v, r, ex.getMessage()));
                continue;
            }
            values.put(v.name(), v.sensitive() && value != null ? Values.sensitive(value) : value);
        }
        if (diags.stream().anyMatch(Diag::error)) {
            List<Diag> all = new ArrayList<>(warnings);
            all.addAll(diags);
            throw new Failure(all);
        }
        warnings.addAll(diags);
        return values;
    }

    private static Diag invalid(TofuConfig.Variable v, Raw r, String why) {
        if (r != null && r.source().equals("env")) {
            return Diag.error(
                    "Invalid value for input variable",
                    "The environment variable TF_VAR_" + v.name() + " does not contain a valid value for variable "
                            + Json.quote(v.name()) + ": " + why + ".");
        }
        if (r != null && r.source().equals("cli")) {
            return Diag.error(
                    "Invalid value for input variable",
                    "The argument -var=\"" + v.name() + "=...\" does not contain a valid value for variable "
                            + Json.quote(v.name()) + ": " + why + ".");
        }
        return Diag.error(
                "Invalid value for input variable",
                "The given value is not suitable for var." + v.name() + " declared at "
                        + v.block().defRange().startString() + ": " + why + ".",
                r == null ? v.block().defRange() : r.range());
    }

    private static boolean primitive(String type) {
        return type == null || type.equals("string") || type.equals("number") || type.equals("bool");
    }

    private static Object convert(Object v, String type) {
        if (v == null || type == null) {
            return v;
        }
        switch (type) {
            case "string" -> {
                if (v instanceof String || v instanceof BigDecimal || v instanceof Boolean) {
                    return Values.asString(v);
                }
                throw new IllegalArgumentException("string required");
            }
            case "number" -> {
                if (v instanceof BigDecimal) {
                    return v;
                }
                if (v instanceof String s) {
                    try {
                        return new BigDecimal(s.strip());
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException("a number is required");
                    }
                }
                throw new IllegalArgumentException("a number is required");
            }
            case "bool" -> {
                if (v instanceof Boolean) {
                    return v;
                }
                if ("true".equals(v) || "false".equals(v)) {
                    return Boolean.valueOf((String) v);
                }
                throw new IllegalArgumentException("a bool is required");
            }
            default -> {
                return v;
            }
        }
    }

    private static void readFile(Path f, String display, Map<String, Raw> raw, boolean cli, List<Diag> diags) {
        String text;
        try {
            text = Files.readString(f, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (display.endsWith(".json")) {
            Object doc;
            try {
                doc = Json.parse(text);
            } catch (Json.JsonException e) {
                diags.add(Diag.error("Invalid JSON", e.getMessage()));
                return;
            }
            if (doc instanceof Map<?, ?> m) {
                Hcl.Range r = new Hcl.Range(display, 1, 1, 0, 1, 1, 0);
                m.forEach((k, v) -> raw.put((String) k, new Raw(Values.fromJson(v), display, r, true, false)));
            }
            return;
        }
        Hcl.File file;
        try {
            file = Hcl.parse(display, text);
        } catch (Hcl.SyntaxError e) {
            diags.add(Diag.error(e.summary, e.getMessage(), e.range));
            return;
        }
        for (Hcl.Block b : file.body().blocks()) {
            diags.add(
                    Diag.error("Unexpected \"" + b.type() + "\" block", "Blocks are not allowed here.", b.typeRange()));
        }
        for (Hcl.Attribute a : file.body().attributes()) {
            try {
                raw.put(
                        a.name(),
                        new Raw(TofuConfig.literal(a.expr()), display, a.expr().range(), true, false));
            } catch (Failure e) {
                diags.addAll(e.diags);
            }
        }
    }
}
