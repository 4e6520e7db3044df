package dev.handoff.bench.hostile;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Hostile restic output, as backup-service reads it: {@code snapshots --json} (an array) and {@code ls --json} (JSON
 * lines). A host controls its repository's snapshots, so their fields are data: valid output, then times, ids and
 * paths of the wrong type or form, edits, and the classic documents.
 */
public final class ResticInputs {
    /** The two outputs of one verification. */
    public record ResticOutput(String snapshots, String ls) {}

    static final String SNAPSHOTS = """
            [{"time":"2026-11-25T10:00:00.123456789+01:00","tree":"7d1f","paths":["/var/lib/rustdesk","/etc/nixos"],\
            "hostname":"cloud-edge-1","username":"root","id":"4f1c6a0b9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e4d3c2b",\
            "short_id":"4f1c6a0b"},{"time":"2026-11-24T10:00:00Z","tree":"aa","paths":["/var/lib/rustdesk"],\
            "hostname":"cloud-edge-1","id":"1111111111111111111111111111111111111111111111111111111111111111"}]""";

    static final String LS = """
            {"time":"2026-11-25T10:00:00.123456789+01:00","tree":"7d1f","paths":["/var/lib/rustdesk"],"hostname":"cloud-edge-1","id":"4f1c","struct_type":"snapshot"}
            {"name":"rustdesk","type":"dir","path":"/var/lib/rustdesk","mode":2147484141,"struct_type":"node"}
            {"name":"id_ed25519","type":"file","path":"/var/lib/rustdesk/id_ed25519","size":64,"struct_type":"node"}
            """;

    private static final List<String> TIMES = List.of(
            "\"\"",
            "null",
            "0",
            "\"yesterday\"",
            "\"2026-13-45T99:99:99Z\"",
            "\"+999999999-12-31T23:59:59Z\"",
            "\"2026-11-25\"",
            "\"2026-11-25T10:00:00\"",
            "[]",
            "{}",
            "\"" + "9".repeat(5000) + "\"");

    private ResticInputs() {}

    /** {@code count} outputs, the same for the same seed. */
    public static List<Hostile<ResticOutput>> generate(long seed, int count) {
        Random random = new Random(seed);
        List<Hostile<ResticOutput>> out = new ArrayList<>();
        out.add(new Hostile<>("valid", new ResticOutput(SNAPSHOTS, LS)));
        out.add(new Hostile<>("no snapshot", new ResticOutput("[]", "")));
        for (Hostile<String> classic : Mutations.classicDocuments()) {
            out.add(new Hostile<>("snapshots " + classic.label(), new ResticOutput(classic.value(), LS)));
            out.add(new Hostile<>("ls " + classic.label(), new ResticOutput(SNAPSHOTS, classic.value())));
        }
        for (String time : TIMES) {
            out.add(new Hostile<>(
                    "time " + LogCapture.shorten(time),
                    new ResticOutput(SNAPSHOTS.replace("\"2026-11-24T10:00:00Z\"", time), LS)));
        }
        out.add(new Hostile<>("snapshots an object", new ResticOutput("{\"time\":\"2026-11-25T10:00:00Z\"}", LS)));
        out.add(new Hostile<>("snapshots of scalars", new ResticOutput("[1, \"a\", null]", LS)));
        out.add(new Hostile<>(
                "ls path traversal",
                new ResticOutput(SNAPSHOTS, LS.replace("/var/lib/rustdesk/id_ed25519", "../../../etc/shadow"))));
        while (out.size() < count) {
            switch (random.nextInt(4)) {
                case 0 ->
                    out.add(new Hostile<>(
                            "snapshots edited", new ResticOutput(Mutations.mutate(SNAPSHOTS, random), LS)));
                case 1 ->
                    out.add(new Hostile<>("ls edited", new ResticOutput(SNAPSHOTS, Mutations.mutate(LS, random))));
                case 2 ->
                    out.add(new Hostile<>(
                            "snapshots field wrong type",
                            new ResticOutput(
                                    new String(
                                            RecordInputs.wrongType(Mutations.utf8(SNAPSHOTS), random),
                                            java.nio.charset.StandardCharsets.UTF_8),
                                    LS)));
                default ->
                    out.add(new Hostile<>(
                            "time " + out.size(),
                            new ResticOutput(
                                    SNAPSHOTS.replace(
                                            "\"2026-11-24T10:00:00Z\"", TIMES.get(random.nextInt(TIMES.size()))),
                                    Mutations.mutate(LS, random))));
            }
        }
        return out;
    }
}
