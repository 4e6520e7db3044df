package dev.handoff.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/** Runs handoffctl in the test's JVM and captures what it prints. */
final class Ctl {
    /**
     * What a run did.
     *
     * @param exit the exit code
     * @param out standard output
     * @param err standard error
     */
    record Run(int exit, String out, String err) {}

    private Ctl() {}

    static Run run(String... args) {
        CommandLine cli = HandoffCtl.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int exit = cli.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }
}
