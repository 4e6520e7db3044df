package dev.handoff.lab.world.tofu;

import dev.handoff.lab.world.oci.LabCloud;
import dev.handoff.lab.world.tofu.Diagnostics.Failure;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

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
 *
 * <p>This class is the entry point: it handles tofu's global options and {@code TF_CLI_ARGS*}, then hands the
 * command to one class per command ({@link InitCommand}, {@link PlanCommand}, {@link ApplyCommand},
 * {@link ShowCommand}, {@link OutputCommand}, {@link StateCommand}, {@link VersionCommand}), sharing a
 * {@link TofuRun}.
 */
public final class StandInTofu {
    static final String VERSION = "1.8.5";
    static final String PLATFORM = "linux_amd64";
    static final String STATE = "terraform.tfstate";

    private final Path startDir;
    private final Path world;
    private final Map<String, String> env;
    private final InputStream in;
    private final PrintStream out;
    private final PrintStream err;
    private Path dir;

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
        boolean color = !rest.remove("-no-color");
        while (rest.remove("-no-color")) {
            // every occurrence
        }
        TofuRun run = new TofuRun(dir, world, env, in, out, err, color);
        try {
            return switch (command) {
                case "version" -> new VersionCommand(run).execute(rest);
                case "init" -> new InitCommand(run).execute(rest);
                case "plan" -> new PlanCommand(run).execute(rest);
                case "apply" -> new ApplyCommand(run).execute(rest);
                case "show" -> new ShowCommand(run).execute(rest);
                case "output" -> new OutputCommand(run).execute(rest);
                case "state pull" -> new StateCommand(run).pull(rest);
                case "state push" -> new StateCommand(run).push(rest);
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
            run.diagnostics(f.diags, f.sources);
            return 1;
        } catch (Failure f) {
            run.diagnostics(f.diags, run.sources);
            return 1;
        }
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
}
