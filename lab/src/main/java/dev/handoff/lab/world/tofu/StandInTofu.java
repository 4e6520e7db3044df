package dev.handoff.lab.world.tofu;

import dev.handoff.lab.world.oci.LabCloud;
import dev.handoff.lab.world.tofu.Diagnostics.Diag;
import dev.handoff.lab.world.tofu.Diagnostics.Failure;
import dev.handoff.lab.world.tofu.Flags.Kind;
import dev.handoff.lab.world.tofu.StateStorage.BackendError;
import dev.handoff.lab.world.tofu.StateStorage.LockError;
import dev.handoff.lab.world.tofu.StateStorage.LockInfo;
import dev.handoff.lab.world.tofu.TofuFaults.Fault;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.zip.CRC32;

/**
 * The lab's stand-in for the {@code tofu} executable (OpenTofu is not installable here). It runs in the stack folder
 * like the real one and answers as OpenTofu 1.8.5 does where Handoff depends on it:
 *
 * <ul>
 *   <li>{@code init} (backend setup, provider "installation", {@code .terraform.lock.hcl} written or, with
 *       {@code -lockfile=readonly}, checked), {@code plan} ({@code -out}, {@code -detailed-exitcode},
 *       {@code -lock-timeout}), {@code show -json}, {@code apply} of a saved plan (refused when stale),
 *       {@code output -json}, {@code state pull}, {@code state push [-force]}, {@code version};
 *   <li>flags parsed as Go's {@code flag} package parses them, unknown ones refused with tofu's usage error;
 *   <li>variables from defaults, {@code TF_VAR_*}, {@code *.tfvars} and {@code -var}, "No value for required variable";
 *   <li>a per-resource plan (variables substituted into each resource's body), output changes, {@code moved},
 *       {@code import} and {@code removed} blocks;
 *   <li>the {@code local} and {@code pg} backends with tofu's locking ({@code fcntl}, PostgreSQL advisory locks);
 *   <li>diagnostics in tofu's words, plain with {@code -no-color}, boxed otherwise.
 * </ul>
 *
 * <p>Provider-computed values come from the simulated cloud ({@link LabCloud}); {@link TofuFaults} make it fail on
 * demand. The world folder is {@code HANDOFF_LAB_WORLD}. Uses only the JDK and, for the {@code pg} backend, the
 * PostgreSQL JDBC driver.
 */
public final class StandInTofu {
    static final String VERSION = "1.8.5";
    static final String PLATFORM = "linux_amd64";
    static final String STATE = "terraform.tfstate";

    private static final String LOCK_ERROR_MESSAGE = "Error message: %s\n\nOpenTofu acquires a state lock to protect"
            + " the state from being written\nby multiple users at the same time. Please resolve the issue above and"
            + " try\nagain. For most commands, you can disable locking with the \"-lock=false\"\nflag, but this is not"
            + " recommended.";

    private final Path startDir;
    private final Path world;
    private final Map<String, String> env;
    private final InputStream in;
    private final PrintStream out;
    private final PrintStream err;
    private Path dir;
    private boolean color = true;
    private Map<String, Hcl.File> sources = Map.of();

    StandInTofu(Path dir, Path world, PrintStream out, PrintStream err) {
        this(dir, world, System.getenv(), System.in, out, err);
    }

    StandInTofu(Path dir, Path world, Map<String, String> env, InputStream in, PrintStream out, PrintStream err) {
        this.startDir = dir;
        this.dir = dir;
        this.world = world;
        this.env = env;
        this.in = in;
        this.out = out;
        this.err = err;
    }

    public static void main(String[] args) throws Exception {
        String worldDir = System.getenv("HANDOFF_LAB_WORLD");
        if (worldDir == null || worldDir.isBlank()) {
            System.err.println("stand-in tofu: HANDOFF_LAB_WORLD is not set; run it through the lab's tofu script");
            System.exit(1);
        }
        PrintStream stdout =
                new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true, StandardCharsets.UTF_8);
        PrintStream stderr =
                new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.err), true, StandardCharsets.UTF_8);
        int code = new StandInTofu(Path.of("").toAbsolutePath(), Path.of(worldDir), stdout, stderr).run(args);
        stdout.flush();
        stderr.flush();
        System.exit(code);
    }

    /** Runs one command line; returns the exit code. */
    int run(String[] args) throws IOException, InterruptedException {
        List<String> argv = new ArrayList<>(List.of(args));
        while (!argv.isEmpty() && argv.get(0).startsWith("-")) {
            String a = argv.get(0);
            if (a.startsWith("-chdir")) {
                if (!a.startsWith("-chdir=")) {
                    err.println("Invalid -chdir option: must include an equals sign followed by a directory path, like"
                            + " -chdir=example");
                    return 1;
                }
                Path target = startDir.resolve(a.substring(7)).normalize();
                if (!Files.isDirectory(target)) {
                    err.println(
                            "Error handling -chdir option: chdir " + a.substring(7) + ": no such file or directory");
                    return 1;
                }
                dir = target;
                argv.remove(0);
            } else if (List.of("-v", "-version", "--version").contains(a)) {
                argv.set(0, "version");
            } else if (List.of("-h", "-help", "--help").contains(a)) {
                err.println(HelpTexts.MAIN);
                return 0;
            } else {
                break;
            }
        }
        if (argv.isEmpty()) {
            err.println(HelpTexts.MAIN);
            return 127;
        }
        String command = argv.get(0);
        if (command.equals("state") && argv.size() > 1 && !argv.get(1).startsWith("-")) {
            command = "state " + argv.get(1);
        }
        try {
            argv = mergeEnvArgs("TF_CLI_ARGS", command, argv);
            argv = mergeEnvArgs("TF_CLI_ARGS_" + command.replace(' ', '_'), command, argv);
        } catch (IllegalArgumentException e) {
            err.println(e.getMessage());
            return 1;
        }
        int skip = command.contains(" ") ? 2 : 1;
        List<String> rest = new ArrayList<>(argv.subList(skip, argv.size()));
        color = !rest.remove("-no-color");
        while (rest.remove("-no-color")) {
            // every occurrence
        }
        try {
            return switch (command) {
                case "version" -> version(rest);
                case "init" -> init(rest);
                case "plan" -> plan(rest);
                case "apply" -> apply(rest);
                case "show" -> show(rest);
                case "output" -> output(rest);
                case "state pull" -> statePull(rest);
                case "state push" -> statePush(rest);
                case "state" -> {
                    err.println(HelpTexts.STATE);
                    yield 1;
                }
                default -> {
                    err.print("OpenTofu has no command named " + Json.quote(command.split(" ")[0])
                            + ".\n\nTo see all of OpenTofu's top-level commands, run:\n  tofu -help\n\n");
                    yield 1;
                }
            };
        } catch (TofuConfig.ConfigFailure f) {
            diagnostics(f.diags, f.sources);
            return 1;
        } catch (Failure f) {
            diagnostics(f.diags, sources);
            return 1;
        }
    }

    private void diagnostics(List<Diag> diags, Map<String, Hcl.File> files) {
        Diagnostics.print(diags, files, color, out, err);
    }

    /** {@code mergeEnvArgs} of {@code cmd/tofu/main.go}: extra arguments inserted after the subcommand. */
    private List<String> mergeEnvArgs(String name, String command, List<String> args) {
        String v = env.get(name);
        if (v == null || v.isEmpty()) {
            return args;
        }
        List<String> extra;
        try {
            extra = shellWords(v);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Error parsing extra CLI args from " + name + ": " + e.getMessage());
        }
        String search = command.contains(" ") ? command.substring(command.lastIndexOf(' ') + 1) : command;
        int idx = args.indexOf(search) + 1;
        List<String> merged = new ArrayList<>(args.subList(0, idx));
        merged.addAll(extra);
        merged.addAll(args.subList(idx, args.size()));
        return merged;
    }

    private static List<String> shellWords(String s) {
        List<String> words = new ArrayList<>();
        StringBuilder w = new StringBuilder();
        boolean inWord = false;
        char quote = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else if (c == '\\' && quote == '"' && i + 1 < s.length()) {
                    w.append(s.charAt(++i));
                } else {
                    w.append(c);
                }
            } else if (c == '\'' || c == '"') {
                quote = c;
                inWord = true;
            } else if (c == '\\' && i + 1 < s.length()) {
                w.append(s.charAt(++i));
                inWord = true;
            } else if (Character.isWhitespace(c)) {
                if (inWord) {
                    words.add(w.toString());
                    w.setLength(0);
                    inWord = false;
                }
            } else {
                w.append(c);
                inWord = true;
            }
        }
        if (quote != 0) {
            throw new IllegalArgumentException("invalid command line string");
        }
        if (inWord) {
            words.add(w.toString());
        }
        return words;
    }

    private boolean automation() {
        String v = env.get("TF_IN_AUTOMATION");
        return v != null && !v.isEmpty();
    }

    private Path dataDir() {
        String v = env.get("TF_DATA_DIR");
        return dir.resolve(v == null || v.isEmpty() ? ".terraform" : v);
    }

    private String stack() {
        return dir.getFileName().toString();
    }

    /** The {@code arguments}-package commands' flag error: diagnostic plus the help prompt. */
    private int flagError(String command, String message) {
        diagnostics(List.of(Diag.error("Failed to parse command-line flags", message)), Map.of());
        err.print("\nFor more help on using this command, run:\n  tofu " + command + " -help\n");
        return 1;
    }

    private static Failure unsupported(String what) {
        return new Failure(Diag.error(
                "Not supported by the lab's stand-in tofu",
                "The Handoff lab's stand-in for OpenTofu does not model " + what + "; real OpenTofu accepts it."));
    }

    // ---------------------------------------------------------------- version

    private int version(List<String> args) {
        Flags f = new Flags().define(Kind.BOOL, "json");
        try {
            f.parse(args);
        } catch (Flags.FlagError e) {
            err.println("Error parsing command-line flags: " + e.getMessage() + "\n");
            return 1;
        }
        ProviderLocks locks = readLocks();
        if (f.bool("json", false)) {
            Map<String, Object> m = Json.struct();
            m.put("terraform_version", VERSION);
            m.put("platform", PLATFORM);
            Map<String, Object> selections = Json.sorted();
            locks.locks.values().forEach(l -> selections.put(l.address(), l.version()));
            m.put("provider_selections", selections);
            m.put("terraform_outdated", false);
            out.println(Json.indent(m, "  "));
            return 0;
        }
        out.println("OpenTofu v" + VERSION);
        out.println("on " + PLATFORM);
        locks.locks.values().forEach(l -> out.println("+ provider " + l.address() + " v" + l.version()));
        return 0;
    }

    private ProviderLocks readLocks() {
        Path file = dir.resolve(ProviderLocks.FILE);
        if (!Files.exists(file)) {
            return new ProviderLocks();
        }
        try {
            return ProviderLocks.parse(ProviderLocks.FILE, Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---------------------------------------------------------------- backends

    private record BackendSpec(String type, Map<String, Object> config, Hcl.Block block) {}

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
    private BackendSpec backendOf(TofuConfig config) {
        if (config.backend == null) {
            return new BackendSpec("local", new TreeMap<>(), null);
        }
        Hcl.Block block = config.backend.block();
        String type = config.backend.type();
        if (!BACKEND_ARGUMENTS.containsKey(type)) {
            if (OTHER_BACKENDS.contains(type)) {
                throw unsupported("the \"" + type + "\" backend (only \"local\" and \"pg\")");
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

    private Path savedBackendFile() {
        return dataDir().resolve(STATE);
    }

    /** The backend {@code tofu init} saved in {@code .terraform/terraform.tfstate}, or null. */
    private BackendSpec savedBackend() {
        Path file = savedBackendFile();
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

    private void saveBackend(BackendSpec spec) {
        Map<String, Object> backend = Json.struct();
        backend.put("type", spec.type());
        Map<String, Object> cfg = Json.sorted();
        BACKEND_ARGUMENTS.get(spec.type()).forEach(a -> cfg.put(a, spec.config().get(a)));
        backend.put("config", cfg);
        backend.put("hash", hash(spec));
        Map<String, Object> doc = Json.struct();
        doc.put("version", 3);
        doc.put("terraform_version", VERSION);
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
            Files.createDirectories(dataDir());
            Files.writeString(savedBackendFile(), Json.indent(doc, "    ") + "\n", StandardCharsets.UTF_8);
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
    private BackendSpec initializedBackend(TofuConfig config) {
        BackendSpec configured = backendOf(config);
        BackendSpec saved = savedBackend();
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

    /** Opens the backend's storage ({@code pg}: connects and prepares the schema as its {@code configure} does). */
    private StateStorage storage(String type, Map<String, Object> cfg) {
        if (type.equals("local")) {
            String path = cfg.get("path") == null ? STATE : String.valueOf(cfg.get("path"));
            return new StateStorage.Local(dir.resolve(path), path);
        }
        String conn =
                cfg.get("conn_str") != null ? String.valueOf(cfg.get("conn_str")) : env.getOrDefault("PG_CONN_STR", "");
        String schema = cfg.get("schema_name") != null
                ? String.valueOf(cfg.get("schema_name"))
                : env.getOrDefault("PG_SCHEMA_NAME", PgStateStorage.DEFAULT_SCHEMA);
        try {
            return PgStateStorage.open(conn, schema, env, "default");
        } catch (BackendError e) {
            throw new Failure(Diag.error(e.getMessage(), ""));
        }
    }

    /** {@code clistate.Locker.Lock}: retried as {@code statemgr.LockWithContext} retries, up to the timeout. */
    private void lock(StateStorage storage, String operation, Duration timeout) throws InterruptedException {
        LockInfo info = LockInfo.create(operation);
        long start = System.nanoTime();
        long deadline = start + Math.max(0, timeout.toNanos());
        long threshold = start + Duration.ofMillis(400).toNanos();
        boolean announced = false;
        long delay = Duration.ofSeconds(1).toNanos();
        while (true) {
            LockError failure;
            try {
                storage.tryLock(info);
                return;
            } catch (LockError e) {
                failure = e;
            } catch (BackendError e) {
                failure = new LockError(e.getMessage(), info);
            }
            long now = System.nanoTime();
            if (!failure.retriable() || now >= deadline) {
                throw lockFailure(failure);
            }
            long wakeAt = Math.min(now + delay, deadline);
            while (System.nanoTime() < wakeAt) {
                long next = wakeAt;
                if (!announced) {
                    next = Math.min(next, threshold);
                }
                long sleep = next - System.nanoTime();
                if (sleep > 0) {
                    Thread.sleep(sleep / 1_000_000, (int) (sleep % 1_000_000));
                }
                if (!announced && System.nanoTime() >= threshold) {
                    out.println("Acquiring state lock. This may take a few moments...");
                    announced = true;
                }
            }
            if (now + delay >= deadline) {
                throw lockFailure(failure);
            }
            delay = Math.min(delay * 2, Duration.ofSeconds(16).toNanos());
        }
    }

    private static Failure lockFailure(LockError e) {
        return new Failure(Diag.error("Error acquiring the state lock", String.format(LOCK_ERROR_MESSAGE, e.text())));
    }

    private void unlock(StateStorage storage) {
        try {
            storage.unlock();
        } catch (BackendError e) {
            diagnostics(
                    List.of(Diag.error(
                            "Error releasing the state lock",
                            "Error message: " + e.getMessage()
                                    + "\n\nOpenTofu acquires a lock when accessing your state"
                                    + " to prevent others\nrunning OpenTofu to potentially modify the state at the same"
                                    + " time. An\nerror occurred while releasing this lock. This could mean that the"
                                    + " lock\ndid or did not release properly. If the lock didn't release"
                                    + " properly,\nOpenTofu may not be able to run future commands since it'll appear as"
                                    + " if\nthe lock is held.\n\nIn this scenario, please call the \"force-unlock\""
                                    + " command to unlock the\nstate manually. This is a very dangerous operation since"
                                    + " if it is done\nerroneously it could result in two people modifying state at the"
                                    + " same time.\nOnly call this command if you're certain that the unlock above failed"
                                    + " and\nthat no one else is holding a lock.")),
                    Map.of());
        }
    }

    /** The stored snapshot, or null. */
    private static TofuState readState(StateStorage storage) {
        String text;
        try {
            text = storage.read();
        } catch (BackendError e) {
            throw new Failure(Diag.error(e.getMessage(), ""));
        }
        try {
            return TofuState.read(text);
        } catch (TofuState.Unreadable e) {
            throw new Failure(Diag.error("Failed to load state", e.getMessage()));
        }
    }

    private static String rawState(StateStorage storage) {
        try {
            return storage.read();
        } catch (BackendError e) {
            throw new Failure(Diag.error(e.getMessage(), ""));
        }
    }

    /**
     * Persists an apply's new content with the backend's semantics: {@code statemgr.Filesystem} bumps the serial when
     * the content changed (writing a {@code .backup} of the previous snapshot), {@code states/remote} skips an
     * unchanged snapshot and starts a new lineage at serial 1.
     */
    private TofuState persist(StateStorage storage, TofuState read, String readRaw, TofuState content) {
        TofuState next = content.copy();
        boolean same = read != null && read.content().equals(content.content());
        if (storage.remote()) {
            if (read == null || read.lineage.isEmpty()) {
                next.lineage = UUID.randomUUID().toString();
                next.serial = 1;
            } else if (same) {
                return read;
            } else {
                next.lineage = read.lineage;
                next.serial = read.serial + 1;
            }
        } else {
            next.lineage = read != null ? read.lineage : UUID.randomUUID().toString();
            next.serial = (read != null ? read.serial : 0) + (same ? 0 : 1);
            if (read != null && !same && readRaw != null && storage instanceof StateStorage.Local local) {
                local.backup(readRaw);
            }
        }
        write(storage, next);
        return next;
    }

    private static void write(StateStorage storage, TofuState state) {
        try {
            storage.write(state.write());
        } catch (BackendError e) {
            throw new Failure(Diag.error("Failed to persist state", e.getMessage()));
        }
    }

    // ---------------------------------------------------------------- init

    private int init(List<String> args) throws InterruptedException {
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
            err.println(HelpTexts.INIT);
            return 1;
        }
        if (f.isSet("backend") && f.isSet("cloud")) {
            err.println(
                    "The -backend and -cloud options are aliases of one another and mutually-exclusive in their use");
            return 1;
        }
        boolean backendEnabled = f.bool("backend", f.bool("cloud", true));
        if (f.bool("migrate-state", false) && f.bool("reconfigure", false)) {
            err.println("The -migrate-state and -reconfigure options are mutually-exclusive");
            return 1;
        }
        if (!f.string("from-module", "").isEmpty()
                || !f.multi("backend-config").isEmpty()
                || !f.multi("plugin-dir").isEmpty()
                || f.bool("json", false)) {
            throw unsupported("init's -from-module, -backend-config, -plugin-dir and -json options");
        }
        if (!f.args.isEmpty()) {
            err.println("Too many command line arguments. Did you mean to use -chdir?");
            return 1;
        }
        boolean readonly = f.string("lockfile", "").equals("readonly");
        if (!TofuConfig.hasConfiguration(dir)) {
            out.println(
                    "OpenTofu initialized in an empty directory!\n\nThe directory has no OpenTofu configuration"
                            + " files. You may begin working\nwith OpenTofu immediately by creating OpenTofu configuration files.");
            return 0;
        }
        TofuConfig config;
        try {
            config = TofuConfig.load(dir);
        } catch (TofuConfig.ConfigFailure e) {
            err.println("OpenTofu encountered problems during initialization, including problems\nwith the"
                    + " configuration, described below.\n\nThe OpenTofu configuration must be valid before initialization"
                    + " so that\nOpenTofu can determine which modules and providers need to be installed.");
            diagnostics(e.diags, e.sources);
            return 1;
        }
        sources = config.sources();
        config.checkRequiredVersion();
        boolean header = false;
        BackendSpec spec;
        if (backendEnabled) {
            out.println("\nInitializing the backend...");
            spec = backendOf(config);
            BackendSpec saved = savedBackend();
            boolean changed = saved == null
                    || !saved.type().equals(spec.type())
                    || !Values.same(Values.fromJson(saved.config()), Values.fromJson(Values.json(spec.config())));
            if (spec.block() == null && (saved == null || saved.type().equals("local"))) {
                changed = false;
            }
            if (changed && saved != null && !f.bool("reconfigure", false)) {
                if (f.bool("migrate-state", false)) {
                    throw unsupported("state migration between backends (-migrate-state)");
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
                        Files.deleteIfExists(savedBackendFile());
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                    if (saved != null) {
                        out.println("\nSuccessfully unset the backend " + Json.quote(saved.type())
                                + ". OpenTofu will now operate locally.");
                    }
                } else {
                    try (StateStorage ignored = storage(spec.type(), spec.config())) {
                        saveBackend(spec);
                    }
                    out.println(
                            "\nSuccessfully configured the backend " + Json.quote(spec.type())
                                    + "! OpenTofu will automatically\nuse this backend unless the backend configuration changes.");
                }
            }
            header = true;
        } else {
            BackendSpec saved = savedBackend();
            spec = saved != null ? saved : new BackendSpec("local", new TreeMap<>(), null);
        }
        TofuState state;
        try (StateStorage storage = storage(spec.type(), spec.config())) {
            try {
                state = TofuState.read(storage.read());
            } catch (BackendError e) {
                err.println("Error refreshing state: " + e.getMessage());
                return 1;
            } catch (TofuState.Unreadable e) {
                err.println("Error refreshing state: " + e.getMessage());
                return 1;
            }
        }
        Map<String, String> reqs = new TreeMap<>(config.providerRequirements());
        if (state != null) {
            state.resources.forEach(r -> reqs.putIfAbsent(Planner.providerAddress(r.provider()), null));
        }
        ProviderLocks previous = readLocks();
        ProviderLocks next = new ProviderLocks();
        boolean upgrade = f.bool("upgrade", false);
        if (upgrade && readonly) {
            err.println("The -upgrade flag conflicts with -lockfile=readonly.");
            return 1;
        }
        List<Diag> diags = new ArrayList<>();
        if (!reqs.isEmpty()) {
            out.println("\nInitializing provider plugins...");
            header = true;
        }
        Map<String, String> selected = new TreeMap<>();
        for (Map.Entry<String, String> req : reqs.entrySet()) {
            String address = req.getKey();
            String display = TofuConfig.forDisplay(address);
            String constraints = ProviderLocks.normalize(req.getValue());
            if (!ProviderLocks.lockable(address)) {
                out.println("- " + address + " is built in to OpenTofu");
                continue;
            }
            ProviderLocks.Lock locked = previous.locks.get(address);
            if (locked != null && !upgrade) {
                out.println("- Reusing previous version of " + display + " from the dependency lock file");
                if (!ProviderLocks.allows(constraints, locked.version())) {
                    diags.add(Diag.error(
                            "Failed to resolve provider packages",
                            "Could not resolve provider " + display + ": locked provider " + display + " "
                                    + locked.version() + " does not match configured version constraint " + constraints
                                    + "; must use tofu init -upgrade to allow selection of new versions"));
                    continue;
                }
                selected.put(address, locked.version());
                continue;
            }
            if (constraints != null) {
                out.println("- Finding " + display + " versions matching " + Json.quote(constraints) + "...");
            } else {
                out.println("- Finding latest version of " + display + "...");
            }
            if (!ProviderLocks.known(address)) {
                diags.add(Diag.error(
                        "Failed to query available provider packages",
                        "Could not retrieve the list of available versions for provider " + display + ": provider"
                                + " registry " + TofuConfig.REGISTRY + " does not have a provider named " + address
                                + "\n\nAll modules should specify their required_providers so that external consumers"
                                + " will get the correct providers when using a module. To see which modules are"
                                + " currently depending on " + display + ", run the following command:\n    tofu"
                                + " providers\n\nIf you believe this provider is missing from the registry, please"
                                + " submit a issue on the OpenTofu Registry"
                                + " https://github.com/opentofu/registry/issues/new/choose"));
                continue;
            }
            String version = ProviderLocks.newest(address, constraints);
            if (version == null) {
                diags.add(Diag.error(
                        "Failed to resolve provider packages",
                        "Could not resolve provider " + display + ": no available releases match the given constraints "
                                + constraints));
                continue;
            }
            selected.put(address, version);
        }
        if (diags.stream().anyMatch(Diag::error)) {
            diagnostics(diags, sources);
            return 1;
        }
        boolean fetched = false;
        for (Map.Entry<String, String> s : selected.entrySet()) {
            String display = TofuConfig.forDisplay(s.getKey());
            Path pkg = dataDir()
                    .resolve("providers")
                    .resolve(s.getKey())
                    .resolve(s.getValue())
                    .resolve(PLATFORM);
            if (Files.isDirectory(pkg)) {
                out.println("- Using previously-installed " + display + " v" + s.getValue());
            } else {
                out.println("- Installing " + display + " v" + s.getValue() + "...");
                try {
                    Files.createDirectories(pkg);
                    String type = s.getKey().substring(s.getKey().lastIndexOf('/') + 1);
                    Files.writeString(
                            pkg.resolve("terraform-provider-" + type + "_v" + s.getValue()),
                            "#!/bin/sh\n# The Handoff lab's stand-in provider package: nothing to run.\n");
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                out.println("- Installed " + display + " v" + s.getValue() + " (signed, key ID "
                        + ProviderLocks.keyId(s.getKey()) + ")");
                fetched = true;
            }
            ProviderLocks.Lock locked = previous.locks.get(s.getKey());
            java.util.TreeSet<String> hashes = new java.util.TreeSet<>(ProviderLocks.hashes(s.getKey(), s.getValue()));
            if (locked != null && locked.version().equals(s.getValue())) {
                hashes.addAll(locked.hashes());
            }
            next.locks.put(
                    s.getKey(),
                    new ProviderLocks.Lock(
                            s.getKey(),
                            s.getValue(),
                            ProviderLocks.normalize(reqs.get(s.getKey())),
                            List.copyOf(hashes)));
        }
        if (fetched) {
            out.println(
                    "\nProviders are signed by their developers.\nIf you'd like to know more about provider signing,"
                            + " you can read about it here:\nhttps://opentofu.org/docs/cli/plugins/signing/");
        }
        if (!next.sameAs(previous)) {
            if (readonly) {
                if (!next.sameProviders(previous)) {
                    diagnostics(
                            List.of(Diag.error(
                                    "Provider dependency changes detected",
                                    "Changes to the required provider dependencies were detected, but the lock file is"
                                            + " read-only. To use and record these requirements, run \"tofu init\""
                                            + " without the \"-lockfile=readonly\" flag.")),
                            sources);
                    return 1;
                }
                diags.add(Diag.warning(
                        "Provider lock file not updated",
                        "Changes to the provider selections were detected, but not saved in the .terraform.lock.hcl"
                                + " file. To record these selections, run \"tofu init\" without the"
                                + " \"-lockfile=readonly\" flag."));
            } else {
                if (previous.empty()) {
                    out.println(
                            "\nOpenTofu has created a lock file .terraform.lock.hcl to record the provider\nselections"
                                    + " it made above. Include this file in your version control repository\nso that OpenTofu can"
                                    + " guarantee to make the same selections by default when\nyou run \"tofu init\" in the"
                                    + " future.");
                } else {
                    out.println(
                            "\nOpenTofu has made some changes to the provider dependency selections recorded\nin the"
                                    + " .terraform.lock.hcl file. Review those changes and commit them to your\nversion control"
                                    + " system if they represent changes you intended to make.");
                }
                try {
                    Files.writeString(dir.resolve(ProviderLocks.FILE), next.write(), StandardCharsets.UTF_8);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        if (header) {
            out.println();
        }
        diagnostics(diags, sources);
        out.println("OpenTofu has been successfully initialized!");
        if (!automation()) {
            out.println(
                    "\nYou may now begin working with OpenTofu. Try running \"tofu plan\" to see\nany changes that are"
                            + " required for your infrastructure. All OpenTofu commands\nshould now work.\n\nIf you ever set or"
                            + " change modules or backend configuration for OpenTofu,\nrerun this command to reinitialize your"
                            + " working directory. If you forget, other\ncommands will detect it and remind you to do so if"
                            + " necessary.");
        }
        return 0;
    }

    /** {@code Meta.Backend}'s check that the locked providers are installed ({@code providerFactories}). */
    private void checkPlugins(ProviderLocks locks) {
        {
            StringBuilder missing = new StringBuilder();
            for (ProviderLocks.Lock l : locks.locks.values()) {
                Path pkg = dataDir()
                        .resolve("providers")
                        .resolve(l.address())
                        .resolve(l.version())
                        .resolve(PLATFORM);
                if (!Files.isDirectory(pkg)) {
                    missing.append("\n  - ")
                            .append(l.address())
                            .append(": there is no package for ")
                            .append(l.address())
                            .append(' ')
                            .append(l.version())
                            .append(" cached in ")
                            .append(dir.relativize(dataDir().resolve("providers")));
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
                                        + (automation()
                                                ? "You must install the required plugins before running OpenTofu operations."
                                                : "To download the plugins required for this configuration, run:\n  tofu init")));
            }
        }
    }

    /** {@code Config.VerifyDependencySelections}: the lock file must select every required provider. */
    private void checkProviders(TofuConfig config, ProviderLocks locks) {
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

    // ---------------------------------------------------------------- plan

    private int plan(List<String> args) throws InterruptedException {
        List<String> rest = new ArrayList<>(args);
        rest.remove("-compact-warnings");
        rest.remove("-concise");
        Flags f = new Flags()
                .operation()
                .define(Kind.BOOL, "detailed-exitcode", "input", "json")
                .define(Kind.STRING, "out", "generate-config-out");
        try {
            f.parse(rest);
        } catch (Flags.FlagError e) {
            return flagError("plan", e.getMessage());
        }
        if (!f.args.isEmpty()) {
            diagnostics(
                    List.of(Diag.error(
                            "Too many command line arguments",
                            "To specify a working directory for the plan, use the global -chdir flag.")),
                    Map.of());
            err.print("\nFor more help on using this command, run:\n  tofu plan -help\n");
            return 1;
        }
        rejectUnmodelled(f);
        String planPath = f.string("out", null);
        Operation op = prepare(f, "OperationTypePlan");
        try {
            Plan plan = op.plan();
            List<TofuState.Resource> refreshed = new ArrayList<>(plan.prior.resources);
            refreshed.sort((a, b) -> a.address().compareTo(b.address()));
            for (TofuState.Resource r : refreshed) {
                String id = r.instance().attributes().get("id") instanceof String s ? s : null;
                out.println(r.address() + ": Refreshing state..." + (id == null ? "" : " [id=" + id + "]"));
            }
            if (planPath != null) {
                plan.write(dir.resolve(planPath));
            }
            out.print(PlanText.render(plan, planPath, automation()));
            diagnostics(op.warnings, sources);
            return plan.applyable() && f.bool("detailed-exitcode", false) ? 2 : 0;
        } finally {
            op.close();
        }
    }

    private static void rejectUnmodelled(Flags f) {
        for (String flag : List.of("destroy", "refresh-only", "json")) {
            if (f.bool(flag, false)) {
                throw unsupported("-" + flag);
            }
        }
        for (String flag : List.of("target", "replace")) {
            if (!f.multi(flag).isEmpty()) {
                throw unsupported("-" + flag);
            }
        }
        for (String flag : List.of("state", "state-out", "backup", "generate-config-out")) {
            if (!f.string(flag, "").isEmpty()) {
                throw unsupported("-" + flag);
            }
        }
    }

    /** A planning operation: configuration, backend, lock, state, variables. */
    private final class Operation implements AutoCloseable {
        TofuConfig config;
        StateStorage storage;
        boolean locked;
        TofuState read;
        String readRaw;
        BackendSpec backend;
        Map<String, Object> variables;
        final List<Diag> warnings = new ArrayList<>();

        Plan plan() {
            if (new TofuFaults(world).active(Fault.FAIL_PLAN, stack())) {
                throw new Failure(providerError(config));
            }
            Planner planner = new Planner(
                    config,
                    variables,
                    LabCloud.open(world).values(),
                    new TofuFaults(world).active(Fault.DESTRUCTIVE_PLAN, stack()));
            Plan plan = planner.plan(read);
            plan.backendType = backend.type();
            plan.backendConfig = new TreeMap<>(backend.config());
            if (read != null) {
                plan.prior.lineage = read.lineage;
                plan.prior.serial = read.serial;
            }
            config.files.forEach((k, v) -> plan.configFiles.put(k, v.source()));
            Path lockFile = dir.resolve(ProviderLocks.FILE);
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
                    unlock(storage);
                }
                storage.close();
            }
        }
    }

    private Operation prepare(Flags f, String operation) throws InterruptedException {
        if (!TofuConfig.hasConfiguration(dir)) {
            throw new Failure(Diag.error(
                    "No configuration files",
                    "Plan requires configuration to be present. Planning without a configuration would mark everything"
                            + " for destruction, which is normally not what is desired. If you would like to destroy"
                            + " everything, run plan with the -destroy option. Otherwise, create a OpenTofu configuration"
                            + " file (.tf file) and try again."));
        }
        Operation op = new Operation();
        op.config = TofuConfig.load(dir);
        sources = op.config.sources();
        op.config.checkRequiredVersion();
        op.backend = initializedBackend(op.config);
        ProviderLocks locks = readLocks();
        checkPlugins(locks);
        op.storage = storage(op.backend.type(), op.backend.config());
        try {
            if (f.bool("lock", true)) {
                lock(op.storage, operation, f.duration("lock-timeout"));
                op.locked = true;
            }
            op.readRaw = rawState(op.storage);
            op.read = readState(op.storage);
            checkProviders(op.config, locks);
            op.variables = Variables.resolve(op.config, env, f.vars, op.warnings);
            return op;
        } catch (RuntimeException | InterruptedException e) {
            op.close();
            throw e;
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

    // ---------------------------------------------------------------- apply

    private int apply(List<String> args) throws IOException, InterruptedException {
        List<String> rest = new ArrayList<>(args);
        rest.remove("-compact-warnings");
        rest.remove("-concise");
        Flags f = new Flags().operation().define(Kind.BOOL, "auto-approve", "input", "json");
        try {
            f.parse(rest);
        } catch (Flags.FlagError e) {
            return flagError("apply", e.getMessage());
        }
        if (f.args.size() > 1) {
            diagnostics(
                    List.of(Diag.error("Too many command line arguments", "Expected at most one positional argument.")),
                    Map.of());
            err.print("\nFor more help on using this command, run:\n  tofu apply -help\n");
            return 1;
        }
        rejectUnmodelled(f);
        if (f.args.isEmpty()) {
            return applyWithoutPlanFile(f);
        }
        String path = f.args.get(0);
        Plan plan;
        try {
            plan = Plan.read(dir, path);
        } catch (Plan.NotAPlan e) {
            throw new Failure(
                    Diag.error("Failed to load " + Json.quote(path) + " as a plan file", "Error: " + e.getMessage()));
        }
        if (plan == null) {
            throw new Failure(Diag.error(
                    "Failed to load " + Json.quote(path) + " as a plan file",
                    "The specified path is a directory, not a plan file. You can use the global -chdir flag to use this"
                            + " directory as the configuration root."));
        }
        if (!f.vars.isEmpty()) {
            throw new Failure(Diag.error(
                    "Can't set variables when applying a saved plan",
                    "The -var and -var-file options cannot be used when applying a saved plan file, because a saved plan"
                            + " includes the variable values that were set when it was created."));
        }
        TofuConfig config = TofuConfig.fromSources(dir, plan.configFiles);
        sources = config.sources();
        try (StateStorage storage = storage(plan.backendType, plan.backendConfig)) {
            boolean locked = false;
            try {
                if (f.bool("lock", true)) {
                    lock(storage, "OperationTypeApply", f.duration("lock-timeout"));
                    locked = true;
                }
                String raw = rawState(storage);
                TofuState current = readState(storage);
                checkSavedPlanLocks(config, plan);
                String currentLineage = current == null ? "" : current.lineage;
                long currentSerial = current == null ? 0 : current.serial;
                boolean firstPlan = plan.prior.lineage.isEmpty() && plan.prior.serial == 0;
                if (!firstPlan && !plan.prior.lineage.equals(currentLineage)) {
                    throw new Failure(Diag.error(
                            "Saved plan does not match the given state",
                            "The given plan file can not be applied because it was created from a different state"
                                    + " lineage."));
                }
                if (plan.prior.serial != currentSerial) {
                    throw new Failure(Diag.error(
                            "Saved plan is stale",
                            "The given plan file can no longer be applied because the state was changed by another"
                                    + " operation after the plan was created."));
                }
                if (plan.errored) {
                    throw new Failure(Diag.error(
                            "Cannot apply incomplete plan",
                            "OpenTofu encountered an error when generating this plan, so it cannot be applied."));
                }
                return applyPlan(config, plan, storage, current, raw);
            } finally {
                if (locked) {
                    unlock(storage);
                }
            }
        }
    }

    private void checkSavedPlanLocks(TofuConfig config, Plan plan) {
        ProviderLocks current = readLocks();
        checkProviders(config, current);
        ProviderLocks planned =
                plan.lockFile == null ? new ProviderLocks() : ProviderLocks.parse(ProviderLocks.FILE, plan.lockFile);
        if (!planned.sameAs(current)) {
            throw new Failure(Diag.error(
                    "Inconsistent dependency lock file",
                    "The given plan file was created with a different set of external dependency selections than the"
                            + " current configuration. A saved plan can be applied only to the same configuration it was"
                            + " created from.\n\nCreate a new plan from the updated configuration."));
        }
    }

    private int applyWithoutPlanFile(Flags f) throws IOException, InterruptedException {
        Operation op = prepare(f, "OperationTypeApply");
        try {
            Plan plan = op.plan();
            out.print(PlanText.render(plan, null, true));
            diagnostics(op.warnings, sources);
            if (plan.applyable() && !f.bool("auto-approve", false)) {
                out.print("\nDo you want to perform these actions?\n  OpenTofu will perform the actions described"
                        + " above.\n  Only 'yes' will be accepted to approve.\n\n  Enter a value: ");
                out.flush();
                String line = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)).readLine();
                if (line == null) {
                    throw new Failure(Diag.error("error asking for approval: EOF", ""));
                }
                out.println();
                if (!line.strip().equals("yes")) {
                    err.print("\nError: Apply cancelled.\n\n");
                    return 1;
                }
            }
            return applyPlan(op.config, plan, op.storage, op.read, op.readRaw);
        } finally {
            op.close();
        }
    }

    private int applyPlan(TofuConfig config, Plan plan, StateStorage storage, TofuState current, String raw)
            throws InterruptedException, IOException {
        TofuFaults faults = new TofuFaults(world);
        // the resource the faults act on: the first one with a change, in configuration order
        List<String> order =
                config.resources.stream().map(TofuConfig.Resource::address).toList();
        List<Plan.ResourceChange> inConfigOrder = plan.resourceChanges.stream()
                .filter(c -> order.contains(c.address()))
                .sorted(java.util.Comparator.comparingInt(c -> order.indexOf(c.address())))
                .toList();
        Plan.ResourceChange first = inConfigOrder.stream()
                .filter(c -> !c.noOp() && config.resource(c.address()).isPresent())
                .findFirst()
                .orElse(inConfigOrder.isEmpty() ? null : inConfigOrder.get(0));
        String firstAddress = first == null ? "oci_core_instance.unknown" : first.address();
        String firstId = first == null || !(first.before() instanceof Map<?, ?> m) || !(m.get("id") instanceof String s)
                ? firstAddress
                : s;
        if (faults.active(Fault.HANG_APPLY, stack())) {
            out.println(firstAddress + ": Modifying... [id=" + firstId + "]");
            out.flush();
            Process child = new ProcessBuilder("sleep", "3600").start();
            Files.writeString(world.resolve("tofu-hang.pid"), Long.toString(child.pid()), StandardCharsets.UTF_8);
            for (int elapsed = 10; ; elapsed += 10) {
                for (int i = 0; i < 10; i++) {
                    Thread.sleep(1000);
                }
                out.println(firstAddress + ": Still modifying... [id=" + firstId + ", " + elapsed + "s elapsed]");
                out.flush();
            }
        }
        if (faults.active(Fault.FAIL_APPLY, stack())) {
            // OpenTofu persists what it applied before the provider error: everything not depending on the failed one
            Planner planner =
                    new Planner(config, plan.variables, LabCloud.open(world).values(), false);
            TofuState partial = planner.apply(plan, out::println, firstAddress);
            persist(storage, current, raw, partial);
            Hcl.Range range = first == null
                    ? null
                    : config.resource(first.address())
                            .map(r -> r.block().defRange())
                            .orElse(null);
            diagnostics(
                    List.of(new Diag(
                            true,
                            "500-InternalError, Out of host capacity.",
                            "Suggestion: The service for this resource encountered an error. Please contact support for"
                                    + " help with service: Core Instance\nDocumentation:"
                                    + " https://registry.terraform.io/providers/oracle/oci/latest/docs/resources/core_instance\nOPC"
                                    + " request ID: 2f1e0c7a9b8d4e6f/lab",
                            range,
                            firstAddress)),
                    sources);
            // providers echo request bodies in errors: this one carries a sensitive value, which Handoff must mask
            err.println("Request body: {\"metadata\":{\"k3s_token\":\""
                    + LabCloud.open(world).values().getOrDefault(LabCloud.K3S_TOKEN, "") + "\"}}");
            return 1;
        }
        Planner planner =
                new Planner(config, plan.variables, LabCloud.open(world).values(), false);
        TofuState content = planner.apply(plan, out::println);
        TofuState written = persist(storage, current, raw, content);
        int added = 0;
        int changed = 0;
        int destroyed = 0;
        int imported = 0;
        for (Plan.ResourceChange c : plan.resourceChanges) {
            if (c.importingId() != null) {
                imported++;
            }
            if (c.actions().contains("create")) {
                added++;
            }
            if (c.actions().contains("delete")) {
                destroyed++;
            }
            if (c.actions().equals(List.of("update"))) {
                changed++;
            }
        }
        if (imported > 0) {
            out.println("\nApply complete! Resources: " + imported + " imported, " + added + " added, " + changed
                    + " changed, " + destroyed + " destroyed.");
        } else {
            out.println("\nApply complete! Resources: " + added + " added, " + changed + " changed, " + destroyed
                    + " destroyed.");
        }
        if (!written.outputs.isEmpty()) {
            out.print("\nOutputs:\n\n");
            out.println(humanOutputs(written));
        }
        return 0;
    }

    private static String humanOutputs(TofuState state) {
        StringBuilder b = new StringBuilder();
        state.outputs.forEach((k, o) -> {
            if (o.sensitive()) {
                b.append(k).append(" = <sensitive>\n");
            } else {
                b.append(k)
                        .append(" = ")
                        .append(Values.human(Values.fromJson(o.value()), 0))
                        .append('\n');
            }
        });
        return b.toString().strip();
    }

    // ---------------------------------------------------------------- show

    private int show(List<String> args) {
        List<String> rest = new ArrayList<>(args);
        rest.remove("-compact-warnings");
        rest.remove("-concise");
        Flags f = new Flags().vars().define(Kind.BOOL, "json");
        try {
            f.parse(rest);
        } catch (Flags.FlagError e) {
            return flagError("show", e.getMessage());
        }
        if (f.args.size() > 1) {
            diagnostics(
                    List.of(Diag.error("Too many command line arguments", "Expected at most one positional argument.")),
                    Map.of());
            err.print("\nFor more help on using this command, run:\n  tofu show -help\n");
            return 1;
        }
        boolean json = f.bool("json", false);
        if (f.args.isEmpty()) {
            TofuConfig config = TofuConfig.hasConfiguration(dir) ? TofuConfig.load(dir) : null;
            BackendSpec spec =
                    config == null ? new BackendSpec("local", new TreeMap<>(), null) : initializedBackend(config);
            TofuState state;
            try (StateStorage storage = storage(spec.type(), spec.config())) {
                state = readState(storage);
            }
            if (json) {
                out.println(PlanJson.state(state));
            } else if (state == null || state.empty()) {
                out.println("No state.");
            } else {
                out.println(humanState(state));
            }
            return 0;
        }
        String path = f.args.get(0);
        Plan plan;
        try {
            plan = Plan.read(dir, path);
        } catch (Plan.NotAPlan planError) {
            try {
                String text = Files.readString(dir.resolve(path), StandardCharsets.UTF_8);
                TofuState state = TofuState.read(text);
                out.println(json ? PlanJson.state(state) : state == null ? "No state." : humanState(state));
                return 0;
            } catch (NoSuchFileException e) {
                throw new Failure(Diag.error(
                        "Failed to read the given file as a state or plan file",
                        "State read error: Error loading statefile: open " + path + ": no such file or directory\n\n"
                                + "Plan read error: open " + path + ": no such file or directory"));
            } catch (IOException | TofuState.Unreadable e) {
                throw new Failure(Diag.error(
                        "Failed to read the given file as a state or plan file",
                        "State read error: Error reading " + path + " as a statefile: " + e.getMessage()
                                + "\n\nPlan read error: " + planError.getMessage()));
            }
        }
        if (plan == null) {
            throw new Failure(Diag.error(
                    "Failed to read the given file as a state or plan file",
                    "State read error: Error reading " + path + " as a statefile: read " + path + ": is a directory"
                            + "\n\nPlan read error: read " + path + ": is a directory"));
        }
        TofuConfig config = TofuConfig.fromSources(dir, plan.configFiles);
        if (json) {
            out.println(PlanJson.plan(plan, config));
        } else {
            out.print(PlanText.render(plan, null, true));
        }
        return 0;
    }

    private static String humanState(TofuState state) {
        StringBuilder b = new StringBuilder();
        for (TofuState.Resource r : state.resources) {
            b.append("# ").append(r.address()).append(":\n");
            b.append("resource ")
                    .append(Json.quote(r.type()))
                    .append(' ')
                    .append(Json.quote(r.name()))
                    .append(" {\n");
            Map<String, Object> attrs = new TreeMap<>(r.instance().attributes());
            int width = attrs.keySet().stream().mapToInt(String::length).max().orElse(0);
            Set<String> secret = LabProvider.sensitive(r.type());
            attrs.forEach((k, v) -> {
                if (v != null) {
                    b.append("    ")
                            .append(k)
                            .append(" ".repeat(width - k.length()))
                            .append(" = ")
                            .append(secret.contains(k) ? "(sensitive value)" : Values.human(Values.fromJson(v), 4))
                            .append('\n');
                }
            });
            b.append("}\n\n");
        }
        if (!state.outputs.isEmpty()) {
            b.append("\nOutputs:\n\n").append(humanOutputs(state)).append('\n');
        }
        return b.toString().stripTrailing();
    }

    // ---------------------------------------------------------------- output

    private int output(List<String> args) {
        List<String> rest = new ArrayList<>(args);
        rest.remove("-compact-warnings");
        rest.remove("-concise");
        Flags f = new Flags().vars().define(Kind.BOOL, "json", "raw").define(Kind.STRING, "state");
        try {
            f.parse(rest);
        } catch (Flags.FlagError e) {
            return flagError("output", e.getMessage());
        }
        List<Diag> diags = new ArrayList<>();
        if (f.args.size() > 1) {
            diags.add(Diag.error(
                    "Unexpected argument",
                    "The output command expects exactly one argument with the name of an output variable or no"
                            + " arguments to show all outputs."));
        }
        boolean json = f.bool("json", false);
        boolean raw = f.bool("raw", false);
        if (json && raw) {
            diags.add(Diag.error("Invalid output format", "The -raw and -json options are mutually-exclusive."));
        }
        String name = f.args.isEmpty() ? "" : f.args.get(0);
        if (raw && name.isEmpty()) {
            diags.add(Diag.error(
                    "Output name required",
                    "You must give the name of a single output value when using the -raw option."));
        }
        if (!diags.isEmpty()) {
            diagnostics(diags, Map.of());
            err.print("\nFor more help on using this command, run:\n  tofu output -help\n");
            return 1;
        }
        TofuState state;
        String statePath = f.string("state", "");
        if (!statePath.isEmpty()) {
            try (StateStorage storage = new StateStorage.Local(dir.resolve(statePath), statePath)) {
                state = readState(storage);
            }
        } else {
            TofuConfig config = TofuConfig.hasConfiguration(dir) ? TofuConfig.load(dir) : null;
            BackendSpec spec =
                    config == null ? new BackendSpec("local", new TreeMap<>(), null) : initializedBackend(config);
            try (StateStorage storage = storage(spec.type(), spec.config())) {
                state = readState(storage);
            }
        }
        Map<String, TofuState.Output> outputs = state == null ? Map.of() : state.outputs;
        if (!name.isEmpty()) {
            TofuState.Output o = outputs.get(name);
            if (o == null) {
                throw new Failure(Diag.error(
                        "Output " + Json.quote(name) + " not found",
                        "The output variable requested could not be found in the state file. If you recently added this"
                                + " to your configuration, be sure to run `tofu apply`, since the state won't be updated"
                                + " with new output variables until that command is run."));
            }
            if (json) {
                out.println(Json.compact(o.value()));
            } else if (raw) {
                if (o.value() instanceof Map || o.value() instanceof List || o.value() == null) {
                    throw new Failure(Diag.error(
                            "Unsupported value for raw output",
                            "The -raw option only supports strings, numbers, and boolean values, but output value "
                                    + Json.quote(name) + " is " + Json.compact(o.type())
                                    + ".\n\nUse the -json option for"
                                    + " machine-readable representations of output values that have complex types."));
                }
                out.print(Values.asString(o.value()));
            } else {
                out.println(Values.human(Values.fromJson(o.value()), 0));
            }
            return 0;
        }
        if (json) {
            Map<String, Object> doc = Json.sorted();
            outputs.forEach((k, o) -> {
                Map<String, Object> m = Json.struct();
                m.put("sensitive", o.sensitive());
                m.put("type", o.type());
                m.put("value", o.value());
                doc.put(k, m);
            });
            out.println(Json.indent(doc, "  "));
            return 0;
        }
        if (outputs.isEmpty()) {
            diagnostics(
                    List.of(Diag.warning(
                            "No outputs found",
                            "The state file either has no outputs defined, or all the defined outputs are empty. Please"
                                    + " define an output in your configuration with the `output` keyword and run `tofu"
                                    + " refresh` for it to become available. If you are using interpolation, please verify"
                                    + " the interpolated value is not empty. You can use the `tofu console` command to"
                                    + " assist.")),
                    Map.of());
            return 0;
        }
        out.println(humanOutputs(state));
        return 0;
    }

    // ---------------------------------------------------------------- state pull / push

    private BackendSpec commandBackend() {
        TofuConfig config = TofuConfig.hasConfiguration(dir) ? TofuConfig.load(dir) : null;
        if (config != null) {
            sources = config.sources();
            config.checkRequiredVersion();
        }
        return config == null ? new BackendSpec("local", new TreeMap<>(), null) : initializedBackend(config);
    }

    private int statePull(List<String> args) {
        Flags f = new Flags().vars();
        try {
            f.parse(args);
        } catch (Flags.FlagError e) {
            err.println("Error parsing command-line flags: " + e.getMessage() + "\n");
            return 1;
        }
        BackendSpec spec = commandBackend();
        try (StateStorage storage = storage(spec.type(), spec.config())) {
            TofuState state = readState(storage);
            if (state == null && storage.remote()) {
                // states/remote exports an empty snapshot with no lineage when the backend has none
                state = new TofuState();
                state.lineage = "";
            }
            if (state != null) {
                out.print(state.write());
                out.println();
            }
        }
        return 0;
    }

    private int statePush(List<String> args) throws IOException, InterruptedException {
        Flags f = new Flags()
                .vars()
                .define(Kind.BOOL, "ignore-remote-version", "force", "lock")
                .define(Kind.DURATION, "lock-timeout");
        try {
            f.parse(args);
        } catch (Flags.FlagError e) {
            err.println("Error parsing command-line flags: " + e.getMessage() + "\n");
            return 1;
        }
        if (f.args.size() != 1) {
            err.println("Exactly one argument expected.\n");
            err.println(HelpTexts.STATE_PUSH);
            return 1;
        }
        String path = f.args.get(0);
        String text;
        if (path.equals("-")) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } else {
            try {
                text = Files.readString(dir.resolve(path), StandardCharsets.UTF_8);
            } catch (NoSuchFileException e) {
                err.println("open " + path + ": no such file or directory");
                return 1;
            }
        }
        TofuState source;
        try {
            source = TofuState.read(text);
        } catch (TofuState.Unreadable e) {
            err.println("Error reading source state " + Json.quote(path) + ": " + e.getMessage());
            return 1;
        }
        if (source == null) {
            source = TofuState.fresh();
        }
        BackendSpec spec = commandBackend();
        try (StateStorage storage = storage(spec.type(), spec.config())) {
            boolean locked = false;
            try {
                if (f.bool("lock", true)) {
                    lock(storage, "state-push", f.duration("lock-timeout"));
                    locked = true;
                }
                String raw;
                TofuState current;
                try {
                    raw = storage.read();
                    current = TofuState.read(raw);
                } catch (BackendError | TofuState.Unreadable e) {
                    err.println("Failed to refresh destination state: " + e.getMessage());
                    return 1;
                }
                if (!f.bool("force", false)) {
                    String refused = checkValidImport(source, current);
                    if (refused != null) {
                        err.println("Failed to write state: " + refused);
                        return 1;
                    }
                }
                push(storage, current, raw, source);
                return 0;
            } finally {
                if (locked) {
                    unlock(storage);
                }
            }
        }
    }

    /** {@code statemgr.CheckValidImport}: null when the new snapshot may replace the existing one. */
    static String checkValidImport(TofuState incoming, TofuState existing) {
        if (existing == null || existing.empty()) {
            return null;
        }
        if (incoming.lineage == null || incoming.lineage.isEmpty() || existing.lineage.isEmpty()) {
            return null;
        }
        if (!incoming.lineage.equals(existing.lineage)) {
            return "cannot import state with lineage " + Json.quote(incoming.lineage) + " over unrelated state with"
                    + " lineage " + Json.quote(existing.lineage);
        }
        if (incoming.serial > existing.serial) {
            return null;
        }
        if (incoming.serial == existing.serial) {
            return incoming.content().equals(existing.content())
                    ? null
                    : "cannot overwrite existing state with serial " + incoming.serial
                            + " with a different state that has the same serial";
        }
        return "cannot import state with serial " + incoming.serial + " over newer state with serial "
                + existing.serial;
    }

    /**
     * {@code statemgr.Import} then {@code WriteState}/{@code PersistState} as {@code state push} calls them. The
     * local backend persists twice against the snapshot it read (serial + 2 for a changed state); the remote one bumps
     * the pushed serial once, or starts a new lineage at serial 1 when the backend had no state at all.
     */
    private void push(StateStorage storage, TofuState current, String raw, TofuState source) {
        TofuState next = source.copy();
        boolean same = current != null && current.content().equals(source.content());
        if (storage.remote()) {
            if (current == null) {
                next.lineage = UUID.randomUUID().toString();
                next.serial = 1;
            } else if (same
                    && !current.lineage.isEmpty()
                    && source.lineage.equals(current.lineage)
                    && source.serial == current.serial
                    && current.serial != 0) {
                return;
            } else {
                next.serial = source.serial + 1;
            }
        } else {
            // first persist: +1 unless unchanged; the second (WriteState) re-reads the file it wrote when there was
            // no snapshot before, so only a replaced snapshot gets +1 again
            next.serial = source.serial + (current == null ? 1 : same ? 0 : 2);
            if (current != null && !same && storage instanceof StateStorage.Local local) {
                local.backup(raw);
            }
        }
        write(storage, next);
    }
}
