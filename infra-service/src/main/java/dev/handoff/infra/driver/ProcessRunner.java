package dev.handoff.infra.driver;

import dev.handoff.common.trace.DriverSpan;
import dev.handoff.common.trace.Tracing;
import dev.handoff.infra.stage.Redactor;
import io.opentelemetry.api.common.AttributeKey;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Runs an external program with a timeout. Its output is streamed to the log line by line with sensitive values
 * redacted (or, for machine output that may hold sensitive values, captured and not logged at all); the last lines
 * are kept, redacted, for error messages. On timeout or cancellation the whole process tree is killed.
 */
public final class ProcessRunner {
    /** What a process worked on, e.g. tofu's stack. */
    static final AttributeKey<String> TARGET = AttributeKey.stringKey("handoff.target");

    private static final Logger LOG = Logger.getLogger(ProcessRunner.class);

    private final int tailLines;

    public ProcessRunner(int tailLines) {
        this.tailLines = tailLines;
    }

    /**
     * What a run produced.
     *
     * @param exitCode the exit code
     * @param stdout standard output, when captured (never logged), else empty
     * @param tail the last lines of standard error and logged standard output, redacted
     */
    public record Result(int exitCode, String stdout, List<String> tail) {}

    /** The process did not end in time and was killed with its children. */
    public static final class TimedOut extends Exception {
        private final List<String> tail;

        TimedOut(String message, List<String> tail) {
            super(message);
            this.tail = List.copyOf(tail);
        }

        /** The last lines it printed, redacted. */
        public List<String> tail() {
            return tail;
        }
    }

    /**
     * Runs {@code command} in {@code dir}.
     *
     * @param label what to call it in the log, e.g. {@code tofu apply stacks/compute}
     * @param captureStdout keep standard output in the result instead of logging it
     * @throws TimedOut when it ran longer than {@code timeout} (it was killed, children included)
     * @throws InterruptedException when the thread was interrupted (it was killed, children included)
     */
    public Result run(
            String label,
            List<String> command,
            Path dir,
            Map<String, String> env,
            Duration timeout,
            boolean captureStdout,
            Redactor redactor)
            throws IOException, TimedOut, InterruptedException {
        return run(label, command, dir, env, false, timeout, captureStdout, redactor);
    }

    /**
     * Runs {@code command} in {@code dir} with exactly {@code env} as its environment, nothing inherited from this
     * service: for programs that run code from a pushed repository (tofu's providers and data sources), which must not
     * see the service's own credentials.
     *
     * @see #run(String, List, Path, Map, Duration, boolean, Redactor)
     */
    public Result runWithOnly(
            String label,
            List<String> command,
            Path dir,
            Map<String, String> env,
            Duration timeout,
            boolean captureStdout,
            Redactor redactor)
            throws IOException, TimedOut, InterruptedException {
        return run(label, command, dir, env, true, timeout, captureStdout, redactor);
    }

    /** Runs the process in a span of the deployment's trace named by its label's first two words, e.g. tofu plan. */
    private Result run(
            String label,
            List<String> command,
            Path dir,
            Map<String, String> env,
            boolean onlyEnv,
            Duration timeout,
            boolean captureStdout,
            Redactor redactor)
            throws IOException, TimedOut, InterruptedException {
        String[] words = label.split(" ", 3);
        try (DriverSpan span = Tracing.driver(words[0], words.length > 1 ? words[1] : "run")) {
            span.attribute(TARGET, words.length > 2 ? words[2] : null);
            try {
                Result result = execute(label, command, dir, env, onlyEnv, timeout, captureStdout, redactor);
                span.exited(result.exitCode(), label + " exited " + result.exitCode());
                return result;
            } catch (IOException | TimedOut | InterruptedException | RuntimeException e) {
                span.failed(e);
                throw e;
            }
        }
    }

    private Result execute(
            String label,
            List<String> command,
            Path dir,
            Map<String, String> env,
            boolean onlyEnv,
            Duration timeout,
            boolean captureStdout,
            Redactor redactor)
            throws IOException, TimedOut, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile());
        if (onlyEnv) {
            builder.environment().clear();
        }
        builder.environment().putAll(env);
        Process process = builder.start();
        process.getOutputStream().close();
        Deque<String> tail = new ArrayDeque<>();
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        Thread out = captureStdout
                ? pump(process.getInputStream(), captured, label)
                : stream(process.getInputStream(), label, tail, redactor);
        Thread err = stream(process.getErrorStream(), label, tail, redactor);
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                killTree(process);
                out.join(2000);
                err.join(2000);
                throw new TimedOut(
                        label + " did not finish within " + timeout.toSeconds() + " s and was killed with its child"
                                + " processes",
                        snapshot(tail));
            }
        } catch (InterruptedException e) {
            killTree(process);
            throw e;
        }
        out.join(5000);
        err.join(5000);
        return new Result(process.exitValue(), captured.toString(StandardCharsets.UTF_8), snapshot(tail));
    }

    /** Kills a process and every descendant, children first. */
    static void killTree(Process process) {
        List<ProcessHandle> descendants = process.descendants().toList();
        descendants.forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            process.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        LOG.warnf("killed process %d and %d child process(es)", process.pid(), descendants.size());
    }

    private Thread stream(InputStream in, String label, Deque<String> tail, Redactor redactor) {
        Thread t = new Thread(
                () -> {
                    try (BufferedReader reader =
                            new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                        String line;
                        while ((line = reader.readLine()) != null) {
                            String safe = redactor.redact(line);
                            LOG.infof("[%s] %s", label, safe);
                            synchronized (tail) {
                                tail.addLast(safe);
                                while (tail.size() > tailLines) {
                                    tail.removeFirst();
                                }
                            }
                        }
                    } catch (IOException e) {
                        LOG.debugf("[%s] output closed: %s", label, e.getMessage());
                    }
                },
                "process-output");
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static Thread pump(InputStream in, ByteArrayOutputStream captured, String label) {
        Thread t = new Thread(
                () -> {
                    try {
                        in.transferTo(captured);
                    } catch (IOException e) {
                        LOG.debugf("[%s] output closed: %s", label, e.getMessage());
                    }
                },
                "process-capture");
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static List<String> snapshot(Deque<String> tail) {
        synchronized (tail) {
            return List.copyOf(tail);
        }
    }
}
