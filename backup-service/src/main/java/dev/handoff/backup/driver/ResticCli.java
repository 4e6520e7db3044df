package dev.handoff.backup.driver;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The real restic CLI as a process: the repository and its password reach it only as environment variables naming
 * files ({@code RESTIC_REPOSITORY} for a repository without credentials, {@code RESTIC_REPOSITORY_FILE} for a URL
 * with them, {@code RESTIC_PASSWORD_FILE}); nothing secret is on the command line. {@code --no-cache}: every run
 * reads the repository itself, so a damaged pack is not hidden by a local copy.
 */
public final class ResticCli {
    /**
     * Where a contract's backups are and how to open them.
     *
     * @param repository the repository, when it holds no credentials
     * @param repositoryFile a file holding the repository URL (with credentials)
     * @param passwordFile the file holding the password
     */
    public record Target(String repository, Path repositoryFile, Path passwordFile) {}

    /** What restic printed and how it ended ({@code exitCode} -1: killed at the timeout). */
    public record Result(int exitCode, String stdout, String stderr) {
        public boolean ok() {
            return exitCode == 0;
        }
    }

    /** The executable could not be started. */
    public static final class NotInstalledException extends Exception {
        public NotInstalledException(String executable, IOException cause) {
            super("the restic executable '" + executable + "' cannot be run (" + cause.getMessage()
                    + "); install restic (apt-get install restic) or set handoff.backup.restic-executable");
        }
    }

    private final String executable;
    private final Duration timeout;
    private final Path workdir;

    public ResticCli(String executable, Duration timeout, Path workdir) {
        this.executable = executable;
        this.timeout = timeout;
        this.workdir = workdir;
    }

    /** The configured executable. */
    public String executable() {
        return executable;
    }

    /** Runs {@code restic --no-cache <args>} against {@code target}. */
    public Result run(Target target, List<String> args)
            throws NotInstalledException, IOException, InterruptedException {
        Files.createDirectories(workdir);
        Path out = Files.createTempFile(workdir, "restic", ".out");
        Path err = Files.createTempFile(workdir, "restic", ".err");
        try {
            List<String> command = new ArrayList<>();
            command.add(executable);
            command.add("--no-cache");
            command.addAll(args);
            ProcessBuilder builder = new ProcessBuilder(command)
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            var env = builder.environment();
            env.keySet().removeIf(k -> k.startsWith("RESTIC_") || k.startsWith("AWS_") || k.startsWith("B2_"));
            if (target.repositoryFile() != null) {
                env.put("RESTIC_REPOSITORY_FILE", target.repositoryFile().toString());
            } else {
                env.put("RESTIC_REPOSITORY", target.repository());
            }
            env.put("RESTIC_PASSWORD_FILE", target.passwordFile().toString());
            Process process;
            try {
                process = builder.start();
            } catch (IOException e) {
                throw new NotInstalledException(executable, e);
            }
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
                return new Result(-1, "", "restic " + args.get(0) + " did not end within " + timeout + "; killed");
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
