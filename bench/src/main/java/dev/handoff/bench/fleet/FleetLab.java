package dev.handoff.bench.fleet;

import dev.handoff.bench.BenchException;
import dev.handoff.bench.BenchLab;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The bench's own lab: {@code ./handoff up --fleet N} run as a child process in a lab folder, with a database prefix
 * and ports of its own, so that a developer's lab on the same machine is left alone; {@code ./handoff push} into it;
 * and at the end the lab stopped and its databases dropped.
 */
final class FleetLab implements AutoCloseable {
    /** The stages whose concurrency the bench sets ({@code HANDOFF_<STAGE>_CONCURRENCY}). */
    static final List<String> STAGES = List.of("infra", "secrets", "converge", "workload", "backup");

    private final BenchLab lab;

    /**
     * @param root the project folder (where {@code ./handoff} is)
     * @param home the lab folder ({@code HANDOFF_HOME})
     * @param databasePrefix the lab's database prefix ({@code HANDOFF_LAB_DATABASE_PREFIX})
     * @param concurrency every stage's {@code HANDOFF_<STAGE>_CONCURRENCY}
     * @param upLog where {@code ./handoff up} writes its output
     */
    FleetLab(Path root, Path home, String databasePrefix, int concurrency, Path upLog) {
        Map<String, String> e = new LinkedHashMap<>();
        e.put("HANDOFF_LAB_DATABASE_PREFIX", databasePrefix);
        for (String stage : STAGES) {
            e.put(
                    "HANDOFF_" + stage.toUpperCase(java.util.Locale.ROOT) + "_CONCURRENCY",
                    Integer.toString(concurrency));
        }
        this.lab = new BenchLab("bench", root, home, e, upLog);
    }

    /** The variables the bench adds to the lab's environment. */
    Map<String, String> environment() {
        return lab.environment();
    }

    LabHome home() {
        return lab.home();
    }

    /**
     * Starts the lab and waits until it has written {@code run/lab.env} (every service ready).
     *
     * @throws BenchException if it exits first or is not up within {@code deadline}
     */
    void start(FleetSettings settings, int port, int kafkaPort, Duration deadline) throws InterruptedException {
        lab.start(
                List.of(
                        "--port",
                        Integer.toString(port),
                        "--kafka-port",
                        Integer.toString(kafkaPort),
                        "--fleet",
                        Integer.toString(settings.hosts()),
                        "--activation",
                        settings.activationArgument()),
                deadline);
    }

    /** The running lab's {@code run/lab.env}; empty when it is not written. */
    Map<String, String> labEnv() {
        return lab.labEnv();
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
        return lab.launcher().pid();
    }

    /** The lab's JVMs: the launcher, then each running service by name. */
    Map<String, Long> processes() {
        Map<String, Long> pids = new LinkedHashMap<>();
        pids.put("lab launcher", lab.launcher().pid());
        List<ProcessHandle> children = lab.launcher().toHandle().children().toList();
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
        Path log = lab.upLog().resolveSibling("fleet-push.log");
        try {
            ProcessBuilder builder = new ProcessBuilder("./handoff", "push", repository, "-m", message)
                    .directory(lab.root().toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            builder.environment().putAll(lab.environment());
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
                    .directory(lab.home().work().resolve(repository).toFile())
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
    public void close() {
        lab.close();
    }

    private String require(String key) {
        return lab.require(key);
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
        return BenchLab.tail(file, lines);
    }
}
