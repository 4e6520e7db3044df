package dev.handoff.bench;

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
 * A benchmark's own lab: {@code ./handoff up} run as a child process in a lab folder, with a database prefix and ports
 * of its own, so that a developer's lab on the same machine is left alone; at the end the lab stopped and its
 * databases dropped. The fleet and chaos benchmarks build on it.
 */
public final class BenchLab implements AutoCloseable {
    private static final Duration STOP_GRACE = Duration.ofSeconds(90);

    private final String name;
    private final Path root;
    private final LabHome home;
    private final Map<String, String> env;
    private final Path upLog;
    private Process launcher;
    private boolean closed;

    /**
     * @param name the benchmark's name, first word of the lines it prints ({@code bench}, {@code chaos})
     * @param root the project folder (where {@code ./handoff} is)
     * @param home the lab folder ({@code HANDOFF_HOME})
     * @param variables what the benchmark adds to the lab's environment (the database prefix, …)
     * @param upLog where {@code ./handoff up} writes its output
     */
    public BenchLab(String name, Path root, Path home, Map<String, String> variables, Path upLog) {
        this.name = name;
        this.root = root;
        this.home = new LabHome(home);
        this.upLog = upLog;
        Map<String, String> e = new LinkedHashMap<>();
        e.put(LabHome.VARIABLE, this.home.root().toString());
        e.putAll(variables);
        this.env = Map.copyOf(e);
    }

    public Path root() {
        return root;
    }

    public LabHome home() {
        return home;
    }

    /** Where {@code ./handoff up} writes its output; the benchmark's other logs go beside it. */
    public Path upLog() {
        return upLog;
    }

    /** The variables the benchmark adds to the lab's environment, its folder among them. */
    public Map<String, String> environment() {
        return env;
    }

    /** The environment a lab client sees: the process's own plus the lab's folder and prefix. */
    public Map<String, String> clientEnvironment() {
        Map<String, String> all = new HashMap<>(System.getenv());
        all.putAll(env);
        return all;
    }

    /**
     * Runs {@code ./handoff up <arguments>} and waits until it has written {@code run/lab.env} (every service ready).
     *
     * @throws BenchException if it exits first or is not up within {@code deadline}
     */
    public synchronized void start(List<String> arguments, Duration deadline) throws InterruptedException {
        List<String> command = new ArrayList<>(List.of("./handoff", "up"));
        command.addAll(arguments);
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

    /** The launcher's process (null before {@link #start}). */
    public Process launcher() {
        return launcher;
    }

    /** The running lab's {@code run/lab.env}; empty when it is not written. */
    public Map<String, String> labEnv() {
        try {
            return LabEnvFile.read(home.labEnv()).map(LabEnvFile::values).orElse(Map.of());
        } catch (UncheckedIOException notYet) {
            return Map.of();
        }
    }

    /** A value of {@code run/lab.env}; a {@link BenchException} naming the file when it has none. */
    public String require(String key) {
        return Optional.ofNullable(labEnv().get(key))
                .orElseThrow(() -> new BenchException(home.labEnv() + " has no " + key));
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
                            name + ": the lab did not stop within " + STOP_GRACE.toSeconds() + " s: killing it");
                    launcher.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                launcher.destroyForcibly();
            }
            descendants.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
        }
        Map<String, String> labEnvironment = clientEnvironment();
        try (LabPostgres postgres = LabPostgres.open(labEnvironment, home.postgresData())) {
            List<String> dropped = new ArrayList<>();
            for (ServiceModule module : ServiceModule.ALL) {
                String database = module.database(labEnvironment);
                postgres.dropDatabase(database);
                dropped.add(database);
            }
            System.out.println(name + ": lab stopped; databases dropped: " + String.join(", ", dropped));
        } catch (RuntimeException e) {
            System.err.println(name + ": could not drop the lab's databases: " + e.getMessage());
        }
    }

    /** The last {@code lines} lines of {@code file}, or why they cannot be read. */
    public static String tail(Path file, int lines) {
        try {
            List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(cannot read " + file + ": " + e.getMessage() + ")";
        }
    }
}
