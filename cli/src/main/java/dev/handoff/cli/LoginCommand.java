package dev.handoff.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code handoffctl login}: check a server and token, and save them as a context of the config file. */
@Command(
        name = "login",
        mixinStandardHelpOptions = true,
        description = {
            "Check that control-service accepts a token, then save the server and the token's file as a context of"
                    + " the config file and make it the current one. The config file names the token file; the"
                    + " token itself is never written into it. Both files get mode 0600.",
            "The token: --token-file FILE (kept where it is), --token-stdin (saved to tokens/<context>.token next to"
                    + " the config file), or else --token / HANDOFF_TOKEN / HANDOFF_OPERATOR_TOKEN (saved the same"
                    + " way). The server: --server, else the context's server, else HANDOFF_SERVER /"
                    + " HANDOFF_CONTROL_URL. In the lab, ./handoff ctl login --context lab saves the lab's.",
            "Config file: $HANDOFF_CONFIG, else $XDG_CONFIG_HOME/handoff/config.yaml, else"
                    + " ~/.config/handoff/config.yaml. Choose a context with --context NAME on any command."
        })
final class LoginCommand implements Callable<Integer> {
    static final String DEFAULT_CONTEXT = "default";

    @ParentCommand
    HandoffCtl parent;

    @Spec
    CommandSpec spec;

    @ArgGroup(exclusive = true)
    TokenSource source;

    /** Where the token comes from. */
    static final class TokenSource {
        @Option(
                names = "--token-file",
                paramLabel = "FILE",
                description = "a file holding the token (one line); the config file names it")
        Path file;

        @Option(names = "--token-stdin", description = "read the token from standard input (one line)")
        boolean stdin;
    }

    @Override
    public Integer call() throws CliFailure {
        String name = parent.context == null ? DEFAULT_CONTEXT : parent.context;
        if (!CtlConfig.CONTEXT_NAME.matcher(name).matches()) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(),
                    "--context '" + name + "' is not a context name: use letters, digits, '.', '_' and '-', e.g. lab");
        }
        Path configFile = CtlConfig.location(parent.env);
        CtlConfig config = CtlConfig.read(configFile);
        String server = server(config, name);
        Path tokenFile;
        String token;
        if (source != null && source.file != null) {
            tokenFile = source.file.toAbsolutePath().normalize();
            token = Target.readToken(new CtlConfig.Context(name, server, tokenFile.toString()), configFile);
        } else {
            tokenFile =
                    configFile.toAbsolutePath().getParent().resolve("tokens").resolve(name + ".token");
            token = source != null && source.stdin ? readStdin() : tokenFromOptionsOrEnvironment();
        }
        // Only a token the server accepts is saved: a typo fails here, not at the next command.
        new ControlApi(server, token).get("/api/deployments", Map.of("limit", 1));
        try {
            if (source == null || source.file == null) {
                CtlConfig.writePrivate(tokenFile, token + "\n");
            }
            config.with(new CtlConfig.Context(name, server, tokenFile.toString()))
                    .write(configFile);
        } catch (IOException e) {
            throw new CliFailure(
                    ExitCodes.USAGE,
                    "cannot write " + configFile + " (" + e.getClass().getSimpleName() + ": " + e.getMessage()
                            + "); make its folder writable, or point HANDOFF_CONFIG elsewhere");
        }
        PrintWriter out = spec.commandLine().getOut();
        out.println("Logged in to " + server + " as context " + name + " (now the current context)");
        out.println("  config file " + configFile);
        out.println("  token file  " + tokenFile);
        out.flush();
        return ExitCodes.OK;
    }

    private String server(CtlConfig config, String name) {
        if (parent.server != null) {
            return parent.server;
        }
        var existing = config.context(name);
        if (existing.isPresent() && existing.get().server() != null) {
            return existing.get().server();
        }
        for (String variable : new String[] {"HANDOFF_SERVER", "HANDOFF_CONTROL_URL"}) {
            String value = parent.env.get(variable);
            if (value != null && !value.isBlank()) {
                return value;
            }
        }
        throw new CommandLine.ParameterException(
                spec.commandLine(), "which server? give --server URL, e.g. --server https://handoff.example.org");
    }

    private String readStdin() throws CliFailure {
        try {
            String line = new BufferedReader(new InputStreamReader(parent.stdin, StandardCharsets.UTF_8)).readLine();
            if (line == null || line.isBlank()) {
                throw new CliFailure(
                        ExitCodes.USAGE,
                        "--token-stdin read no token: pipe it in, e.g. handoffctl login --token-stdin"
                                + " < token.txt");
            }
            return line.strip();
        } catch (IOException e) {
            throw new CliFailure(ExitCodes.USAGE, "cannot read the token from standard input: " + e.getMessage());
        }
    }

    private String tokenFromOptionsOrEnvironment() {
        if (parent.token != null && !parent.token.isBlank()) {
            return parent.token;
        }
        for (String variable : new String[] {"HANDOFF_TOKEN", "HANDOFF_OPERATOR_TOKEN"}) {
            String value = parent.env.get(variable);
            if (value != null && !value.isBlank()) {
                return value.strip();
            }
        }
        throw new CommandLine.ParameterException(
                spec.commandLine(),
                "which token? give --token-file FILE or --token-stdin (or --token / HANDOFF_TOKEN, saved to a token"
                        + " file)");
    }
}
