package dev.handoff.lab.world.restic;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs one command of the lab's restic world (restic itself, or {@code unshare … restic backup}) and keeps its output. */
final class ResticCommand {
    private static final long TIMEOUT_SECONDS = 120;

    /** What a command printed and how it ended. */
    record Result(int exitCode, String stdout, String stderr) {
        boolean ok() {
            return exitCode == 0;
        }
    }

    private ResticCommand() {}

    static Result run(List<String> command, Map<String, String> env) throws IOException {
        Path out = Files.createTempFile("restic-world", ".out");
        Path err = Files.createTempFile("restic-world", ".err");
        try {
            ProcessBuilder builder = new ProcessBuilder(new ArrayList<>(command))
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            builder.environment().keySet().removeIf(k -> k.startsWith("RESTIC_"));
            builder.environment().putAll(env);
            Process process = builder.start();
            try {
                if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    throw new IOException(String.join(" ", command.subList(0, Math.min(2, command.size())))
                            + " did not end within " + TIMEOUT_SECONDS + " s");
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
            return new Result(
                    process.exitValue(),
                    Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}
