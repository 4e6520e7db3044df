package dev.handoff.backup.driver;

import dev.handoff.common.trace.DriverSpan;
import dev.handoff.common.trace.Tracing;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * The real restic CLI as a process: the repository and its password reach it only as environment variables naming
 * files ({@code RESTIC_REPOSITORY} for a repository without credentials, {@code RESTIC_REPOSITORY_FILE} for a URL
 * with them, {@code RESTIC_PASSWORD_FILE}); nothing secret is on the command line. {@code --no-cache}: every run
 * reads the repository itself, so a damaged pack is not hidden by a local copy. Of the service's environment restic
 * gets only {@link #INHERITED}: never the service's database, Kafka or API credentials.
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

    /**
     * The names restic inherits from this service's environment, when set; nothing else of it reaches restic:
     *
     * <ul>
     *   <li>{@code PATH}: restic runs {@code ssh}/{@code rclone} for those backends;
     *   <li>{@code HOME}: restic and OpenSSH (an {@code sftp:} repository) find the user's files under it;
     *   <li>{@code TMPDIR}: where restic writes its temporary files (e.g. packs read by {@code check});
     *   <li>{@code LANG}: the locale of the output the redactor reads;
     *   <li>{@code SSL_CERT_FILE}: the CA certificates of an HTTPS backend ({@code rest:https://…}, {@code s3:}).
     * </ul>
     *
     * The repository and its password come only from the contract ({@link Target}), as {@code RESTIC_REPOSITORY} or
     * {@code RESTIC_REPOSITORY_FILE} and {@code RESTIC_PASSWORD_FILE}: no {@code RESTIC_*} of the service (least of all
     * {@code RESTIC_PASSWORD}) and no backend credentials ({@code AWS_*}, {@code B2_*}, …), which a contract does not
     * configure; a REST backend's credentials are in the URL of {@code repositoryFile}. No {@code RESTIC_CACHE_DIR}:
     * every run is {@code --no-cache}.
     */
    static final Set<String> INHERITED = Set.of("PATH", "HOME", "TMPDIR", "LANG", "SSL_CERT_FILE");

    private final String executable;
    private final Duration timeout;
    private final Path workdir;
    private final Map<String, String> service;

    public ResticCli(String executable, Duration timeout, Path workdir) {
        this(executable, timeout, workdir, System.getenv());
    }

    /**
     * @param service the environment to take {@link #INHERITED} from (this service's own outside tests)
     */
    ResticCli(String executable, Duration timeout, Path workdir, Map<String, String> service) {
        this.executable = executable;
        this.timeout = timeout;
        this.workdir = workdir;
        this.service = Map.copyOf(service);
    }

    /** restic's whole environment: {@link #INHERITED} of {@code service}, then {@code target}'s variables. */
    static Map<String, String> environment(Map<String, String> service, Target target) {
        Map<String, String> env = new TreeMap<>();
        service.forEach((name, value) -> {
            if (INHERITED.contains(name)) {
                env.put(name, value);
            }
        });
        if (target.repositoryFile() != null) {
            env.put("RESTIC_REPOSITORY_FILE", target.repositoryFile().toString());
        } else {
            env.put("RESTIC_REPOSITORY", target.repository());
        }
        env.put("RESTIC_PASSWORD_FILE", target.passwordFile().toString());
        return env;
    }

    /** The configured executable. */
    public String executable() {
        return executable;
    }

    /** Runs {@code restic --no-cache <args>} against {@code target}. */
    public Result run(Target target, List<String> args)
            throws NotInstalledException, IOException, InterruptedException {
        try (DriverSpan span = Tracing.driver("restic", args.isEmpty() ? "run" : args.get(0))) {
            try {
                Result result = runOnce(target, args);
                span.exited(
                        result.exitCode(),
                        "restic " + (args.isEmpty() ? "" : args.get(0)) + " exited " + result.exitCode());
                return result;
            } catch (NotInstalledException | IOException | InterruptedException | RuntimeException e) {
                span.failed(e);
                throw e;
            }
        }
    }

    private Result runOnce(Target target, List<String> args)
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
            builder.environment().clear();
            builder.environment().putAll(environment(service, target));
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
