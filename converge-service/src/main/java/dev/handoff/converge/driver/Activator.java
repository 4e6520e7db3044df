package dev.handoff.converge.driver;

import dev.handoff.converge.stage.ActivationResult;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Runs the configured activator as an external process in the worktree, with the ssh_config of the access phase:
 * {@code colmena apply --on <host> switch} ({@code SSH_CONFIG_FILE=<ssh_config>}) or
 * {@code nixos-rebuild switch --flake .#<host> --target-host <user>@<host>} ({@code NIX_SSHOPTS=-F <ssh_config>}).
 * Output is streamed to the log line by line; the process is killed at the timeout.
 */
public final class Activator {
    private static final Logger LOG = Logger.getLogger(Activator.class);

    /** The activator tools. */
    public enum Kind {
        COLMENA,
        NIXOS_REBUILD
    }

    private final Kind kind;
    private final String executable;
    private final Duration timeout;

    /**
     * @param executable the program to run (a stand-in in the lab, e.g. a script that runs the lab's stand-in colmena)
     */
    public Activator(Kind kind, String executable, Duration timeout) {
        this.kind = kind;
        this.executable = executable;
        this.timeout = timeout;
    }

    /** The command line for {@code host}. */
    public List<String> commandLine(String host, String user) {
        return switch (kind) {
            case COLMENA -> List.of(executable, "apply", "--on", host, "switch");
            case NIXOS_REBUILD ->
                List.of(executable, "switch", "--flake", ".#" + host, "--target-host", user + "@" + host);
        };
    }

    /** The environment that hands the ssh_config to the tool. */
    public Map<String, String> environment(Path sshConfig) {
        return switch (kind) {
            case COLMENA -> Map.of("SSH_CONFIG_FILE", sshConfig.toString());
            case NIXOS_REBUILD -> Map.of("NIX_SSHOPTS", "-F " + sshConfig);
        };
    }

    /** Writes the ssh_config of one endpoint: the host alias, where it really is, identity and known_hosts. */
    public static Path writeSshConfig(
            Path dir, String host, String hostName, int port, String user, Path identity, String knownHostsLine)
            throws IOException {
        Files.createDirectories(dir);
        Path knownHosts = dir.resolve("known_hosts");
        Files.writeString(knownHosts, knownHostsLine + "\n", StandardCharsets.UTF_8);
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
                        + "  UserKnownHostsFile " + knownHosts + "\n"
                        + "  StrictHostKeyChecking yes\n",
                StandardCharsets.UTF_8);
        return config;
    }

    /** Runs the activator and waits for it (at most the activation timeout). */
    public ActivationResult run(String host, String user, Path worktree, Path sshConfig)
            throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(commandLine(host, user))
                .directory(worktree.toFile())
                .redirectErrorStream(true);
        builder.environment().putAll(environment(sshConfig));
        LOG.infof("%s: activating with %s", host, String.join(" ", builder.command()));
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new IOException(
                    host + ": cannot start the activator " + executable + ": " + e.getMessage()
                            + "; set handoff.converge.activator-executable",
                    e);
        }
        List<String> lines = new ArrayList<>();
        Thread pump = new Thread(
                () -> {
                    try (BufferedReader reader = new BufferedReader(
                            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                        String line;
                        while ((line = reader.readLine()) != null) {
                            LOG.infof("%s activator | %s", host, line);
                            synchronized (lines) {
                                lines.add(line);
                            }
                        }
                    } catch (IOException e) {
                        LOG.debugf("%s: activator output ended: %s", host, e.getMessage());
                    }
                },
                "activator-" + host);
        pump.start();
        boolean finished = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (!finished) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
        pump.join(TimeUnit.SECONDS.toMillis(10));
        String output;
        synchronized (lines) {
            output = String.join("\n", lines);
        }
        return ActivationResult.of(finished ? process.exitValue() : -1, !finished, output);
    }
}
