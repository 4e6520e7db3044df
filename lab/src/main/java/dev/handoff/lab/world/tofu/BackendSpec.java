package dev.handoff.lab.world.tofu;

import dev.handoff.lab.world.tofu.Diagnostics.Diag;
import dev.handoff.lab.world.tofu.Diagnostics.Failure;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.zip.CRC32;

/** The backend a working folder uses: declared in its configuration, saved by {@code tofu init}, checked to agree. */
record BackendSpec(String type, Map<String, Object> config, Hcl.Block block) {
    private static final Map<String, Set<String>> BACKEND_ARGUMENTS = Map.of(
            "local", Set.of("path", "workspace_dir"),
            "pg",
                    Set.of(
                            "conn_str",
                            "schema_name",
                            "skip_schema_creation",
                            "skip_table_creation",
                            "skip_index_creation"));

    private static final Set<String> OTHER_BACKENDS =
            Set.of("remote", "azurerm", "consul", "cos", "gcs", "http", "inmem", "kubernetes", "oss", "s3", "cloud");

    /** The backend the configuration declares, checked as {@code Meta.backendConfig} checks it. */
    static BackendSpec declared(TofuConfig config) {
        if (config.backend == null) {
            return new BackendSpec("local", new TreeMap<>(), null);
        }
        Hcl.Block block = config.backend.block();
        String type = config.backend.type();
        if (!BACKEND_ARGUMENTS.containsKey(type)) {
            if (OTHER_BACKENDS.contains(type)) {
                throw TofuRun.unsupported("the \"" + type + "\" backend (only \"local\" and \"pg\")");
            }
            throw new Failure(Diag.error(
                    "Invalid backend type",
                    "There is no backend type named " + Json.quote(type) + ".",
                    block.labelRanges().isEmpty()
                            ? block.typeRange()
                            : block.labelRanges().get(0)));
        }
        Map<String, Object> cfg = new TreeMap<>();
        List<Diag> diags = new ArrayList<>();
        for (Hcl.Attribute a : block.body().attributes()) {
            if (!BACKEND_ARGUMENTS.get(type).contains(a.name())) {
                diags.add(Diag.error(
                        "Unsupported argument",
                        "An argument named " + Json.quote(a.name()) + " is not expected here.",
                        a.nameRange()));
                continue;
            }
            try {
                cfg.put(a.name(), TofuConfig.literal(a.expr()));
            } catch (Failure f) {
                diags.addAll(f.diags);
            }
        }
        if (!diags.isEmpty()) {
            throw new Failure(diags);
        }
        return new BackendSpec(type, cfg, block);
    }

    static Path savedFile(TofuRun run) {
        return run.dataDir().resolve(StandInTofu.STATE);
    }

    /** The backend {@code tofu init} saved in {@code .terraform/terraform.tfstate}, or null. */
    static BackendSpec saved(TofuRun run) {
        Path file = savedFile(run);
        if (!Files.exists(file)) {
            return null;
        }
        try {
            Map<?, ?> doc = (Map<?, ?>) Json.parse(Files.readString(file, StandardCharsets.UTF_8));
            if (!(doc.get("backend") instanceof Map<?, ?> b)) {
                return null;
            }
            Map<String, Object> cfg = new TreeMap<>();
            if (b.get("config") instanceof Map<?, ?> c) {
                c.forEach((k, v) -> {
                    if (v != null) {
                        cfg.put((String) k, v);
                    }
                });
            }
            return new BackendSpec(String.valueOf(b.get("type")), cfg, null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Records this backend in {@code .terraform/terraform.tfstate}, as {@code tofu init} does. */
    void save(TofuRun run) {
        Map<String, Object> backend = Json.struct();
        backend.put("type", type);
        Map<String, Object> cfg = Json.sorted();
        BACKEND_ARGUMENTS.get(type).forEach(a -> cfg.put(a, config.get(a)));
        backend.put("config", cfg);
        backend.put("hash", hash(this));
        Map<String, Object> doc = Json.struct();
        doc.put("version", 3);
        doc.put("terraform_version", StandInTofu.VERSION);
        doc.put("serial", 1);
        doc.put("lineage", UUID.randomUUID().toString());
        doc.put("backend", backend);
        Map<String, Object> module = Json.struct();
        module.put("path", List.of("root"));
        module.put("outputs", Map.of());
        module.put("resources", Map.of());
        module.put("depends_on", List.of());
        doc.put("modules", List.of(module));
        try {
            Files.createDirectories(run.dataDir());
            Files.writeString(savedFile(run), Json.indent(doc, "    ") + "\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static long hash(BackendSpec spec) {
        CRC32 crc = new CRC32();
        crc.update((spec.type() + Json.compact(Values.json(spec.config()))).getBytes(StandardCharsets.UTF_8));
        return crc.getValue();
    }

    /** {@code Meta.backendFromConfig} for a command other than init: the backend must be initialized, unchanged. */
    static BackendSpec initialized(TofuRun run, TofuConfig config) {
        BackendSpec configured = declared(config);
        BackendSpec saved = saved(run);
        if (configured.block() == null) {
            if (saved != null && !saved.type().equals("local")) {
                throw new Failure(Diag.error(
                        "Backend initialization required, please run \"tofu init\"",
                        backendInitReason("Unsetting the previously set backend " + Json.quote(saved.type()))));
            }
            return configured;
        }
        if (saved == null) {
            throw new Failure(Diag.error(
                    "Backend initialization required, please run \"tofu init\"",
                    backendInitReason(
                            "Initial configuration of the requested backend " + Json.quote(configured.type()))));
        }
        if (!saved.type().equals(configured.type())) {
            throw new Failure(Diag.error(
                    "Backend initialization required: please run \"tofu init\"",
                    backendInitReason("Backend type changed from " + Json.quote(saved.type()) + " to "
                            + Json.quote(configured.type()))));
        }
        if (!Values.same(Values.fromJson(saved.config()), Values.fromJson(Values.json(configured.config())))) {
            throw new Failure(Diag.error(
                    "Backend initialization required: please run \"tofu init\"",
                    backendInitReason("Backend configuration block has changed")));
        }
        return configured;
    }

    private static String backendInitReason(String reason) {
        return "Reason: " + reason + "\n\nThe \"backend\" is the interface that OpenTofu uses to store state,\nperform"
                + " operations, etc. If this message is showing up, it means that the\nOpenTofu configuration you're"
                + " using is using a custom configuration for\nthe OpenTofu backend.\n\nChanges to backend"
                + " configurations require reinitialization. This allows\nOpenTofu to set up the new configuration,"
                + " copy existing state, etc. Please run\n\"tofu init\" with either the \"-reconfigure\" or"
                + " \"-migrate-state\" flags to\nuse the current configuration.\n\nIf the change reason above is"
                + " incorrect, please verify your configuration\nhasn't changed and try again. At this point, no changes"
                + " to your existing\nconfiguration or state have been made.";
    }
}
