package dev.handoff.cli;

import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import picocli.CommandLine;

/** Runs handoffctl in the test's JVM and captures what it prints. */
final class Ctl {
    /** A config file that does not exist: handoffctl in tests never reads the user's own. */
    static final Path NO_CONFIG = Path.of("target", "no-such-handoffctl-config.yaml");

    /**
     * What a run did.
     *
     * @param exit the exit code
     * @param out standard output
     * @param err standard error
     */
    record Run(int exit, String out, String err) {}

    private Ctl() {}

    /** Runs with an environment that names no server, token or config file. */
    static Run run(String... args) {
        return run(Map.of(), "", args);
    }

    /**
     * Runs with these environment variables (and no config file unless they name one through HANDOFF_CONFIG) and
     * this standard input.
     */
    static Run run(Map<String, String> env, String stdin, String... args) {
        Map<String, String> all = new HashMap<>();
        all.put("HANDOFF_CONFIG", NO_CONFIG.toString());
        all.putAll(env);
        CommandLine cli = HandoffCtl.commandLine(all, new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int exit = cli.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }
}
