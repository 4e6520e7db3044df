package dev.handoff.converge.driver;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * The activator's command lines, step by step, for Colmena or nixos-rebuild, run in the deploy flake's folder
 * ({@link DeployFlake}) wherever the {@link BuildPlace} is:
 *
 * <ol>
 *   <li><b>evaluate</b> every host of the flake that Handoff has facts for, at once ({@code colmena eval -E …} /
 *       {@code nix eval --json .#nixosConfigurations --apply …}): the derivation of each host's system;
 *   <li><b>build</b> the host's system ({@code colmena build --on <host>} prints {@code Built "<path>"};
 *       {@code nixos-rebuild build --flake .#<host>} leaves {@code ./result}): the store path the host must run;
 *   <li><b>switch</b> ({@code colmena apply --on <host> switch} / {@code nixos-rebuild switch --flake .#<host>
 *       --target-host <user>@<host>}), with the ssh_config of the access phase ({@code SSH_CONFIG_FILE} /
 *       {@code NIX_SSHOPTS=-F …}).
 * </ol>
 *
 * A host of another architecture than the build host's is built on the target ({@code --build-on-target} /
 * {@code --build-host}); a non-root target user gets {@code --use-remote-sudo} with nixos-rebuild (Colmena uses sudo
 * itself for a non-root {@code deployment.targetUser}).
 */
public final class Activator {
    private static final Logger LOG = Logger.getLogger(Activator.class);

    /** The activator tools. */
    public enum Kind {
        COLMENA,
        NIXOS_REBUILD
    }

    /** The steps of an activation, each with its own failure reason. */
    public enum Step {
        EVALUATE("evaluation-failed"),
        BUILD("build-failed"),
        SWITCH("activation-failed");

        private final String reason;

        Step(String reason) {
            this.reason = reason;
        }

        /** The failure reason of this step. */
        public String reason() {
            return reason;
        }
    }

    private final Kind kind;
    private final String executable;
    private final String nix;
    private final Duration timeout;

    /**
     * @param executable the activator program (a stand-in in the lab)
     * @param nix the {@code nix} program nixos-rebuild's evaluation step runs
     * @param timeout how long each step may run
     */
    public Activator(Kind kind, String executable, String nix, Duration timeout) {
        this.kind = kind;
        this.executable = executable;
        this.nix = nix;
        this.timeout = timeout;
    }

    /** The activator tool. */
    public Kind kind() {
        return kind;
    }

    /** The expression mapping the hive's nodes (or {@code nixosConfigurations}) to their system derivations. */
    static String drvPaths(String argument) {
        return "builtins.mapAttrs (name: node: node.config.system.build.toplevel.drvPath) " + argument;
    }

    /**
     * The command line of one evaluation of {@code hosts} (those Handoff has facts for): Nix is lazy, so the other
     * nodes of the flake are not evaluated.
     */
    public List<String> evaluate(java.util.Collection<String> hosts) {
        String selection = "(builtins.intersectAttrs { "
                + hosts.stream()
                        .sorted()
                        .map(h -> "\"" + h + "\" = null;")
                        .collect(java.util.stream.Collectors.joining(" "))
                + " } %s)";
        return evaluation(drvPaths(selection));
    }

    /** The command line of the evaluation of {@code host} alone (when the evaluation of every host failed). */
    public List<String> evaluate(String host) {
        return evaluation("{ \"" + host + "\" = %s.\"" + host + "\".config.system.build.toplevel.drvPath; }");
    }

    /**
     * The evaluation command line of {@code expression}, a function body whose {@code %s} stands for the hive's nodes
     * (Colmena) or the flake's {@code nixosConfigurations} (nixos-rebuild's Nix).
     */
    private List<String> evaluation(String expression) {
        return switch (kind) {
            case COLMENA -> List.of(executable, "eval", "-E", "{ nodes, ... }: " + expression.formatted("nodes"));
            case NIXOS_REBUILD ->
                List.of(
                        nix,
                        "--extra-experimental-features",
                        "nix-command flakes",
                        "eval",
                        "--json",
                        ".#nixosConfigurations",
                        "--apply",
                        "configurations: " + expression.formatted("configurations"));
        };
    }

    /** The command line that builds {@code host}'s system. */
    public List<String> build(String host, String user, boolean onTarget) {
        List<String> argv = new ArrayList<>();
        switch (kind) {
            case COLMENA -> {
                argv.addAll(List.of(executable, "build", "--on", host));
                if (onTarget) {
                    argv.add("--build-on-target");
                }
            }
            case NIXOS_REBUILD -> {
                argv.addAll(List.of(executable, "build", "--flake", ".#" + host));
                if (onTarget) {
                    argv.addAll(List.of("--build-host", user + "@" + host));
                }
            }
        }
        return argv;
    }

    /** The command that prints the store path nixos-rebuild built ({@code ./result}); none for Colmena. */
    public List<String> builtPath() {
        return kind == Kind.NIXOS_REBUILD ? List.of("readlink", "-f", "result") : List.of();
    }

    /** The command line that activates {@code host}. */
    public List<String> commandLine(String host, String user, boolean onTarget) {
        List<String> argv = new ArrayList<>();
        switch (kind) {
            case COLMENA -> {
                argv.addAll(List.of(executable, "apply", "--on", host));
                if (onTarget) {
                    argv.add("--build-on-target");
                }
                argv.add("switch");
            }
            case NIXOS_REBUILD -> {
                argv.addAll(List.of(executable, "switch", "--flake", ".#" + host, "--target-host", user + "@" + host));
                if (onTarget) {
                    argv.addAll(List.of("--build-host", user + "@" + host));
                }
                if (!"root".equals(user)) {
                    argv.add("--use-remote-sudo");
                }
            }
        }
        return argv;
    }

    /** The environment that hands the ssh_config (a path as the activator sees it) to the tool. */
    public Map<String, String> environment(String sshConfig) {
        return switch (kind) {
            case COLMENA -> Map.of("SSH_CONFIG_FILE", sshConfig);
            case NIXOS_REBUILD -> Map.of("NIX_SSHOPTS", "-F " + sshConfig);
        };
    }

    /** Runs one step's command in {@code cwd} at {@code place}, logging its output line by line. */
    public BuildPlace.Outcome run(
            BuildPlace place, String host, Step step, List<String> argv, String cwd, Map<String, String> env)
            throws IOException, InterruptedException {
        LOG.infof("%s: %s on %s: %s", host, step.name().toLowerCase(), place.describe(), String.join(" ", argv));
        return place.run(host, argv, cwd, env, timeout, line -> LOG.infof("%s activator | %s", host, line));
    }

    /**
     * Writes the ssh_config of one endpoint and its known_hosts into {@code dir}: the host alias, where it really is,
     * identity and known_hosts, with paths as the activator sees them under {@code seenAt}.
     *
     * @param identity the private key file the activator uses, as the activator sees it
     * @return the ssh_config file written
     */
    public static Path writeSshConfig(
            Path dir,
            String seenAt,
            String host,
            String hostName,
            int port,
            String user,
            String identity,
            String knownHostsLine)
            throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("known_hosts"), knownHostsLine + "\n", StandardCharsets.UTF_8);
        Path config = dir.resolve("ssh_config");
        Files.writeString(
                config,
                "# written by converge-service for one run\n"
                        + "Host " + host + "\n"
                        + "  HostName " + hostName + "\n"
                        + "  Port " + port + "\n"
                        + "  User " + user + "\n"
                        + "  IdentityFile " + identity + "\n"
                        + "  IdentitiesOnly yes\n"
                        + "  UserKnownHostsFile " + seenAt + "/known_hosts\n"
                        + "  StrictHostKeyChecking yes\n",
                StandardCharsets.UTF_8);
        return config;
    }
}
