package dev.handoff.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/** {@code handoffctl}: the operator CLI over control-service's API. */
@Command(
        name = "handoffctl",
        mixinStandardHelpOptions = true,
        version = "handoffctl 0.1.0",
        description = "Read Handoff's deployment history, replay a stage from a topic offset, approve or reject.",
        subcommands = {
            DeploymentsCommand.class,
            ShowCommand.class,
            EventsCommand.class,
            ReplayCommand.class,
            ApproveCommand.class,
            RejectCommand.class,
            HostsCommand.class,
            CommandLine.HelpCommand.class
        },
        footerHeading = "%nExit codes:%n",
        footer = {
            "  0  done",
            "  1  control-service said no (e.g. a refused replay, an unknown deployment)",
            "  2  the command line is wrong",
            "  3  control-service cannot be reached",
            "  4  no token, an unknown token, or a role too low (replay, approve, reject and hosts trust need operator)",
            "",
            "In the lab, ./handoff ctl <command> runs handoffctl with the running lab's address and operator token."
        })
public final class HandoffCtl implements Runnable {

    /** How results are printed. */
    enum Output {
        table,
        json
    }

    @Spec
    CommandSpec spec;

    @Option(
            names = {"-s", "--server"},
            scope = ScopeType.INHERIT,
            paramLabel = "URL",
            defaultValue = "${env:HANDOFF_SERVER:-http://localhost:8080}",
            description = "control-service's address (env HANDOFF_SERVER; default ${DEFAULT-VALUE})")
    String server;

    @Option(
            names = {"-t", "--token"},
            scope = ScopeType.INHERIT,
            paramLabel = "TOKEN",
            defaultValue = "${env:HANDOFF_TOKEN}",
            description = "API token (env HANDOFF_TOKEN); replay, approve and reject need an operator token")
    String token;

    @Option(
            names = {"-o", "--output"},
            scope = ScopeType.INHERIT,
            paramLabel = "table|json",
            defaultValue = "table",
            description = "table (for people, default) or json (the API's answer, for scripts)")
    Output output;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "which command? See the list above.");
    }

    /** The API client for the options given. */
    ControlApi api() throws CliFailure {
        return new ControlApi(server, token);
    }

    /** Prints a JSON answer as indented JSON. */
    static void printJson(PrintWriter out, JsonNode node) {
        try {
            out.println(ControlApi.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(node));
            out.flush();
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A command line for {@code handoffctl}, with Handoff's exit codes for failures. */
    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new HandoffCtl());
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof CliFailure failure) {
                commandLine.getErr().println("handoffctl: " + failure.getMessage());
                commandLine.getErr().flush();
                return failure.exitCode();
            }
            throw e;
        });
        return cli;
    }

    /** Runs handoffctl with {@code args}; returns the exit code. */
    public static int run(String... args) {
        return commandLine().execute(args);
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Query parameters, leaving out nulls. */
    static Map<String, Object> query(Object... pairs) {
        Map<String, Object> q = new java.util.LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            if (pairs[i + 1] != null) {
                q.put((String) pairs[i], pairs[i + 1]);
            }
        }
        return q;
    }
}
