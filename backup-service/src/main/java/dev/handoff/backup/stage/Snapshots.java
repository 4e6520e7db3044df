package dev.handoff.backup.stage;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** Reads restic's {@code snapshots --json} and {@code ls --json} output. */
public final class Snapshots {
    private Snapshots() {}

    /**
     * One snapshot.
     *
     * @param id full id
     * @param time when it was taken
     * @param paths the paths it was taken of
     */
    public record Snapshot(String id, Instant time, List<String> paths) {}

    /**
     * The newest snapshot of {@code snapshotsJson} ({@code snapshots --json --host H}: an array), if any.
     *
     * @throws IllegalArgumentException when a snapshot has no RFC 3339 {@code time}: the output is not restic's
     */
    public static Optional<Snapshot> newest(JsonNode snapshotsJson) {
        List<Snapshot> all = new ArrayList<>();
        for (JsonNode s : snapshotsJson) {
            List<String> paths = new ArrayList<>();
            s.path("paths").forEach(p -> paths.add(p.asText()));
            Instant time;
            try {
                time = OffsetDateTime.parse(s.path("time").asText()).toInstant();
            } catch (java.time.format.DateTimeParseException e) {
                throw new IllegalArgumentException("restic snapshots printed a snapshot without an RFC 3339 time", e);
            }
            all.add(new Snapshot(s.path("id").asText(), time, List.copyOf(paths)));
        }
        return all.stream().max(Comparator.comparing(Snapshot::time));
    }

    /**
     * The node paths of {@code ls --json} output (JSON lines: the snapshot, then one node per line).
     *
     * @throws IllegalArgumentException when a line is not JSON
     */
    public static Set<String> nodePaths(String lsJsonLines, com.fasterxml.jackson.databind.ObjectMapper json) {
        Set<String> paths = new LinkedHashSet<>();
        for (String line : lsJsonLines.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            try {
                JsonNode node = json.readTree(line);
                if ("node".equals(node.path("struct_type").asText()) || node.has("path") && node.has("type")) {
                    paths.add(node.path("path").asText());
                }
            } catch (java.io.IOException e) {
                throw new IllegalArgumentException("restic ls printed a line that is not JSON", e);
            }
        }
        return paths;
    }

    /** The required paths that are in the snapshot, in the contract's order. */
    public static List<String> covered(List<String> required, Set<String> nodePaths) {
        return required.stream().filter(nodePaths::contains).toList();
    }
}
