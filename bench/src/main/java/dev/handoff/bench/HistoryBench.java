package dev.handoff.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.handoff.common.event.EventEnvelope;
import dev.handoff.common.event.EventType;
import dev.handoff.common.event.Topics;
import dev.handoff.common.messaging.KafkaSettings;
import dev.handoff.common.serde.EventCodec;
import dev.handoff.lab.LabDatabase;
import dev.handoff.lab.LabKafka;
import dev.handoff.lab.LabPostgres;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The operator-side benchmark (bench/run-history, docs/benchmarks.md "Deployment history and replay"): with a ledger
 * of 1,000,000 events and 100,000 deployments (bulk-loaded in SQL), how fast a host's deployment list and one
 * deployment's timeline answer over HTTP, and how long replaying 10,000 records takes. Prints figures; asserts
 * nothing.
 */
public final class HistoryBench {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final int deployments = Integer.getInteger("handoff.bench.history.deployments", 100_000);
    private final int eventsPerDeployment = 10;
    private final int hosts = Integer.getInteger("handoff.bench.history.hosts", 100);
    private final int requests = Integer.getInteger("handoff.bench.history.requests", 2_000);
    private final int replayRecords = Integer.getInteger("handoff.bench.history.replay-records", 10_000);
    private final Path root = Path.of(System.getProperty("handoff.root", ".")).toAbsolutePath();
    private final String operatorToken = UUID.randomUUID().toString();

    public static void main(String[] args) throws Exception {
        new HistoryBench().run();
    }

    private void run() throws Exception {
        String loadBefore = LedgerBench.loadAverage();
        Path jar = root.resolve("control-service/target/quarkus-app/quarkus-run.jar");
        if (!Files.isRegularFile(jar)) {
            throw new BenchException(
                    jar + " is missing: run ./mvnw -B -q install -DskipTests (bench/run-history does)");
        }
        LabKafka kafka = LabKafka.start(0, null, dev.handoff.lab.LabKafkaUsers.generate());
        // the lab broker creates no topic on first use (as a production cluster): the replay needs its topics
        kafka.createTopics(Topics.all());
        LabDatabase database = LabPostgres.shared().createDatabase("handoff_bench_history");
        Process control = null;
        try {
            int port = freePort();
            URI base = URI.create("http://localhost:" + port);
            control = start(jar, kafka.bootstrapServers(), database, port);
            awaitReady(base, control);
            System.out.println("control-service ready on " + base);

            long t0 = System.nanoTime();
            load(database);
            System.out.printf(
                    Locale.ROOT,
                    "loaded %,d events and %,d deployments (%d hosts) in %.1f s%n",
                    (long) deployments * eventsPerDeployment,
                    deployments,
                    hosts,
                    (System.nanoTime() - t0) / 1e9);

            Random random = new Random(42);
            measure(
                    "warm-up",
                    requests / 5,
                    () -> base.resolve("/api/deployments?limit=50&host=host-" + random.nextInt(hosts)));
            Latencies list = measure(
                    "host's deployment list (limit 50)",
                    requests,
                    () -> base.resolve("/api/deployments?limit=50&host=host-" + random.nextInt(hosts)));
            measure(
                    "warm-up",
                    requests / 5,
                    () -> base.resolve("/api/deployments/" + deploymentId(random.nextInt(deployments))));
            Latencies timeline = measure(
                    "one deployment's timeline (10 events)",
                    requests,
                    () -> base.resolve("/api/deployments/" + deploymentId(random.nextInt(deployments))));

            CpuShare cpu = new CpuShare(control.pid());
            String loadBeforeReplay = LedgerBench.loadAverage();
            // As the queries above, the replay is measured warm: a first replay of as many records brings the JIT to
            // the decode and publish paths a long-running control-service has compiled long before.
            replay(base, kafka.bootstrapServers(), database, cpu);
            ReplayFigures replay = replay(base, kafka.bootstrapServers(), database, cpu);

            System.out.println();
            System.out.println("Deployment history and replay (ledger: "
                    + String.format(Locale.ROOT, "%,d", (long) deployments * eventsPerDeployment) + " events, "
                    + String.format(Locale.ROOT, "%,d", deployments) + " deployments)");
            System.out.println("  host's deployment list   " + list.describe() + "   (" + list.count()
                    + " requests, target p99 < 50 ms)");
            System.out.println("  deployment timeline      " + timeline.describe() + "   (" + timeline.count()
                    + " requests, target p99 < 50 ms)");
            System.out.printf(
                    Locale.ROOT,
                    "  replay of %,d records   answered 202 after %.2f s (target < 1 s); all %,d copies in the ledger after %.2f s%n",
                    replayRecords,
                    replay.answeredSeconds(),
                    replayRecords,
                    replay.ledgerSeconds());
            System.out.printf(
                    Locale.ROOT,
                    "  (after a warm-up replay of as many records; the %,d originals were produced, then stored by the"
                            + " ledger after %.2f s, before the replay was asked for)%n",
                    replayRecords,
                    replay.originalsStoredSeconds());
            System.out.println("  CPU during the replay (POST → all copies in the ledger), as shares of all "
                    + Runtime.getRuntime().availableProcessors() + " cores: " + replay.cpu());
            System.out.println("  machine: " + Runtime.getRuntime().availableProcessors() + " cores, Java "
                    + System.getProperty("java.version") + "; load average (1, 5, 15 min) before the run "
                    + loadBefore + ", before the replay " + loadBeforeReplay);
        } finally {
            if (control != null) {
                control.destroy();
                if (!control.waitFor(20, TimeUnit.SECONDS)) {
                    control.destroyForcibly();
                }
            }
            LabPostgres.shared().dropDatabase(database);
            kafka.close();
        }
    }

    /**
     * The replay's figures: until the API answered, until the ledger held every copy, how long the ledger took to
     * store the originals before the replay was asked for, and where the CPU went during the replay (bench JVM: the broker; "control-service": the replay and the ledger storing the copies).
     */
    record ReplayFigures(double answeredSeconds, double ledgerSeconds, double originalsStoredSeconds, String cpu) {}

    private ReplayFigures replay(URI base, String bootstrap, LabDatabase database, CpuShare cpu) throws Exception {
        EventCodec codec = new EventCodec();
        JsonNode facts;
        try (InputStream in =
                HistoryBench.class.getResourceAsStream("/samples/secret-facts.completed/v1/cloud-edge-1.json")) {
            facts = JSON.readTree(in);
        }
        long first = -1;
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(
                KafkaSettings.producer(bootstrap, "history-bench", LabKafka.adminSecurity(bootstrap)))) {
            List<CompletableFuture<Long>> offsets = new ArrayList<>();
            for (int i = 0; i < replayRecords; i++) {
                EventEnvelope e = new EventEnvelope(
                        UUID.randomUUID().toString(),
                        "/handoff/secrets-service",
                        EventType.SECRET_FACTS_COMPLETED.type(),
                        "cloud-edge-1",
                        OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MICROS),
                        EventType.SECRET_FACTS_COMPLETED.dataSchema(1),
                        UUID.randomUUID().toString(),
                        null,
                        null,
                        facts);
                ProducerRecord<String, byte[]> r = codec.encode(e);
                CompletableFuture<Long> offset = new CompletableFuture<>();
                producer.send(new ProducerRecord<>(r.topic(), 0, r.key(), r.value(), r.headers()), (m, error) -> {
                    if (error != null) {
                        offset.completeExceptionally(error);
                    } else {
                        offset.complete(m.offset());
                    }
                });
                offsets.add(offset);
            }
            producer.flush();
            first = offsets.get(0).get(30, TimeUnit.SECONDS);
            for (CompletableFuture<Long> o : offsets) {
                first = Math.min(first, o.get(30, TimeUnit.SECONDS));
            }
        }
        // An operator picks the offsets of a replay from the ledger (GET /api/events): replay records it holds
        long originalsSent = System.nanoTime();
        awaitRows(
                database,
                "select count(*) from event where topic = 'handoff.secret-facts' and kafka_partition = 0"
                        + " and kafka_offset between " + first + " and " + (first + replayRecords - 1),
                "the " + replayRecords + " originals");
        double originalsStored = (System.nanoTime() - originalsSent) / 1e9;
        String body = JSON.writeValueAsString(Map.of(
                "stage",
                "converge",
                "topic",
                "handoff.secret-facts",
                "partition",
                0,
                "fromOffset",
                first,
                "toOffset",
                first + replayRecords - 1));
        var cpuBefore = cpu.sample();
        long t0 = System.nanoTime();
        HttpResponse<String> r = HTTP.send(
                HttpRequest.newBuilder(base.resolve("/api/replays"))
                        .timeout(Duration.ofSeconds(120))
                        .header("Authorization", "Bearer " + operatorToken)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        double answered = (System.nanoTime() - t0) / 1e9;
        if (r.statusCode() != 202) {
            throw new BenchException("the replay was refused: " + r.statusCode() + " " + r.body());
        }
        String replayId = JSON.readTree(r.body()).path("id").asText();
        awaitRows(
                database,
                "select count(*) from replay_record where replay_id = '" + replayId + "'",
                "the " + replayRecords + " copies");
        double inLedger = (System.nanoTime() - t0) / 1e9;
        return new ReplayFigures(answered, inLedger, originalsStored, CpuShare.describe(cpuBefore, cpu.sample()));
    }

    /** Polls {@code countQuery} every 50 ms until it counts {@link #replayRecords} (120 s at most). */
    private void awaitRows(LabDatabase database, String countQuery, String what) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (true) {
            try (Connection c = database.connect();
                    Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery(countQuery)) {
                rs.next();
                if (rs.getLong(1) >= replayRecords) {
                    return;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new BenchException("the ledger did not store " + what + " within 120 s");
            }
            TimeUnit.MILLISECONDS.sleep(50);
        }
    }

    /** Times GET requests one after another; every answer must be 200. */
    private Latencies measure(String what, int count, java.util.function.Supplier<URI> next) throws Exception {
        long[] micros = new long[count];
        for (int i = 0; i < count; i++) {
            HttpRequest request = HttpRequest.newBuilder(next.get())
                    .header("Authorization", "Bearer " + operatorToken)
                    .build();
            long t0 = System.nanoTime();
            HttpResponse<byte[]> r = HTTP.send(request, HttpResponse.BodyHandlers.ofByteArray());
            micros[i] = (System.nanoTime() - t0) / 1000;
            if (r.statusCode() != 200) {
                throw new BenchException(what + ": " + request.uri() + " answered " + r.statusCode() + " "
                        + new String(r.body(), StandardCharsets.UTF_8));
            }
        }
        return Latencies.of(micros);
    }

    /**
     * Fills the ledger in PostgreSQL itself: {@code deployments} deployments over {@code hosts} hosts, each with a
     * pushed commit and the started/completed events of its stages (10 events), a day of history per host.
     */
    private void load(LabDatabase database) throws SQLException {
        String[] statements = {
            "set synchronous_commit = off",
            """
            insert into deployment (id, host, repository, commit_sha, first_stage, status, result, started_at,
                                    updated_at, finished_at, status_time)
            select 'bench-' || g, 'host-' || (g %% %d), 'ops/edge-cluster-infra', md5(g::text) || '00000000',
                   'infra', case when g %% 10 = 0 then 'failed' else 'succeeded' end,
                   case when g %% 10 = 0 then 'converge: confirm-timeout' else 'backup verified' end,
                   timestamptz '2026-01-01' + g * interval '1 minute',
                   timestamptz '2026-01-01' + g * interval '1 minute' + interval '9 seconds',
                   timestamptz '2026-01-01' + g * interval '1 minute' + interval '9 seconds',
                   timestamptz '2026-01-01' + g * interval '1 minute' + interval '9 seconds'
            from generate_series(0, %d) g
            """.formatted(hosts, deployments - 1),
            """
            insert into deployment_stage (deployment_id, stage, status, started_at, finished_at, status_time, reason)
            select 'bench-' || g, s.stage, 'completed',
                   timestamptz '2026-01-01' + g * interval '1 minute' + s.n * interval '2 seconds',
                   timestamptz '2026-01-01' + g * interval '1 minute' + s.n * interval '2 seconds' + interval '1 second',
                   timestamptz '2026-01-01' + g * interval '1 minute' + s.n * interval '2 seconds' + interval '1 second',
                   null
            from generate_series(0, %d) g,
                 (values (0, 'commit'), (1, 'infra'), (2, 'secrets'), (3, 'converge'), (4, 'workload')) as s(n, stage)
            """.formatted(deployments - 1),
            """
            insert into event (id, type, source, subject, time, dataschema, deployment_id, causation_id, replay_of,
                               topic, kafka_partition, kafka_offset, data)
            select 'bench-' || g || '-' || e.n, e.type, '/handoff/bench', 'host-' || (g %% %d),
                   timestamptz '2026-01-01' + g * interval '1 minute' + e.n * interval '1 second',
                   'https://handoff.dev/schemas/' || substr(e.type, 9) || '/v1', 'bench-' || g, null, null,
                   e.topic, g %% 3, g,
                   jsonb_build_object('host', 'host-' || (g %% %d), 'stage', e.stage, 'repository',
                                      'ops/edge-cluster-infra', 'commit', md5(g::text) || '00000000',
                                      'checks', jsonb_build_array(jsonb_build_object('name', 'current-system',
                                      'passed', true, 'detail', 'generation ' || g)))
            from generate_series(0, %d) g,
                 (values (0, 'handoff.commit.pushed', 'handoff.commits', 'infra'),
                         (1, 'handoff.cloud-facts.started', 'handoff.cloud-facts', 'infra'),
                         (2, 'handoff.cloud-facts.completed', 'handoff.cloud-facts', 'infra'),
                         (3, 'handoff.secret-facts.started', 'handoff.secret-facts', 'secrets'),
                         (4, 'handoff.secret-facts.completed', 'handoff.secret-facts', 'secrets'),
                         (5, 'handoff.convergence.started', 'handoff.convergence', 'converge'),
                         (6, 'handoff.convergence.completed', 'handoff.convergence', 'converge'),
                         (7, 'handoff.workload.started', 'handoff.workload', 'workload'),
                         (8, 'handoff.workload.completed', 'handoff.workload', 'workload'),
                         (9, 'handoff.backup.started', 'handoff.backup', 'backup')) as e(n, type, topic, stage)
            """.formatted(hosts, hosts, deployments - 1),
            "analyze deployment",
            "analyze deployment_stage",
            "analyze event"
        };
        try (Connection c = database.connect();
                Statement s = c.createStatement()) {
            for (String sql : statements) {
                s.execute(sql);
            }
        }
    }

    private static String deploymentId(int i) {
        return "bench-" + i;
    }

    private Process start(Path jar, String bootstrap, LabDatabase database, int port) throws IOException {
        Path inventory = Files.createTempFile("handoff-history-bench-", ".yaml");
        try (InputStream in = HistoryBench.class.getResourceAsStream("/handoff.yaml")) {
            Files.copy(in, inventory, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        Path log = root.resolve("bench/target/history-bench-control-service.log");
        Files.createDirectories(log.getParent());
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String option : System.getProperty("handoff.bench.control-jvm-options", "-Xmx512m -XX:+UseParallelGC")
                .split("\\s+")) {
            if (!option.isBlank()) {
                command.add(option);
            }
        }
        command.add("-jar");
        command.add(jar.toString());
        ProcessBuilder pb =
                new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        Map<String, String> env = pb.environment();
        env.put("KAFKA_BOOTSTRAP_SERVERS", bootstrap);
        env.putAll(LabKafka.serviceEnvironment(bootstrap, "control-service"));
        env.put("QUARKUS_DATASOURCE_JDBC_URL", database.jdbcUrl());
        env.put("QUARKUS_DATASOURCE_USERNAME", database.username());
        env.put("QUARKUS_DATASOURCE_PASSWORD", database.password());
        env.put("QUARKUS_HTTP_PORT", Integer.toString(port));
        env.put("HANDOFF_INVENTORY", inventory.toString());
        env.put("HANDOFF_WEBHOOK_SECRET", UUID.randomUUID().toString());
        // its inventory names repositories that do not exist (https://forge.test/...): no freshness check
        env.put("HANDOFF_WEBHOOK_FRESHNESS_CHECK", "false");
        env.put("HANDOFF_AUTH_TOKENS", "bench-operator:operator:" + sha256(operatorToken));
        return pb.start();
    }

    private static void awaitReady(URI base, Process control) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (System.nanoTime() < deadline) {
            if (!control.isAlive()) {
                throw new BenchException("control-service exited; see bench/target/history-bench-control-service.log");
            }
            try {
                if (HTTP.send(
                                        HttpRequest.newBuilder(base.resolve("/q/health/ready"))
                                                .build(),
                                        HttpResponse.BodyHandlers.discarding())
                                .statusCode()
                        == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // still starting
            }
            TimeUnit.MILLISECONDS.sleep(250);
        }
        throw new BenchException("control-service was not ready within 90 s");
    }

    private static String sha256(String s) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
