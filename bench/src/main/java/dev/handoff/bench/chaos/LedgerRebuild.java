package dev.handoff.bench.chaos;

import dev.handoff.bench.BenchException;
import dev.handoff.bench.chaos.ChaosModel.Committed;
import dev.handoff.bench.chaos.ChaosModel.TableComparison;
import dev.handoff.lab.LabDatabase;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.TopicPartition;

/**
 * The ledger rebuilt from the topics: a second control-service JVM (the lab's packaged jar) on a fresh database with a
 * new ledger consumer group ({@code handoff-ledger-rebuild-<random>}: the control-service login may read groups named
 * {@code handoff-ledger*}), reconciliation off and no Forgejo, so that it only projects the topics. Once its group
 * has committed every partition's end offset it is stopped, and its tables are compared with the live ledger's, row
 * for row.
 */
final class LedgerRebuild {
    /** The tables the ledger projects from the topics; {@code event.stored_at} is the moment of the insert. */
    static final List<String> TABLES =
            List.of("event", "deployment", "deployment_stage", "replay", "replay_record", "host_key_decision");

    private static final Set<String> LOCAL_COLUMNS = Set.of("stored_at");
    private static final int EXAMPLES = 3;

    private LedgerRebuild() {}

    /**
     * Runs the rebuild into {@code fresh} and compares it with {@code live}.
     *
     * @param serviceEnvironment the environment control-service needs for the lab's broker (bootstrap, login)
     * @param log the rebuild's control-service log
     */
    static List<TableComparison> run(
            Path jar,
            Map<String, String> serviceEnvironment,
            Path inventory,
            LabDatabase live,
            LabDatabase fresh,
            Observed observed,
            Path log,
            Duration deadline)
            throws Exception {
        String suffix = HexFormat.of().formatHex(random(4));
        String group = "handoff-ledger-rebuild-" + suffix;
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        List<String> command = List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                "-jar",
                jar.toString());
        ProcessBuilder pb = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        Map<String, String> env = pb.environment();
        env.remove("HANDOFF_OPERATOR_TOKEN");
        env.putAll(serviceEnvironment);
        env.put("QUARKUS_DATASOURCE_JDBC_URL", fresh.jdbcUrl());
        env.put("QUARKUS_DATASOURCE_USERNAME", fresh.username());
        env.put("QUARKUS_DATASOURCE_PASSWORD", fresh.password() == null ? "" : fresh.password());
        env.put("QUARKUS_HTTP_PORT", Integer.toString(port));
        env.put("HANDOFF_INVENTORY", inventory.toString());
        env.put("HANDOFF_WEBHOOK_SECRET", HexFormat.of().formatHex(random(24)));
        env.put("HANDOFF_AUTH_TOKENS", "chaos:viewer:" + sha256(HexFormat.of().formatHex(random(24))));
        env.put("HANDOFF_RECONCILE_INTERVAL", "0s");
        env.put("HANDOFF_LEDGER_CONSUMER_GROUP", group);
        env.put("HANDOFF_LEDGER_INSTANCE_ID", "rebuild-" + suffix);
        env.remove("HANDOFF_FORGEJO_URL");
        env.remove("HANDOFF_FORGEJO_TOKEN");
        Process process = pb.start();
        try {
            awaitReady(process, port, log);
            Map<TopicPartition, Long> ends = observed.endOffsets(Observed.LEDGER_TOPICS);
            long until = System.nanoTime() + deadline.toNanos();
            while (true) {
                Map<TopicPartition, Long> committed = new HashMap<>();
                for (Committed c : observed.committed()) {
                    if (c.group().equals(group)) {
                        committed.put(new TopicPartition(c.topic(), c.partition()), c.offset());
                    }
                }
                boolean caughtUp = ends.entrySet().stream()
                        .allMatch(e -> e.getValue() == 0 || committed.getOrDefault(e.getKey(), -1L) >= e.getValue());
                if (caughtUp) {
                    break;
                }
                if (System.nanoTime() > until || !process.isAlive()) {
                    throw new BenchException("the rebuilt ledger (group " + group + ") did not reach the topics' end"
                            + " within " + deadline.toSeconds() + " s; see " + log);
                }
                Thread.sleep(1000);
            }
        } finally {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
        List<TableComparison> out = new ArrayList<>();
        for (String table : TABLES) {
            out.add(compare(table, live, fresh));
        }
        return out;
    }

    /** One table of both databases, compared as sets of rows (every column but the local ones, as text). */
    static TableComparison compare(String table, LabDatabase live, LabDatabase rebuilt) throws SQLException {
        Map<String, Integer> a = rows(live, table);
        Map<String, Integer> b = rows(rebuilt, table);
        return compare(table, a, b);
    }

    /** Compares two multisets of rows. */
    static TableComparison compare(String table, Map<String, Integer> live, Map<String, Integer> rebuilt) {
        List<String> onlyLive = new ArrayList<>();
        List<String> onlyRebuilt = new ArrayList<>();
        int differing = 0;
        for (var e : live.entrySet()) {
            int diff = e.getValue() - rebuilt.getOrDefault(e.getKey(), 0);
            if (diff > 0) {
                differing += diff;
                if (onlyLive.size() < EXAMPLES) {
                    onlyLive.add(shorten(e.getKey()));
                }
            }
        }
        for (var e : rebuilt.entrySet()) {
            int diff = e.getValue() - live.getOrDefault(e.getKey(), 0);
            if (diff > 0) {
                differing += diff;
                if (onlyRebuilt.size() < EXAMPLES) {
                    onlyRebuilt.add(shorten(e.getKey()));
                }
            }
        }
        int liveRows = live.values().stream().mapToInt(Integer::intValue).sum();
        int rebuiltRows = rebuilt.values().stream().mapToInt(Integer::intValue).sum();
        return new TableComparison(table, liveRows, rebuiltRows, onlyLive, onlyRebuilt, differing);
    }

    private static Map<String, Integer> rows(LabDatabase db, String table) throws SQLException {
        Map<String, Integer> rows = new TreeMap<>();
        try (Connection c = db.connect();
                Statement s = c.createStatement()) {
            List<String> columns = new ArrayList<>();
            try (ResultSet r = s.executeQuery("select column_name from information_schema.columns where table_schema ="
                    + " 'public' and table_name = '" + table + "' order by ordinal_position")) {
                while (r.next()) {
                    if (!LOCAL_COLUMNS.contains(r.getString(1))) {
                        columns.add("\"" + r.getString(1) + "\"");
                    }
                }
            }
            if (columns.isEmpty()) {
                return rows;
            }
            try (ResultSet r =
                    s.executeQuery("select row(" + String.join(", ", columns) + ")::text from \"" + table + "\"")) {
                while (r.next()) {
                    rows.merge(r.getString(1), 1, Integer::sum);
                }
            }
        }
        return rows;
    }

    private static void awaitReady(Process process, int port, Path log) throws InterruptedException {
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest ready = HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/q/health/ready"))
                .timeout(Duration.ofSeconds(5))
                .build();
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new BenchException(
                        "the rebuild's control-service exited (" + process.exitValue() + "); see " + log);
            }
            try {
                if (http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(500);
        }
        throw new BenchException("the rebuild's control-service was not ready within 3 minutes; see " + log);
    }

    private static String shorten(String row) {
        return row.length() > 300 ? row.substring(0, 300) + "…" : row;
    }

    private static byte[] random(int n) {
        byte[] b = new byte[n];
        new SecureRandom().nextBytes(b);
        return b;
    }

    private static String sha256(String s) throws Exception {
        return HexFormat.of()
                .formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    }
}
