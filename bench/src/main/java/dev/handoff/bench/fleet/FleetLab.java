package dev.handoff.bench.fleet;

import dev.handoff.bench.BenchException;
import dev.handoff.lab.LabPostgres;
import dev.handoff.lab.launcher.LabEnvFile;
import dev.handoff.lab.launcher.LabHome;
import dev.handoff.lab.launcher.ServiceModule;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The bench's own lab: {@code ./handoff up --fleet N} run as a child process in a lab folder, with a database prefix
 * and ports of its own, so that a developer's lab on the same machine is left alone; {@code ./handoff push} into it;
 * and at the end the lab stopped and its databases dropped.
 */
final class FleetLab implements AutoCloseable {
    /** The stages whose concurrency the bench sets ({@code HANDOFF_<STAGE>_CONCURRENCY}). */
    static final List<String> STAGES = List.of("infra", "secrets", "converge", "workload", "backup");

    private static final Duration STOP_GRACE = Duration.ofSeconds(90);

    private final Path root;
    private final LabHome home;
    private final Map<String, String> env;
    private final Path upLog;
    private Process launcher;
    private boolean closed;

    /**
     * @param root the project folder (where {@code ./handoff} is)
     * @param home the lab folder ({@code HANDOFF_HOME})
     * @param databasePrefix the lab's database prefix ({@code HANDOFF_LAB_DATABASE_PREFIX})
     * @param concurrency every stage's {@code HANDOFF_<STAGE>_CONCURRENCY}
     * @param upLog where {@code ./handoff up} writes its output
     */
    FleetLab(Path root, Path home, String databasePrefix, int concurrency, Path upLog) {
        this.root = root;
        this.home = new LabHome(home);
        this.upLog = upLog;
        Map<String, String> e = new LinkedHashMap<>();
        e.put(LabHome.VARIABLE, this.home.root().toString());
        e.put("HANDOFF_LAB_DATABASE_PREFIX", databasePrefix);
        for (String stage : STAGES) {
            e.put(
                    "HANDOFF_" + stage.toUpperCase(java.util.Locale.ROOT) + "_CONCURRENCY",
                    Integer.toString(concurrency));
        }
        this.env = Map.copyOf(e);
    }

    /** The variables the bench adds to the lab's environment. */
    Map<String, String> environment() {
        return env;
    }

    LabHome home() {
        return home;
    }

    /**
     * Starts the lab and waits until it has written {@code run/lab.env} (every service ready).
     *
     * @throws BenchException if it exits first or is not up within {@code deadline}
     */
    synchronized void start(FleetSettings settings, int port, int kafkaPort, Duration deadline)
            throws InterruptedException {
        List<String> command = List.of(
                "./handoff",
                "up",
                "--port",
                Integer.toString(port),
                "--kafka-port",
                Integer.toString(kafkaPort),
                "--fleet",
                Integer.toString(settings.hosts()),
                "--activation",
                settings.activationArgument());
        try {
            Files.createDirectories(upLog.getParent());
            ProcessBuilder builder = new ProcessBuilder(command)
                    .directory(root.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(upLog.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            builder.environment().putAll(env);
            launcher = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + String.join(" ", command) + " in " + root, e);
        }
        long end = System.nanoTime() + deadline.toNanos();
        String pid = Long.toString(launcher.pid());
        while (System.nanoTime() < end) {
            if (!launcher.isAlive()) {
                throw new BenchException("./handoff up exited with code " + launcher.exitValue()
                        + " before the lab was up. Last lines of " + upLog + ":\n" + tail(upLog, 40));
            }
            if (pid.equals(labEnv().get(LabEnvFile.PID))) {
                return;
            }
            launcher.waitFor(500, TimeUnit.MILLISECONDS);
        }
        throw new BenchException("the lab was not up within " + deadline.toSeconds() + " s. Last lines of " + upLog
                + ":\n" + tail(upLog, 40));
    }

    /** The running lab's {@code run/lab.env}; empty when it is not written. */
    Map<String, String> labEnv() {
        try {
            return LabEnvFile.read(home.labEnv()).map(LabEnvFile::values).orElse(Map.of());
        } catch (UncheckedIOException notYet) {
            return Map.of();
        }
    }

    String controlUrl() {
        return require(LabEnvFile.CONTROL_URL);
    }

    String operatorToken() {
        return require(LabEnvFile.OPERATOR_TOKEN);
    }

    String bootstrapServers() {
        return require(LabEnvFile.KAFKA);
    }

    long launcherPid() {
        return launcher.pid();
    }

    /** The lab's JVMs: the launcher, then each running service by name. */
    Map<String, Long> processes() {
        Map<String, Long> pids = new LinkedHashMap<>();
        pids.put("lab launcher", launcher.pid());
        List<ProcessHandle> children = launcher.toHandle().children().toList();
        for (ServiceModule module : ServiceModule.ALL) {
            String jar = File.separator + module.name() + "/target/quarkus-app/quarkus-run.jar";
            children.stream()
                    .filter(p -> commandLine(p.pid()).contains(jar))
                    .findFirst()
                    .ifPresent(p -> pids.put(module.name(), p.pid()));
        }
        return pids;
    }

    /**
     * {@code ./handoff push <repository> -m <message>}: commits, pushes and delivers the webhook.
     *
     * @return the pushed commit
     * @throws BenchException if the push or its webhook failed
     */
    String push(String repository, String message) throws InterruptedException {
        Path log = upLog.resolveSibling("fleet-push.log");
        try {
            ProcessBuilder builder = new ProcessBuilder("./handoff", "push", repository, "-m", message)
                    .directory(root.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            builder.environment().putAll(env);
            Process push = builder.start();
            if (!push.waitFor(5, TimeUnit.MINUTES)) {
                push.destroyForcibly();
                throw new BenchException("./handoff push " + repository + " did not finish within 5 minutes");
            }
            if (push.exitValue() != 0) {
                throw new BenchException("./handoff push " + repository + " failed (exit " + push.exitValue()
                        + "). Last lines of " + log + ":\n" + tail(log, 20));
            }
            Process git = new ProcessBuilder("git", "rev-parse", "HEAD")
                    .directory(home.work().resolve(repository).toFile())
                    .redirectErrorStream(true)
                    .start();
            String commit = new String(git.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (git.waitFor() != 0 || !commit.matches("[0-9a-f]{40}")) {
                throw new BenchException("cannot read the pushed commit of " + repository + ": " + commit);
            }
            return commit;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot push " + repository, e);
        }
    }

    /** Stops the lab (SIGTERM: it stops its services, then its broker) and drops its databases. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (launcher != null && launcher.isAlive()) {
            List<ProcessHandle> descendants = launcher.descendants().toList();
            launcher.destroy();
            try {
                if (!launcher.waitFor(STOP_GRACE.toSeconds(), TimeUnit.SECONDS)) {
                    System.err.println(
                            "bench: the lab did not stop within " + STOP_GRACE.toSeconds() + " s: killing it");
                    launcher.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                launcher.destroyForcibly();
            }
            descendants.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
        }
        Map<String, String> labEnvironment = new HashMap<>(System.getenv());
        labEnvironment.putAll(env);
        try (LabPostgres postgres = LabPostgres.open(labEnvironment, home.postgresData())) {
            List<String> dropped = new ArrayList<>();
            for (ServiceModule module : ServiceModule.ALL) {
                String database = module.database(labEnvironment);
                postgres.dropDatabase(database);
                dropped.add(database);
            }
            System.out.println("bench: lab stopped; databases dropped: " + String.join(", ", dropped));
        } catch (RuntimeException e) {
            System.err.println("bench: could not drop the lab's databases: " + e.getMessage());
        }
    }

    private String require(String key) {
        return Optional.ofNullable(labEnv().get(key))
                .orElseThrow(() -> new BenchException(home.labEnv() + " has no " + key));
    }

    private static String commandLine(long pid) {
        try {
            return new String(
                            Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline")), StandardCharsets.UTF_8)
                    .replace('\0', ' ');
        } catch (IOException | RuntimeException e) {
            return ProcessHandle.of(pid).flatMap(p -> p.info().commandLine()).orElse("");
        }
    }

    static String tail(Path file, int lines) {
        try {
            List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(cannot read " + file + ": " + e.getMessage() + ")";
        }
    }
}
