package dev.handoff.lab.world.tofu;

import dev.handoff.lab.world.oci.LabCloud;
import dev.handoff.lab.world.tofu.Diagnostics.Diag;
import dev.handoff.lab.world.tofu.Diagnostics.Failure;
import dev.handoff.lab.world.tofu.TofuFaults.Fault;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** A planning operation ({@code plan}, or {@code apply} without a saved plan): config, backend, lock, state, vars. */
final class Operation implements AutoCloseable {
    private final TofuRun run;
    TofuConfig config;
    StateStorage storage;
    boolean locked;
    TofuState read;
    String readRaw;
    BackendSpec backend;
    Map<String, Object> variables;
    final List<Diag> warnings = new ArrayList<>();

    private Operation(TofuRun run) {
        this.run = run;
    }

    /** Loads the configuration, checks backend and providers, locks and reads the state, resolves the variables. */
    static Operation prepare(TofuRun run, Flags f, String operation) throws InterruptedException {
        if (!TofuConfig.hasConfiguration(run.dir)) {
            throw new Failure(Diag.error(
                    "No configuration files",
                    "Plan requires configuration to be present. Planning without a configuration would mark everything"
                            + " for destruction, which is normally not what is desired. If you would like to destroy"
                            + " everything, run plan with the -destroy option. Otherwise, create a OpenTofu configuration"
                            + " file (.tf file) and try again."));
        }
        Operation op = new Operation(run);
        op.config = TofuConfig.load(run.dir);
        run.sources = op.config.sources();
        op.config.checkRequiredVersion();
        op.backend = BackendSpec.initialized(run, op.config);
        ProviderLocks locks = run.readLocks();
        checkPlugins(run, locks);
        op.storage = StateAccess.open(run, op.backend.type(), op.backend.config());
        try {
            if (f.bool("lock", true)) {
                StateAccess.lock(run, op.storage, operation, f.duration("lock-timeout"));
                op.locked = true;
            }
            op.readRaw = StateAccess.raw(op.storage);
            op.read = StateAccess.read(op.storage);
            checkProviders(op.config, locks);
            op.variables = Variables.resolve(op.config, run.env, f.vars, op.warnings);
            return op;
        } catch (RuntimeException | InterruptedException e) {
            op.close();
            throw e;
        }
    }

    Plan plan() {
        if (new TofuFaults(run.world).active(Fault.FAIL_PLAN, run.stack())) {
            throw new Failure(providerError(config));
        }
        Planner planner = new Planner(
                config,
                variables,
                LabCloud.open(run.world).values(),
                new TofuFaults(run.world).active(Fault.DESTRUCTIVE_PLAN, run.stack()));
        Plan plan = planner.plan(read);
        plan.backendType = backend.type();
        plan.backendConfig = new TreeMap<>(backend.config());
        if (read != null) {
            plan.prior.lineage = read.lineage;
            plan.prior.serial = read.serial;
        }
        config.files.forEach((k, v) -> plan.configFiles.put(k, v.source()));
        Path lockFile = run.dir.resolve(ProviderLocks.FILE);
        try {
            plan.lockFile = Files.exists(lockFile) ? Files.readString(lockFile, StandardCharsets.UTF_8) : null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return plan;
    }

    @Override
    public void close() {
        if (storage != null) {
            if (locked) {
                StateAccess.unlock(run, storage);
            }
            storage.close();
        }
    }

    /** Plan and apply options the stand-in does not model: refused rather than silently ignored. */
    static void rejectUnmodelled(Flags f) {
        for (String flag : List.of("destroy", "refresh-only", "json")) {
            if (f.bool(flag, false)) {
                throw TofuRun.unsupported("-" + flag);
            }
        }
        for (String flag : List.of("target", "replace")) {
            if (!f.multi(flag).isEmpty()) {
                throw TofuRun.unsupported("-" + flag);
            }
        }
        for (String flag : List.of("state", "state-out", "backup", "generate-config-out")) {
            if (!f.string(flag, "").isEmpty()) {
                throw TofuRun.unsupported("-" + flag);
            }
        }
    }

    /** {@code Meta.Backend}'s check that the locked providers are installed ({@code providerFactories}). */
    static void checkPlugins(TofuRun run, ProviderLocks locks) {
        {
            StringBuilder missing = new StringBuilder();
            for (ProviderLocks.Lock l : locks.locks.values()) {
                Path pkg = run.dataDir()
                        .resolve("providers")
                        .resolve(l.address())
                        .resolve(l.version())
                        .resolve(StandInTofu.PLATFORM);
                if (!Files.isDirectory(pkg)) {
                    missing.append("\n  - ")
                            .append(l.address())
                            .append(": there is no package for ")
                            .append(l.address())
                            .append(' ')
                            .append(l.version())
                            .append(" cached in ")
                            .append(run.dir.relativize(run.dataDir().resolve("providers")));
                }
            }
            if (missing.length() > 0) {
                throw new Failure(
                        Diag.error(
                                "Required plugins are not installed",
                                "The installed provider plugins are not consistent with the packages selected in the dependency"
                                        + " lock file:" + missing
                                        + "\n\nOpenTofu uses external plugins to integrate with a"
                                        + " variety of different infrastructure services. "
                                        + (run.automation()
                                                ? "You must install the required plugins before running OpenTofu operations."
                                                : "To download the plugins required for this configuration, run:\n  tofu init")));
            }
        }
    }

    /** {@code Config.VerifyDependencySelections}: the lock file must select every required provider. */
    static void checkProviders(TofuConfig config, ProviderLocks locks) {
        List<String> errs = new ArrayList<>();
        for (Map.Entry<String, String> req : config.providerRequirements().entrySet()) {
            if (!ProviderLocks.lockable(req.getKey())) {
                continue;
            }
            ProviderLocks.Lock l = locks.locks.get(req.getKey());
            String constraints = ProviderLocks.normalize(req.getValue());
            if (l == null) {
                errs.add("provider " + req.getKey() + ": required by this configuration but no version is selected");
            } else if (!ProviderLocks.allows(constraints, l.version())) {
                String lockedConstraints = l.constraints() == null ? "" : l.constraints();
                String current = constraints == null ? "" : constraints;
                errs.add(
                        !current.equals(lockedConstraints)
                                ? "provider " + req.getKey() + ": locked version selection " + l.version()
                                        + " doesn't match the updated version constraints " + Json.quote(current)
                                : "provider " + req.getKey() + ": version constraints " + Json.quote(current)
                                        + " don't match the locked version selection " + l.version());
            }
        }
        if (!errs.isEmpty()) {
            errs.sort(String::compareTo);
            StringBuilder b = new StringBuilder();
            errs.forEach(e -> b.append("\n  - ").append(e));
            throw new Failure(Diag.error(
                    "Inconsistent dependency lock file",
                    "The following dependency selections recorded in the lock file are inconsistent with the current"
                            + " configuration:" + b + "\n\n"
                            + (locks.empty()
                                    ? "To make the initial dependency selections that will initialize the dependency lock"
                                            + " file, run:\n  tofu init"
                                    : "To update the locked dependency selections to match a changed configuration,"
                                            + " run:\n  tofu init -upgrade")));
        }
    }

    private static Diag providerError(TofuConfig config) {
        Hcl.Range range = config.provider("oci").map(Hcl.Block::defRange).orElse(null);
        return new Diag(
                true,
                "401-NotAuthenticated, The required information to complete authentication was not provided or was"
                        + " incorrect.",
                "Suggestion: Please retry or contact support for help with service: Identity",
                range,
                "provider[\"registry.opentofu.org/oracle/oci\"]");
    }
}
