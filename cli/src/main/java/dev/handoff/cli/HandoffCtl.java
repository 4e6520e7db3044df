package dev.handoff.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.util.Map;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/** {@code handoffctl}: the operator CLI over control-service's API. */
@Command(
        name = "handoffctl",
        mixinStandardHelpOptions = true,
        versionProvider = HandoffCtl.BuildVersion.class,
        description = "Read Handoff's deployment history, wait for a deployment, redeploy a host or replay a stage from"
                + " a topic offset, approve or reject.",
        subcommands = {
            DeploymentsCommand.class,
            ShowCommand.class,
            WaitCommand.class,
            EventsCommand.class,
            RedeployCommand.class,
            ReplayCommand.class,
            ApprovalsCommand.class,
            ApproveCommand.class,
            RejectCommand.class,
            HostsCommand.class,
            LoginCommand.class,
            CompletionCommand.class,
            CommandLine.HelpCommand.class
        },
        footerHeading = "%nServer and token:%n",
        footer = {
            "  Each is taken from the first source that gives one:",
            "  server  --server, --context's server, HANDOFF_SERVER, HANDOFF_CONTROL_URL",
            "          (lab.env), the current context's server, http://localhost:8080",
            "  token   --token, --context's token file, HANDOFF_TOKEN,",
            "          HANDOFF_OPERATOR_TOKEN (lab.env), the current context's token file",
            "  A context's token is only ever sent to that context's server.",
            "  handoffctl login writes the contexts to $HANDOFF_CONFIG, else",
            "  $XDG_CONFIG_HOME/handoff/config.yaml, else ~/.config/handoff/config.yaml.",
            "",
            "Exit codes:",
            "  0  done",
            "  1  control-service said no (e.g. a refused replay, an unknown deployment);",
            "     wait: a stage failed, or the deployment is stale or superseded",
            "  2  the command line is wrong; wait: the timeout passed",
            "  3  control-service cannot be reached",
            "  4  no token, an unknown token, or a role too low (redeploy, replay,",
            "     approve, reject and hosts trust need operator)",
            "",
            "In the lab, ./handoff ctl <command> runs handoffctl with the running lab's",
            "address and operator token (run/lab.env)."
        })
public final class HandoffCtl implements Runnable {

    @Spec
    CommandSpec spec;

    @Option(
            names = {"-s", "--server"},
            scope = ScopeType.INHERIT,
            paramLabel = "URL",
            description = "control-service's address (else HANDOFF_SERVER, the config file's context,"
                    + " http://localhost:8080; see below)")
    String server;

    @Option(
            names = {"-t", "--token"},
            scope = ScopeType.INHERIT,
            paramLabel = "TOKEN",
            description = "API token (else HANDOFF_TOKEN or the context's token file); redeploy, replay, approve and"
                    + " reject need an operator token")
    String token;

    @Option(
            names = {"--context"},
            scope = ScopeType.INHERIT,
            paramLabel = "NAME",
            description = "use this context of the config file (handoffctl login adds them) instead of the current one")
    String context;

    @Option(
            names = {"-o", "--output"},
            scope = ScopeType.INHERIT,
            paramLabel = "table|wide|json|yaml",
            defaultValue = "table",
            description = "table (for people, default), wide (a table with more columns), json or yaml (the API's"
                    + " answer, for scripts)")
    Output output;

    /** The environment handoffctl reads HANDOFF_* from. */
    final Map<String, String> env;

    /** Where {@code login --token-stdin} reads the token from. */
    final InputStream stdin;

    HandoffCtl(Map<String, String> env, InputStream stdin) {
        this.env = Map.copyOf(env);
        this.stdin = stdin;
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "which command? See the list above.");
    }

    /** Server and token from the options, the environment and the config file. */
    Target target() throws CliFailure {
        return Target.resolve(server, token, context, env);
    }

    /** The API client for the options given. */
    ControlApi api() throws CliFailure {
        Target target = target();
        return new ControlApi(target.server(), target.token());
    }

    /** Prints an answer as JSON or YAML, as {@code -o} asks. */
    void printData(PrintWriter out, JsonNode node) {
        output.print(out, node);
    }

    /** A command line for {@code handoffctl}, with Handoff's exit codes for failures. */
    public static CommandLine commandLine() {
        return commandLine(System.getenv(), System.in);
    }

    /** As {@link #commandLine()} with the given environment and standard input. */
    static CommandLine commandLine(Map<String, String> env, InputStream stdin) {
        CommandLine cli = new CommandLine(new HandoffCtl(env, stdin));
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof CliFailure failure) {
                commandLine.getOut().flush();
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

    /** The version Maven built: {@code handoffctl.properties}, filtered with the project's version. */
    static final class BuildVersion implements IVersionProvider {
        @Override
        public String[] getVersion() throws IOException {
            Properties p = new Properties();
            try (InputStream in = HandoffCtl.class.getResourceAsStream("handoffctl.properties")) {
                if (in == null) {
                    return new String[] {"handoffctl (version unknown: handoffctl.properties is not in the jar)"};
                }
                p.load(in);
            }
            return new String[] {"handoffctl " + p.getProperty("version", "unknown")};
        }
    }
}
