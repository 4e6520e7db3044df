package dev.handoff.lab.launcher;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * One lab service running in its own JVM, its output appended to a log file; ready once {@code GET
 * /q/health/ready} answers 200.
 */
public final class ServiceProcess {
    private static final Logger LOG = Logger.getLogger(ServiceProcess.class);
    private static final Duration POLL = Duration.ofMillis(250);

    private final String name;
    private final int port;
    private final Path log;
    private final Process process;
    private final Launch launch;
    private final java.time.Instant started;
    private final HttpClient http;

    /** How the process was started, to start it again the same way. */
    private record Launch(List<String> command, Map<String, String> env, List<String> removed, Path workDir) {}

    private ServiceProcess(String name, int port, Path log, Process process, Launch launch) {
        this.name = name;
        this.port = port;
        this.log = log;
        this.process = process;
        this.launch = launch;
        // kept: once the process is gone (a drill killed it), the operating system no longer tells
        this.started = LabState.startOf(process.toHandle());
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(2))
                .build();
    }

    /**
     * Starts {@code command} with {@code env} added to this process's environment minus {@code removed}, stdout and
     * stderr appended to {@code log}.
     *
     * @param port where the service answers HTTP
     */
    public static ServiceProcess start(
            String name,
            List<String> command,
            Map<String, String> env,
            List<String> removed,
            Path workDir,
            Path log,
            int port) {
        try {
            Files.createDirectories(log.getParent());
            Files.createDirectories(workDir);
            Files.writeString(
                    log,
                    "---- " + java.time.Instant.now() + " lab starts " + name + ": " + String.join(" ", command) + "\n",
                    StandardCharsets.UTF_8,
                    java.nio.file.StandardOpenOption.CREATE,
                    java.nio.file.StandardOpenOption.APPEND);
            ProcessBuilder builder = new ProcessBuilder(command)
                    .directory(workDir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(nullDevice()));
            removed.forEach(builder.environment()::remove);
            builder.environment().putAll(env);
            Process process = builder.start();
            LOG.infof("Started %s (pid %d) on port %d, log %s", name, process.pid(), port, log);
            return new ServiceProcess(
                    name, port, log, process, new Launch(List.copyOf(command), Map.copyOf(env), removed, workDir));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name + " (" + String.join(" ", command) + ")", e);
        }
    }

    /**
     * Starts the service again as it was started (command, environment, folder, log, port), e.g. after a drill killed
     * it; this process must have ended.
     */
    public ServiceProcess startAgain() {
        if (process.isAlive()) {
            throw new IllegalStateException(name + " (pid " + process.pid() + ") is still running");
        }
        return start(name, launch.command(), launch.env(), launch.removed(), launch.workDir(), log, port);
    }

    public String name() {
        return name;
    }

    public int port() {
        return port;
    }

    public Path log() {
        return log;
    }

    public long pid() {
        return process.pid();
    }

    /** When the process started. */
    public java.time.Instant started() {
        return started;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** The process, e.g. to react when it exits. */
    public Process process() {
        return process;
    }

    /**
     * Waits until the service answers {@code GET /q/health/ready} with 200.
     *
     * @throws ServiceFailedException if it exits first or is not ready within {@code timeout}; the message holds the
     *     last 30 lines of its log
     */
    public void awaitReady(Duration timeout) throws ServiceFailedException, InterruptedException {
        URI ready = URI.create("http://localhost:" + port + "/q/health/ready");
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new ServiceFailedException(name + " exited with code " + process.exitValue()
                        + " before it was ready. Last lines of " + log + ":\n" + logTail(30));
            }
            if (answersReady(ready)) {
                return;
            }
            process.waitFor(POLL.toMillis(), TimeUnit.MILLISECONDS);
        }
        throw new ServiceFailedException(name + " was not ready within " + timeout.toSeconds() + " s (" + ready
                + " did not answer 200). Last lines of " + log + ":\n" + logTail(30));
    }

    /** Asks the service to stop (SIGTERM); kills it if it is still running after {@code grace}. */
    public void stop(Duration grace) {
        if (!process.isAlive()) {
            return;
        }
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        try {
            if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warnf("%s did not stop within %d s: killing it", name, grace.toSeconds());
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    /** The last {@code lines} lines of the service's log. */
    public String logTail(int lines) {
        try {
            List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(cannot read " + log + ": " + e.getMessage() + ")";
        }
    }

    private boolean answersReady(URI ready) throws InterruptedException {
        try {
            HttpResponse<Void> response = http.send(
                    HttpRequest.newBuilder(ready)
                            .timeout(Duration.ofSeconds(2))
                            .GET()
                            .build(),
                    HttpResponse.BodyHandlers.discarding());
            return response.statusCode() == 200;
        } catch (IOException notYet) {
            return false;
        }
    }

    private static java.io.File nullDevice() {
        return new java.io.File(System.getProperty("os.name").startsWith("Windows") ? "NUL" : "/dev/null");
    }
}
