package dev.handoff.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Which control-service handoffctl talks to, and with which token, from the sources in order: flags, then the
 * environment, then the config file that {@code handoffctl login} writes. A context's token is only ever sent to that
 * context's own server.
 *
 * @param server control-service's address
 * @param token the API token, or null when no source gives one
 */
record Target(String server, String token) {
    static final String DEFAULT_SERVER = "http://localhost:8080";

    /**
     * Resolves.
     *
     * @param serverFlag {@code --server}, or null
     * @param tokenFlag {@code --token}, or null
     * @param contextFlag {@code --context}, or null
     * @param env the environment
     */
    static Target resolve(String serverFlag, String tokenFlag, String contextFlag, Map<String, String> env)
            throws CliFailure {
        Path file = CtlConfig.location(env);
        CtlConfig config = null;
        Optional<CtlConfig.Context> named = Optional.empty();
        if (contextFlag != null) {
            config = CtlConfig.read(file);
            named = Optional.of(config.context(contextFlag).orElseThrow(() -> noSuchContext(contextFlag, file)));
        }
        String server;
        if (serverFlag != null) {
            server = serverFlag;
        } else if (named.isPresent()) {
            server = named.get().server();
        } else if (present(env, "HANDOFF_SERVER")) {
            server = env.get("HANDOFF_SERVER");
        } else if (present(env, "HANDOFF_CONTROL_URL")) {
            server = env.get("HANDOFF_CONTROL_URL");
        } else {
            config = config != null ? config : CtlConfig.read(file);
            server = config.current().map(CtlConfig.Context::server).orElse(DEFAULT_SERVER);
        }
        String token;
        if (tokenFlag != null) {
            token = tokenFlag;
        } else if (named.isPresent() && sameServer(named.get().server(), server)) {
            token = readToken(named.get(), file);
        } else if (present(env, "HANDOFF_TOKEN")) {
            token = env.get("HANDOFF_TOKEN");
        } else if (present(env, "HANDOFF_OPERATOR_TOKEN")) {
            token = env.get("HANDOFF_OPERATOR_TOKEN");
        } else {
            config = config != null ? config : CtlConfig.read(file);
            Optional<CtlConfig.Context> current = config.current();
            token = current.isPresent() && sameServer(current.get().server(), server)
                    ? readToken(current.get(), file)
                    : null;
        }
        return new Target(server, token);
    }

    /** The token of a context, read from its token file. */
    static String readToken(CtlConfig.Context context, Path configFile) throws CliFailure {
        if (context.tokenFile() == null || context.tokenFile().isBlank()) {
            throw new CliFailure(
                    ExitCodes.AUTH,
                    "context " + context.name() + " of " + configFile + " names no token-file; run handoffctl login"
                            + " --context " + context.name() + " again");
        }
        Path tokenFile = configFile.toAbsolutePath().getParent().resolve(context.tokenFile());
        try {
            String token = Files.readString(tokenFile, StandardCharsets.UTF_8).strip();
            if (token.isEmpty()) {
                throw new CliFailure(
                        ExitCodes.AUTH,
                        "the token file " + tokenFile + " of context " + context.name() + " is empty; run handoffctl"
                                + " login --context " + context.name() + " again");
            }
            return token;
        } catch (IOException e) {
            throw new CliFailure(
                    ExitCodes.AUTH,
                    "cannot read the token file " + tokenFile + " of context " + context.name() + " ("
                            + e.getClass().getSimpleName() + "); restore it or run handoffctl login --context "
                            + context.name() + " again");
        }
    }

    static boolean sameServer(String a, String b) {
        return a != null && b != null && strip(a).equals(strip(b));
    }

    private static String strip(String server) {
        return server.endsWith("/") ? server.substring(0, server.length() - 1) : server;
    }

    private static boolean present(Map<String, String> env, String name) {
        String value = env.get(name);
        return value != null && !value.isBlank();
    }

    private static CliFailure noSuchContext(String name, Path file) {
        CtlConfig config;
        try {
            config = CtlConfig.read(file);
        } catch (CliFailure e) {
            return e;
        }
        String known = config.contexts().stream().map(CtlConfig.Context::name).collect(Collectors.joining(", "));
        return new CliFailure(
                ExitCodes.USAGE,
                "no context '" + name + "' in " + file
                        + (known.isEmpty() ? " (it has none)" : " (it has: " + known + ")")
                        + "; add it with handoffctl login --context " + name + " --server URL");
    }
}
