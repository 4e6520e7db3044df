package dev.handoff.lab.world.tofu;

import dev.handoff.lab.world.tofu.Diagnostics.Diag;
import dev.handoff.lab.world.tofu.Diagnostics.Failure;
import dev.handoff.lab.world.tofu.Flags.Kind;
import dev.handoff.lab.world.tofu.StateStorage.BackendError;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** {@code tofu init}: the backend set up or checked, the state read, then the providers installed. */
final class InitCommand {
    private final TofuRun run;

    InitCommand(TofuRun run) {
        this.run = run;
    }

    int execute(List<String> args) throws InterruptedException {
        Flags f = new Flags()
                .define(
                        Kind.BOOL,
                        "input",
                        "compact-warnings",
                        "backend",
                        "cloud",
                        "get",
                        "force-copy",
                        "lock",
                        "reconfigure",
                        "migrate-state",
                        "upgrade",
                        "ignore-remote-version",
                        "json")
                .define(Kind.MULTI, "target", "backend-config", "plugin-dir")
                .define(Kind.STRING, "from-module", "lockfile", "test-directory")
                .define(Kind.DURATION, "lock-timeout")
                .vars();
        try {
            f.parse(args);
        } catch (Flags.FlagError e) {
            run.err.println(HelpTexts.INIT);
            return 1;
        }
        if (f.isSet("backend") && f.isSet("cloud")) {
            run.err.println(
                    "The -backend and -cloud options are aliases of one another and mutually-exclusive in their use");
            return 1;
        }
        boolean backendEnabled = f.bool("backend", f.bool("cloud", true));
        if (f.bool("migrate-state", false) && f.bool("reconfigure", false)) {
            run.err.println("The -migrate-state and -reconfigure options are mutually-exclusive");
            return 1;
        }
        if (!f.string("from-module", "").isEmpty()
                || !f.multi("backend-config").isEmpty()
                || !f.multi("plugin-dir").isEmpty()
                || f.bool("json", false)) {
            throw TofuRun.unsupported("init's -from-module, -backend-config, -plugin-dir and -json options");
        }
        if (!f.args.isEmpty()) {
            run.err.println("Too many command line arguments. Did you mean to use -chdir?");
            return 1;
        }
        boolean readonly = f.string("lockfile", "").equals("readonly");
        if (!TofuConfig.hasConfiguration(run.dir)) {
            run.out.println(
                    "OpenTofu initialized in an empty directory!\n\nThe directory has no OpenTofu configuration"
                            + " files. You may begin working\nwith OpenTofu immediately by creating OpenTofu configuration files.");
            return 0;
        }
        TofuConfig config;
        try {
            config = TofuConfig.load(run.dir);
        } catch (TofuConfig.ConfigFailure e) {
            run.err.println("OpenTofu encountered problems during initialization, including problems\nwith the"
                    + " configuration, described below.\n\nThe OpenTofu configuration must be valid before initialization"
                    + " so that\nOpenTofu can determine which modules and providers need to be installed.");
            run.diagnostics(e.diags, e.sources);
            return 1;
        }
        run.sources = config.sources();
        config.checkRequiredVersion();
        boolean header = false;
        BackendSpec spec;
        if (backendEnabled) {
            run.out.println("\nInitializing the backend...");
            spec = BackendSpec.declared(config);
            BackendSpec saved = BackendSpec.saved(run);
            boolean changed = saved == null
                    || !saved.type().equals(spec.type())
                    || !Values.same(Values.fromJson(saved.config()), Values.fromJson(Values.json(spec.config())));
            if (spec.block() == null && (saved == null || saved.type().equals("local"))) {
                changed = false;
            }
            if (changed && saved != null && !f.bool("reconfigure", false)) {
                if (f.bool("migrate-state", false)) {
                    throw TofuRun.unsupported("state migration between backends (-migrate-state)");
                }
                throw new Failure(Diag.error(
                        "Backend configuration changed",
                        "A change in the backend configuration has been detected, which may require migrating existing"
                                + " state.\n\nIf you wish to attempt automatic migration of the state, use \"tofu init"
                                + " -migrate-state\".\nIf you wish to store the current configuration with no changes to"
                                + " the state, use \"tofu init -reconfigure\"."));
            }
            if (changed || f.bool("reconfigure", false)) {
                if (spec.block() == null) {
                    try {
                        Files.deleteIfExists(BackendSpec.savedFile(run));
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                    if (saved != null) {
                        run.out.println("\nSuccessfully unset the backend " + Json.quote(saved.type())
                                + ". OpenTofu will now operate locally.");
                    }
                } else {
                    try (StateStorage ignored = StateAccess.open(run, spec.type(), spec.config())) {
                        spec.save(run);
                    }
                    run.out.println(
                            "\nSuccessfully configured the backend " + Json.quote(spec.type())
                                    + "! OpenTofu will automatically\nuse this backend unless the backend configuration changes.");
                }
            }
            header = true;
        } else {
            BackendSpec saved = BackendSpec.saved(run);
            spec = saved != null ? saved : new BackendSpec("local", new TreeMap<>(), null);
        }
        TofuState state;
        try (StateStorage storage = StateAccess.open(run, spec.type(), spec.config())) {
            try {
                state = TofuState.read(storage.read());
            } catch (BackendError e) {
                run.err.println("Error refreshing state: " + e.getMessage());
                return 1;
            } catch (TofuState.Unreadable e) {
                run.err.println("Error refreshing state: " + e.getMessage());
                return 1;
            }
        }
        Map<String, String> reqs = new TreeMap<>(config.providerRequirements());
        if (state != null) {
            state.resources.forEach(r -> reqs.putIfAbsent(Planner.providerAddress(r.provider()), null));
        }
        ProviderLocks previous = run.readLocks();
        boolean upgrade = f.bool("upgrade", false);
        if (upgrade && readonly) {
            run.err.println("The -upgrade flag conflicts with -lockfile=readonly.");
            return 1;
        }
        if (!reqs.isEmpty()) {
            run.out.println("\nInitializing provider plugins...");
            header = true;
        }
        List<Diag> diags = new ProviderInstall(run, reqs, previous, upgrade, readonly).install();
        if (header) {
            run.out.println();
        }
        run.diagnostics(diags, run.sources);
        run.out.println("OpenTofu has been successfully initialized!");
        if (!run.automation()) {
            run.out.println(
                    "\nYou may now begin working with OpenTofu. Try running \"tofu plan\" to see\nany changes that are"
                            + " required for your infrastructure. All OpenTofu commands\nshould now work.\n\nIf you ever set or"
                            + " change modules or backend configuration for OpenTofu,\nrerun this command to reinitialize your"
                            + " working directory. If you forget, other\ncommands will detect it and remind you to do so if"
                            + " necessary.");
        }
        return 0;
    }
}
