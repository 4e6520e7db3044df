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
 * operator token), as {@code export KEY=value} lines: {@code source .handoff/run/lab.env} is enough for curl
 * ({@code $HANDOFF_CONTROL_URL}, {@code $HANDOFF_OPERATOR_TOKEN}) and for {@code handoffctl}, which reads the same
 * values as {@code HANDOFF_SERVER} and {@code HANDOFF_TOKEN}. Readable by its owner only: it holds credentials. It
 * exists while the lab runs.
 *
 * @param values the variables, in file order
 */
public record LabEnvFile(Map<String, String> values) {
    public static final String CONTROL_URL = "HANDOFF_CONTROL_URL";
    public static final String WEBHOOK_URL = "HANDOFF_WEBHOOK_URL";
    public static final String WEBHOOK_SECRET = LabCredentials.SECRET_VARIABLE;
    public static final String OPERATOR_TOKEN = LabCredentials.TOKEN_VARIABLE;
    /** The control URL under the name {@code handoffctl} reads. */
    public static final String CTL_SERVER = "HANDOFF_SERVER";
    /** The operator token under the name {@code handoffctl} reads. */
    public static final String CTL_TOKEN = "HANDOFF_TOKEN";

    public static final String KAFKA = "KAFKA_BOOTSTRAP_SERVERS";
    public static final String PID = "HANDOFF_LAB_PID";
    /** The lab's Forgejo API, where control-service posts commit statuses. */
    public static final String FORGEJO_URL = "HANDOFF_LAB_FORGEJO_URL";
    /** The running lab's drill endpoint ({@code ./handoff kill}, {@code stop kafka}, …), on loopback. */
    public static final String DRILL_URL = "HANDOFF_LAB_DRILL_URL";
    /** The bearer token of the drill endpoint, new at each start. */
    public static final String DRILL_TOKEN = "HANDOFF_LAB_DRILL_TOKEN";

    /** Each line exports its variable, so that programs started from the shell that sources the file see it. */
    private static final String EXPORT = "export ";

    private static final java.util.regex.Pattern PLAIN = java.util.regex.Pattern.compile("[A-Za-z0-9._:/@%+=,-]*");

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
        values.forEach((k, v) ->
                text.append(EXPORT).append(k).append('=').append(quoted(v)).append('\n'));
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
            String assignment = line.startsWith(EXPORT) ? line.substring(EXPORT.length()) : line;
            int eq = assignment.indexOf('=');
            if (assignment.isBlank() || assignment.startsWith("#") || eq < 1) {
                continue;
            }
            values.put(
                    assignment.substring(0, eq).trim(),
                    unquoted(assignment.substring(eq + 1).trim()));
        }
        return Optional.of(new LabEnvFile(values));
    }

    /** A value as the shell reads it back unchanged: as it is when it is plain, else in single quotes. */
    static String quoted(String value) {
        if (PLAIN.matcher(value).matches()) {
            return value;
        }
        return "'" + value.replace("'", "'\\''") + "'";
    }

    /** The inverse of {@link #quoted}; a line of a file from before the quoting (a plain value) stays as it is. */
    static String unquoted(String text) {
        if (text.length() >= 2 && text.startsWith("'") && text.endsWith("'")) {
            return text.substring(1, text.length() - 1).replace("'\\''", "'");
        }
        return text;
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
