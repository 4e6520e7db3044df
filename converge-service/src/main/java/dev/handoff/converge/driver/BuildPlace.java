package dev.handoff.converge.driver;

import dev.handoff.common.event.v1.HostKeyTrusted;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * Where the activator runs: on this machine ({@link Local}, which needs Nix and Colmena or nixos-rebuild here), or
 * on a build host over SSH ({@link Remote}, the default in compose and the chart: the converge image has no Nix). A
 * run folder prepared here ({@link DeployFlake}) is staged there and the activator's steps run in it.
 */
public interface BuildPlace {
    /** Where the activator will see the run folder {@code local} of {@code host}'s run. */
    String seenAt(String host, Path local);

    /** Makes the run folder available where the activator runs (nothing to do here; an upload to a build host). */
    void stage(String host, Path local) throws IOException;

    /**
     * Runs {@code argv} in {@code cwd} (a path as the activator sees it) with {@code env} added, at most {@code timeout};
     * each output line is told to {@code output}. A run stopped at the timeout has exit code -1.
     */
    Outcome run(
            String host,
            List<String> argv,
            String cwd,
            Map<String, String> env,
            Duration timeout,
            Consumer<String> output)
            throws IOException, InterruptedException;

    /** What this place is, for logs and messages. */
    String describe();

    /**
     * How a command ended.
     *
     * @param exitCode its exit code, -1 when stopped at the timeout
     * @param timedOut whether it was stopped at the timeout
     * @param output its standard output and error, merged
     */
    record Outcome(int exitCode, boolean timedOut, String output) {}

    /**
     * Runs the activator on this machine as a child process, with only the environment it needs (see
     * {@link #INHERITED}) — never the service's database, Kafka or API credentials.
     */
    final class Local implements BuildPlace {
        private static final Logger LOG = Logger.getLogger(Local.class);

        /**
         * The names the activator inherits from this service's environment, when set; nothing else of it reaches the
         * child (no {@code QUARKUS_*}, {@code HANDOFF_*}, {@code KAFKA_*}, passwords or tokens):
         *
         * <ul>
         *   <li>{@code PATH}: to find {@code nix}, {@code ssh} and the activator's own tools;
         *   <li>{@code HOME}, {@code USER}, {@code LOGNAME}: Nix and OpenSSH look up the user, its
         *       {@code ~/.ssh/known_hosts} and the Nix cache under {@code ~/.cache/nix} through them;
         *   <li>{@code LANG}, {@code LC_ALL}: the locale of the output read into the run's log;
         *   <li>{@code TMPDIR}: where Nix and the activator write temporary files;
         *   <li>{@code NIX_PATH}, {@code NIX_CONFIG}, {@code NIX_REMOTE}: how this machine's Nix is set up (the
         *       daemon to use, substituters, experimental features);
         *   <li>{@code NIX_SSL_CERT_FILE}, {@code SSL_CERT_FILE}: the CA certificates Nix fetches with;
         *   <li>{@code SSH_AUTH_SOCK}: an operator's SSH agent, when the service runs with one;
         *   <li>{@code http_proxy}, {@code https_proxy}, {@code no_proxy} (and upper case): Nix fetches through the
         *       same proxy as the service, as tofu does (infra-service's {@code TofuEnvironment}).
         * </ul>
         *
         * The step's own variables ({@code SSH_CONFIG_FILE}, {@code NIX_SSHOPTS}) are added on top.
         */
        static final Set<String> INHERITED = Set.of(
                "PATH",
                "HOME",
                "USER",
                "LOGNAME",
                "LANG",
                "LC_ALL",
                "TMPDIR",
                "NIX_PATH",
                "NIX_CONFIG",
                "NIX_REMOTE",
                "NIX_SSL_CERT_FILE",
                "SSL_CERT_FILE",
                "SSH_AUTH_SOCK",
                "http_proxy",
                "https_proxy",
                "no_proxy",
                "HTTP_PROXY",
                "HTTPS_PROXY",
                "NO_PROXY");

        private final Map<String, String> service;

        /** Runs the activator with what it needs of this service's environment ({@code System.getenv()}). */
        public Local() {
            this(System.getenv());
        }

        /**
         * @param service the environment to take {@link #INHERITED} from (this service's own outside tests)
         */
        Local(Map<String, String> service) {
            this.service = Map.copyOf(service);
        }

        /** The activator's whole environment: {@link #INHERITED} of {@code service}, then the step's {@code step}. */
        static Map<String, String> environment(Map<String, String> service, Map<String, String> step) {
            Map<String, String> env = new TreeMap<>();
            service.forEach((name, value) -> {
                if (INHERITED.contains(name)) {
                    env.put(name, value);
                }
            });
            env.putAll(step);
            return env;
        }

        @Override
        public String seenAt(String host, Path local) {
            return local.toAbsolutePath().normalize().toString();
        }

        @Override
        public void stage(String host, Path local) {
            // the activator runs here: the folder is where it is
        }

        @Override
        public Outcome run(
                String host,
                List<String> argv,
                String cwd,
                Map<String, String> env,
                Duration timeout,
                Consumer<String> output)
                throws IOException, InterruptedException {
            ProcessBuilder builder =
                    new ProcessBuilder(argv).directory(Path.of(cwd).toFile()).redirectErrorStream(true);
            builder.environment().clear();
            builder.environment().putAll(environment(service, env));
            Process process;
            try {
                process = builder.start();
            } catch (IOException e) {
                throw new IOException(
                        host + ": cannot start " + argv.get(0) + " on this machine: " + e.getMessage()
                                + "; install it here, set handoff.converge.activator-executable, or run the"
                                + " activator on a build host (handoff.converge.build-host)",
                        e);
            }
            List<String> lines = new ArrayList<>();
            Thread pump = new Thread(
                    () -> {
                        try (BufferedReader reader = new BufferedReader(
                                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                            String line;
                            while ((line = reader.readLine()) != null) {
                                output.accept(line);
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
            synchronized (lines) {
                return new Outcome(finished ? process.exitValue() : -1, !finished, String.join("\n", lines));
            }
        }

        @Override
        public String describe() {
            return "this machine";
        }
    }

    /**
     * Runs the activator on a build host over SSH (a NixOS machine with Nix and the activator, by default the control
     * host). Each run's folder is uploaded to {@code <dir>/<host>} (the previous one removed first); the commands run
     * there with {@code sh}, their arguments single-quoted.
     */
    final class Remote implements BuildPlace {
        private final SshjHosts ssh;
        private final String user;
        private final String address;
        private final String dir;

        /**
         * @param dir the build host's folder for the runs, absolute
         */
        /** The build host's address, as handoff.converge.build-host names it. */
        public String address() {
            return address;
        }

        public Remote(SshjHosts ssh, String user, String address, String dir) {
            if (!dir.startsWith("/") || dir.contains("'") || dir.contains("..")) {
                throw new IllegalArgumentException(
                        "handoff.converge.build-host.dir must be an absolute path without quotes or '..': " + dir);
            }
            this.ssh = ssh;
            this.user = user;
            this.address = address;
            this.dir = dir.endsWith("/") ? dir.substring(0, dir.length() - 1) : dir;
        }

        @Override
        public String seenAt(String host, Path local) {
            return dir + "/" + host;
        }

        @Override
        public void stage(String host, Path local) throws IOException {
            String target = seenAt(host, local);
            try (HostSession session = open()) {
                // Nix reads runtime, secrets and facts from their Git objects by revision: only .git goes up for
                // them, so no file of a checkout (nor a link in one) is read here or copied there
                List<String> repositories = List.of("runtime", "secrets", "facts");
                StringBuilder clear =
                        new StringBuilder("rm -rf -- ").append(quote(target)).append(" && mkdir -p --");
                repositories.forEach(repo -> clear.append(' ').append(quote(target + "/" + repo)));
                CommandResult cleared = session.run(clear.toString());
                if (!cleared.ok()) {
                    throw new IOException("the build host " + address + " could not clear " + target + " (exit "
                            + cleared.exitCode() + "): " + cleared.stderr().strip());
                }
                for (String repo : repositories) {
                    session.upload(local.resolve(repo).resolve(".git"), target + "/" + repo + "/.git");
                }
                session.upload(local.resolve("deploy"), target + "/deploy");
                session.upload(local.resolve("ssh"), target + "/ssh");
            } catch (SshException e) {
                throw new IOException(e.getMessage(), e);
            }
        }

        @Override
        public Outcome run(
                String host,
                List<String> argv,
                String cwd,
                Map<String, String> env,
                Duration timeout,
                Consumer<String> output)
                throws IOException {
            StringBuilder command = new StringBuilder("cd ").append(quote(cwd)).append(" &&");
            env.forEach((name, value) ->
                    command.append(' ').append(name).append('=').append(quote(value)));
            for (String arg : argv) {
                command.append(' ').append(quote(arg));
            }
            try (HostSession session = open()) {
                CommandResult result = session.run(command.toString(), timeout, output);
                String merged = result.stdout() + result.stderr();
                return new Outcome(result.exitCode(), result.exitCode() == -1, merged.strip());
            } catch (SshException e) {
                throw new IOException(
                        host + ": the build host " + address + " did not run the activator: " + e.getMessage(), e);
            }
        }

        @Override
        public String describe() {
            return "the build host " + user + "@" + address;
        }

        private HostSession open() throws SshException {
            // not an inventory host: its key is pinned under build-host:<address>, at first contact as configured
            return ssh.open(HostKeyTrusted.BUILD_HOST_PREFIX + address, user, address);
        }

        /** Single-quotes {@code value} for sh. */
        static String quote(String value) {
            return "'" + value.replace("'", "'\\''") + "'";
        }
    }
}
