package dev.handoff.infra.driver;

import dev.handoff.common.Sha256;
import dev.handoff.infra.stage.Redactor;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * Archives a stack's state before an apply: a timestamped gzip archive and a {@code sha256sum}-style checksum file,
 * kept locally and copied to the off-machine destination (a directory, whose copy is read back and checked, and/or
 * a command such as {@code rclone copyto {archive} remote:handoff/{name}}). Restores a chosen archive only after
 * its checksum matched.
 *
 * <p>Archive names: {@code <owner>_<repo>__<stack path with / as _>__<UTC yyyyMMdd'T'HHmmssSSS'Z'>.tfstate.gz}.
 */
public final class StateArchive {
    private static final DateTimeFormatter STAMP =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmssSSS'Z'").withZone(ZoneOffset.UTC);
    private static final Pattern NAME =
            Pattern.compile("^([A-Za-z0-9_.-]+)__([A-Za-z0-9_.-]+)__(\\d{8}T\\d{9}Z)\\.tfstate\\.gz$");

    private final Path localDir;
    private final Optional<Path> destination;
    private final Optional<String> command;
    private final ProcessRunner runner;
    private final Clock clock;

    public StateArchive(
            Path localDir, Optional<Path> destination, Optional<String> command, ProcessRunner runner, Clock clock) {
        this.localDir = localDir;
        this.destination = destination;
        this.command = command;
        this.runner = runner;
        this.clock = clock;
    }

    /**
     * An archived state.
     *
     * @param name the archive's file name
     * @param sha256 its checksum
     * @param local where it is kept locally
     * @param offMachine where the destination directory holds the checked copy, if one is configured
     */
    public record Archived(String name, String sha256, Path local, Optional<Path> offMachine) {}

    /** The archive or its copy failed; nothing may be applied. */
    public static final class ArchiveException extends Exception {
        public ArchiveException(String message) {
            super(message);
        }
    }

    /**
     * Archives a stack's state as {@code tofu state pull} printed it, copies it off the machine and checks the copy.
     *
     * @param state the state document; it must be one (a {@code version} with a {@code lineage}, or tofu's encrypted
     *     form): an archive that holds no state is never written, as it would later be claimed as a backup
     * @throws ArchiveException when {@code state} is not a state document, or storing or copying it failed
     */
    public Archived archive(String repository, String stack, byte[] state)
            throws ArchiveException, InterruptedException {
        TofuState.check(stack, state);
        String name = repository.replace('/', '_') + "__" + stack.replace('/', '_') + "__"
                + STAMP.format(clock.instant()) + ".tfstate.gz";
        try {
            Files.createDirectories(localDir);
            Path archive = localDir.resolve(name);
            try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(archive))) {
                out.write(state);
            }
            String sha = sha256(archive);
            Path checksum = localDir.resolve(name + ".sha256");
            Files.writeString(checksum, sha + "  " + name + "\n", StandardCharsets.UTF_8);
            Optional<Path> copy = Optional.empty();
            if (destination.isPresent()) {
                copy = Optional.of(copyTo(destination.get(), archive, checksum, sha));
            }
            if (command.isPresent()) {
                runCommand(command.get(), archive, checksum, name);
            }
            return new Archived(name, sha, archive, copy);
        } catch (IOException e) {
            throw new ArchiveException("archiving the state of " + stack + " failed: " + e.getMessage()
                    + "; check that " + localDir + " and the destination are writable");
        }
    }

    private static Path copyTo(Path dir, Path archive, Path checksum, String sha) throws IOException, ArchiveException {
        Files.createDirectories(dir);
        Path copy = dir.resolve(archive.getFileName());
        Path tmp = Files.createTempFile(dir, archive.getFileName() + ".", ".part");
        Files.copy(archive, tmp, StandardCopyOption.REPLACE_EXISTING);
        Files.move(tmp, copy, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        Files.copy(checksum, dir.resolve(checksum.getFileName()), StandardCopyOption.REPLACE_EXISTING);
        String copied = sha256(copy);
        if (!copied.equals(sha)) {
            throw new ArchiveException("the copy " + copy + " has sha256 " + copied + " but the archive has " + sha
                    + "; the destination is not storing files faithfully — check its disk before applying");
        }
        return copy;
    }

    private void runCommand(String template, Path archive, Path checksum, String name)
            throws IOException, ArchiveException, InterruptedException {
        for (Path file : List.of(archive, checksum)) {
            String line = template.replace("{archive}", quote(file.toString()))
                    .replace("{name}", quote(file.getFileName().toString()));
            try {
                ProcessRunner.Result r = runner.run(
                        "archive copy " + name,
                        List.of("sh", "-c", line),
                        localDir,
                        Map.of(),
                        Duration.ofMinutes(10),
                        false,
                        new Redactor());
                if (r.exitCode() != 0) {
                    throw new ArchiveException("the archive copy command exited with " + r.exitCode() + " for "
                            + file.getFileName() + ": " + String.join(" | ", r.tail())
                            + "; fix handoff.infra.archive.command");
                }
            } catch (ProcessRunner.TimedOut e) {
                throw new ArchiveException(e.getMessage() + "; the archive copy command hangs");
            }
        }
    }

    /** The archive names found locally and at the destination, newest first. */
    public List<String> list() throws IOException {
        List<String> names = new ArrayList<>();
        for (Path dir : searchPath()) {
            if (Files.isDirectory(dir)) {
                try (Stream<Path> files = Files.list(dir)) {
                    files.map(p -> p.getFileName().toString())
                            .filter(n -> NAME.matcher(n).matches())
                            .filter(n -> !names.contains(n))
                            .forEach(names::add);
                }
            }
        }
        names.sort(java.util.Comparator.comparing((String n) -> stampOf(n)).reversed());
        return names;
    }

    /**
     * An archive whose checksum matched.
     *
     * @param archive the archive's name
     * @param repositoryPart the repository it belongs to, {@code owner_name}
     * @param stackPart the stack, {@code /} written as {@code _}
     * @param sha256 the verified checksum
     * @param source where the archive was read from
     * @param state the state document it holds
     */
    public record Verified(
            String archive, String repositoryPart, String stackPart, String sha256, Path source, byte[] state) {}

    /** The restore was refused; nothing was changed. */
    public static final class RestoreRefused extends Exception {
        private final boolean notFound;

        public RestoreRefused(String message, boolean notFound) {
            super(message);
            this.notFound = notFound;
        }

        /** Whether the archive does not exist (rather than failing its check). */
        public boolean notFound() {
            return notFound;
        }
    }

    /**
     * Reads {@code name} for a restore: checks the archive against its {@code .sha256} file and refuses on any
     * mismatch, and refuses an archive that holds no state document.
     */
    public Verified verify(String name) throws RestoreRefused, IOException {
        Matcher m = NAME.matcher(name == null ? "" : name);
        if (!m.matches()) {
            throw new RestoreRefused(
                    "'" + name + "' is not a state archive name (<repo>__<stack>__<time>.tfstate.gz); list them with"
                            + " GET /api/state/archives",
                    true);
        }
        Path source = null;
        for (Path dir : searchPath()) {
            if (Files.isRegularFile(dir.resolve(name))) {
                source = dir.resolve(name);
                break;
            }
        }
        if (source == null) {
            throw new RestoreRefused("no archive " + name + " in " + searchPath(), true);
        }
        Path checksumFile = source.resolveSibling(name + ".sha256");
        if (!Files.isRegularFile(checksumFile)) {
            throw new RestoreRefused(
                    "the archive " + source + " has no checksum file " + checksumFile.getFileName()
                            + "; it cannot be verified, so it is not restored",
                    false);
        }
        String expected =
                Files.readString(checksumFile, StandardCharsets.UTF_8).strip().split("\\s+")[0];
        String actual = sha256(source);
        if (!actual.equals(expected)) {
            throw new RestoreRefused(
                    "the archive " + source + " has sha256 " + actual + " but " + checksumFile.getFileName()
                            + " says " + expected
                            + "; it is damaged or was altered, so it is not restored. Choose another"
                            + " archive (GET /api/state/archives).",
                    false);
        }
        byte[] state;
        try (InputStream in = new GZIPInputStream(Files.newInputStream(source))) {
            state = in.readAllBytes();
        }
        try {
            TofuState.check(m.group(2), state);
        } catch (ArchiveException e) {
            throw new RestoreRefused(
                    "the archive " + name + " holds no OpenTofu state (" + e.getMessage() + "); choose another archive",
                    false);
        }
        return new Verified(name, m.group(1), m.group(2), actual, source, state);
    }

    private List<Path> searchPath() {
        List<Path> dirs = new ArrayList<>();
        dirs.add(localDir);
        destination.ifPresent(dirs::add);
        return dirs;
    }

    private static String stampOf(String name) {
        Matcher m = NAME.matcher(name);
        return m.matches() ? m.group(3) : "";
    }

    /** The lower-case hex SHA-256 of a file. */
    public static String sha256(Path file) throws IOException {
        return Sha256.of(file);
    }

    private static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }
}
