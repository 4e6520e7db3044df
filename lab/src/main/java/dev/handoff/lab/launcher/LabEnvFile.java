package dev.handoff.lab.launcher;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code run/lab.env}: what a running lab tells {@code ./handoff push} and people (control URL, webhook secret,
 * operator token), as {@code KEY=value} lines a shell can source. Readable by its owner only: it holds credentials.
 * It exists while the lab runs.
 *
 * @param values the variables, in file order
 */
public record LabEnvFile(Map<String, String> values) {
    public static final String CONTROL_URL = "HANDOFF_CONTROL_URL";
    public static final String WEBHOOK_URL = "HANDOFF_WEBHOOK_URL";
    public static final String WEBHOOK_SECRET = LabCredentials.SECRET_VARIABLE;
    public static final String OPERATOR_TOKEN = LabCredentials.TOKEN_VARIABLE;
    public static final String KAFKA = "KAFKA_BOOTSTRAP_SERVERS";
    public static final String PID = "HANDOFF_LAB_PID";
    /** The lab's Forgejo API, where control-service posts commit statuses. */
    public static final String FORGEJO_URL = "HANDOFF_LAB_FORGEJO_URL";
    /** The running lab's drill endpoint ({@code ./handoff kill}, {@code stop kafka}, …), on loopback. */
    public static final String DRILL_URL = "HANDOFF_LAB_DRILL_URL";
    /** The bearer token of the drill endpoint, new at each start. */
    public static final String DRILL_TOKEN = "HANDOFF_LAB_DRILL_TOKEN";

    public LabEnvFile {
        values = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    /** The value of {@code key}, if present and not empty. */
    public Optional<String> get(String key) {
        return Optional.ofNullable(values.get(key)).filter(v -> !v.isEmpty());
    }

    /** Writes the file with mode 0600 (where the file system has POSIX permissions), replacing it atomically. */
    public void write(Path file) {
        StringBuilder text =
                new StringBuilder("# The running Handoff lab (./handoff up). Holds credentials: keep it private.\n");
        values.forEach((k, v) -> text.append(k).append('=').append(v).append('\n'));
        try {
            Files.createDirectories(file.getParent());
            Path temp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.deleteIfExists(temp);
            try {
                Files.createFile(
                        temp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } catch (UnsupportedOperationException noPosix) {
                Files.createFile(temp);
            }
            Files.writeString(temp, text, StandardCharsets.UTF_8);
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    /** Reads the file, if it exists. */
    public static Optional<LabEnvFile> read(Path file) {
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        Map<String, String> values = new LinkedHashMap<>();
        for (String line : lines) {
            int eq = line.indexOf('=');
            if (line.isBlank() || line.startsWith("#") || eq < 1) {
                continue;
            }
            values.put(line.substring(0, eq).trim(), line.substring(eq + 1).trim());
        }
        return Optional.of(new LabEnvFile(values));
    }

    /** {@code true} if the lab that wrote this file is still running. */
    public boolean labRunning() {
        return get(PID).flatMap(pid -> {
                    try {
                        return ProcessHandle.of(Long.parseLong(pid));
                    } catch (NumberFormatException e) {
                        return Optional.empty();
                    }
                })
                .map(ProcessHandle::isAlive)
                .orElse(false);
    }
}
