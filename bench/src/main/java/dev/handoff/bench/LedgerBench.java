package dev.handoff.bench;

import dev.handoff.common.event.Topics;
import dev.handoff.common.serde.EventCodec;
import dev.handoff.lab.LabDatabase;
import dev.handoff.lab.LabKafka;
import dev.handoff.lab.LabPostgres;
import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.utils.AppInfoParser;

/**
 * The ledger benchmark (docs/benchmarks.md): starts the lab's Kafka broker in this JVM, a fresh PostgreSQL database
 * and the packaged control-service as a child process, then measures raw Kafka latency, webhook → ledger latency and
 * the ledger's ingest rate, prints a table with the targets and writes it to {@code bench/target/bench-results.txt}.
 * Exit code 0 whether or not the targets are met; 1 on errors (service did not start, a deadline passed).
 *
 * <p>System properties: {@code handoff.root} (project root, default the working directory),
 * {@code handoff.bench.control-jvm-options} (default {@code -Xmx512m -XX:+UseParallelGC}), {@code handoff.bench.deliveries} (1000),
 * {@code handoff.bench.ingest-deployments} (20000; five events each). Changed counts do not give reference figures.
 */
public final class LedgerBench {
    static final String LATENCY_TOPIC = "bench.latency";
    static final double WEBHOOK_P99_TARGET_MS = 50;
    /** Webhook → ledger p99 at most this many times the raw Kafka p99 of the same run. */
    static final double WEBHOOK_P99_TARGET_TIMES_RAW = 2;

    static final double INGEST_TARGET_PER_SECOND = 20_000;
    /** Ingest at least this share of what COPY loads of the same rows. */
    static final double INGEST_TARGET_SHARE_OF_COPY = 0.30;

    private static final int WARMUP = 100;
    private static final int RAW_RECORD_BYTES = 1024;
    private static final double PER_SECOND = 50;
    private static final int HOSTS = 50;

    private final Path root;
    private final Path target;
    private final List<String> controlJvmOptions;
    private final int deliveries;
    private final int ingestDeployments;
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    private LabKafka kafka;
    private LabDatabase database;
    private ControlServiceProcess service;
    private boolean cleanedUp;
    private String loadBefore = "";
    private final List<String> cpuShares = new ArrayList<>();

    LedgerBench(Path root, List<String> controlJvmOptions, int deliveries, int ingestDeployments) {
        this.root = root.toAbsolutePath().normalize();
        this.target = this.root.resolve("bench").resolve("target");
        this.controlJvmOptions = List.copyOf(controlJvmOptions);
        this.deliveries = deliveries;
        this.ingestDeployments = ingestDeployments;
    }

    public static void main(String[] args) {
        LedgerBench bench = new LedgerBench(
                Path.of(System.getProperty("handoff.root", ".")),
                Arrays.stream(System.getProperty("handoff.bench.control-jvm-options", "-Xmx512m -XX:+UseParallelGC")
                                .trim()
                                .split("\\s+"))
                        .filter(s -> !s.isEmpty())
                        .toList(),
                Integer.getInteger("handoff.bench.deliveries", 1000),
                Integer.getInteger("handoff.bench.ingest-deployments", 20_000));
        BenchMain.run(bench::run, bench::cleanUp);
    }

    void run() throws Exception {
        Files.createDirectories(target);
        loadBefore = loadAverage();
        say("starting the lab's Kafka broker in this JVM");
        synchronized (this) {
            kafka = LabKafka.start(0, null, dev.handoff.lab.LabKafkaUsers.generate());
        }
        kafka.createTopics(Topics.all());
        kafka.createTopics(List.of(LATENCY_TOPIC));
        synchronized (this) {
            database = LabPostgres.shared().createDatabase("handoff_bench");
        }
        say("database " + database.name() + "; starting control-service " + String.join(" ", controlJvmOptions)
                + " (log: " + root.relativize(target.resolve("control-service.log")) + ")");
        long starting = System.nanoTime();
        ControlServiceProcess started = ControlServiceProcess.launch(
                root.resolve("control-service/target/quarkus-app/quarkus-run.jar"),
                controlJvmOptions,
                kafka.bootstrapServers(),
                database,
                target.resolve("control-service.log"),
                http);
        synchronized (this) {
            service = started;
        }
        service.awaitReady();
        say(String.format(Locale.ROOT, "control-service ready in %.1f s", (System.nanoTime() - starting) / 1e9));

        say(String.format(
                Locale.ROOT,
                "1/3 raw Kafka: %d + %d warm-up records of %d B, %.0f/s",
                deliveries,
                WARMUP,
                RAW_RECORD_BYTES,
                PER_SECOND));
        CpuShare cpu = new CpuShare(service.pid());
        var rawCpu = cpu.sample();
        Latencies raw = new RawKafkaLatency(kafka.bootstrapServers(), LATENCY_TOPIC)
                .run(WARMUP, deliveries, RAW_RECORD_BYTES, PER_SECOND);
        cpuShares.add("raw Kafka: " + CpuShare.describe(rawCpu, cpu.sample()));
        say("raw Kafka: " + raw.describe());

        say(String.format(
                Locale.ROOT,
                "2/3 webhook → ledger: %d + %d warm-up deliveries to %s, %.0f/s",
                deliveries,
                WARMUP,
                WebhookLatency.REPOSITORY,
                PER_SECOND));
        var webhookCpu = cpu.sample();
        WebhookLatency.Result webhook = new WebhookLatency(http, service.baseUri(), service.webhookSecret(), database)
                .run(WARMUP, deliveries, PER_SECOND);
        cpuShares.add("webhook (warm-up included): " + CpuShare.describe(webhookCpu, cpu.sample()));
        say("webhook → ledger: " + webhook.toLedger().describe() + "; answered 202: " + webhook.accepted() + "/"
                + webhook.sent());

        int events = ingestDeployments * IngestEvents.PER_DEPLOYMENT;
        say(String.format(
                Locale.ROOT,
                "3/3 ledger ingest: building %,d events (%,d deployments on %d hosts)",
                events,
                ingestDeployments,
                HOSTS));
        long building = System.nanoTime();
        List<ProducerRecord<String, byte[]>> records =
                new IngestEvents(new EventCodec(), HOSTS, 20_251_125L).build(ingestDeployments);
        say(String.format(
                Locale.ROOT,
                "built and validated %,d events in %.1f s; producing",
                records.size(),
                (System.nanoTime() - building) / 1e9));
        OffsetDateTime ingestSince = databaseNow();
        var ingestCpu = cpu.sample();
        LedgerIngest.Result ingest =
                new LedgerIngest(kafka.bootstrapServers(), database).run(records, LedgerBench::say);
        cpuShares.add("ingest: " + CpuShare.describe(ingestCpu, cpu.sample()));
        records = null;
        say("COPY of the same rows into scratch tables");
        var copyCpu = cpu.sample();
        CopyBaseline.Result copy = new CopyBaseline(database).run(ingestSince);
        cpuShares.add("COPY: " + CpuShare.describe(copyCpu, cpu.sample()));
        double storedCounter = service.metric("handoff_ledger_events_stored_total");
        double deadLettered = service.metric("handoff_ledger_dead_lettered_total");

        List<String> report = report(raw, webhook, ingest, copy, storedCounter, deadLettered);
        System.out.println();
        report.forEach(System.out::println);
        Path results = target.resolve("bench-results.txt");
        Files.write(results, report);
        System.out.println();
        say("written to " + root.relativize(results));
    }

    private List<String> report(
            Latencies raw,
            WebhookLatency.Result webhook,
            LedgerIngest.Result ingest,
            CopyBaseline.Result copy,
            double storedCounter,
            double deadLettered)
            throws Exception {
        double p99Ms = webhook.toLedger().p99() / 1000.0;
        double rawP99Ms = raw.p99() / 1000.0;
        boolean latencyMet = p99Ms <= WEBHOOK_P99_TARGET_TIMES_RAW * rawP99Ms && p99Ms < WEBHOOK_P99_TARGET_MS;
        boolean ingestMet = ingest.eventsPerSecond() >= INGEST_TARGET_PER_SECOND;
        double shareOfCopy = ingest.eventsPerSecond() / copy.eventsPerSecond();
        boolean copyShareMet = shareOfCopy >= INGEST_TARGET_SHARE_OF_COPY;
        List<String> out = new ArrayList<>();
        out.add("Handoff ledger benchmark, "
                + ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'")));
        out.add("");
        out.add(row("figure", "measured", "target", "met"));
        out.add(row("raw Kafka produce → consume", raw.describe(), "(floor)", ""));
        out.add(row(
                "webhook → ledger (stored_at)",
                webhook.toLedger().describe(),
                String.format(Locale.ROOT, "p99 ≤ %.0f × raw p99", WEBHOOK_P99_TARGET_TIMES_RAW),
                latencyMet ? "yes" : "NO"));
        out.add(row(
                "",
                String.format(
                        Locale.ROOT,
                        "p99 %.2f × raw p99 (%.0f × raw = %.2f ms)",
                        p99Ms / rawP99Ms,
                        WEBHOOK_P99_TARGET_TIMES_RAW,
                        WEBHOOK_P99_TARGET_TIMES_RAW * rawP99Ms),
                "and < " + (int) WEBHOOK_P99_TARGET_MS + " ms",
                ""));
        out.add(row(
                "webhook answer (send → 202)",
                "p50 " + Latencies.ms(webhook.answer().p50()) + "  p99 "
                        + Latencies.ms(webhook.answer().p99()),
                "",
                ""));
        out.add(row(
                "ledger ingest",
                String.format(Locale.ROOT, "%,.0f events/s", ingest.eventsPerSecond()),
                String.format(Locale.ROOT, "≥ %,.0f events/s", INGEST_TARGET_PER_SECOND),
                ingestMet ? "yes" : "NO"));
        out.add(row(
                "COPY of the same rows",
                String.format(Locale.ROOT, "%,.0f events/s", copy.eventsPerSecond()),
                "(ceiling)",
                ""));
        out.add(row(
                "ingest / COPY",
                String.format(Locale.ROOT, "%.0f %%", 100 * shareOfCopy),
                String.format(Locale.ROOT, "≥ %.0f %%", 100 * INGEST_TARGET_SHARE_OF_COPY),
                copyShareMet ? "yes" : "NO"));
        out.add("");
        List<String> missed = new ArrayList<>();
        if (!latencyMet) {
            missed.add(String.format(
                    Locale.ROOT,
                    "webhook → ledger p99 %.2f ms is not at most %.0f × the raw Kafka p99 (%.2f ms) and below %.0f ms",
                    p99Ms,
                    WEBHOOK_P99_TARGET_TIMES_RAW,
                    WEBHOOK_P99_TARGET_TIMES_RAW * rawP99Ms,
                    WEBHOOK_P99_TARGET_MS));
        }
        if (!ingestMet) {
            missed.add(String.format(
                    Locale.ROOT,
                    "ingest %,.0f events/s is below %,.0f events/s",
                    ingest.eventsPerSecond(),
                    INGEST_TARGET_PER_SECOND));
        }
        if (!copyShareMet) {
            missed.add(String.format(
                    Locale.ROOT,
                    "ingest is %.0f %% of COPY's rate, below %.0f %%",
                    100 * shareOfCopy,
                    100 * INGEST_TARGET_SHARE_OF_COPY));
        }
        out.add(missed.isEmpty() ? "Every target met." : "Target missed: " + String.join("; ", missed) + ".");
        out.add("");
        out.add("How it was measured");
        List<String> how = new ArrayList<>();
        how.add(String.format(
                Locale.ROOT,
                "  raw Kafka: %,d records of %,d B on topic %s after %d warm-up, %.0f/s, one after another (each"
                        + " acknowledged before the next); producer KafkaSettings.producer without"
                        + " linger (as control-service's), consumer KafkaSettings.consumer unchanged, as the ledger's (read_committed, default"
                        + " fetch.max.wait.ms), polled every 200 ms like the ledger; receive − send by System.nanoTime",
                raw.count(),
                RAW_RECORD_BYTES,
                LATENCY_TOPIC,
                WARMUP,
                PER_SECOND));
        how.add(String.format(
                Locale.ROOT,
                "  webhook: %,d signed Forgejo push deliveries to %s (1 host) after %d warm-up, %.0f/s from one"
                        + " thread (java.net.http, HTTP/1.1); answered 202: %,d of %,d%s; latency = stored_at of the"
                        + " deployment's %s event − wall clock just before sending",
                webhook.sent(),
                WebhookLatency.REPOSITORY,
                WARMUP,
                PER_SECOND,
                webhook.accepted(),
                webhook.sent(),
                webhook.otherAnswers().isEmpty() && webhook.failed() == 0
                        ? ""
                        : " (other answers " + webhook.otherAnswers() + ", no answer " + webhook.failed() + ")",
                WebhookLatency.COMMIT_PUSHED));
        how.add(String.format(
                Locale.ROOT,
                "  webhook → ledger: min %s, mean %s; answer: min %s, mean %s, max %s",
                Latencies.ms(webhook.toLedger().min()),
                Latencies.ms(Math.round(webhook.toLedger().mean())),
                Latencies.ms(webhook.answer().min()),
                Latencies.ms(Math.round(webhook.answer().mean())),
                Latencies.ms(webhook.answer().max())));
        how.add(String.format(
                Locale.ROOT,
                "  ingest: %,d events (%,d deployments × %d: cloud-facts.started/.completed,"
                        + " secret-facts.started/.completed, convergence.started; %d hosts edge-001…) produced by one"
                        + " producer with Handoff's settings in %.2f s; first send → the ledger group's committed"
                        + " offsets at the end of every partition written (read every 100 ms), count(*) then %,d:"
                        + " %.2f s",
                ingest.events(),
                ingest.events() / IngestEvents.PER_DEPLOYMENT,
                IngestEvents.PER_DEPLOYMENT,
                HOSTS,
                ingest.produceNanos() / 1e9,
                ingest.after(),
                ingest.totalNanos() / 1e9));
        how.add(String.format(
                Locale.ROOT,
                "  COPY: the rows the ledger stored during ingest (%,d events and the deployment and stage rows of"
                        + " their deployments, %,d rows in all) read out, then loaded with COPY (pgjdbc CopyManager)"
                        + " into scratch copies of event, deployment and deployment_stage (same columns, defaults and"
                        + " indexes) in one transaction: %.2f s with the commit; COPY's rate = events / that time",
                copy.events(),
                copy.rows(),
                copy.nanos() / 1e9));
        how.add(String.format(
                Locale.ROOT,
                "  ledger rows in event: %,d before, %,d after; handoff_ledger_events_stored_total %,.0f;"
                        + " handoff_ledger_dead_lettered_total %s",
                ingest.before(),
                ingest.after(),
                storedCounter,
                Double.isNaN(deadLettered) ? "0 (no sample)" : String.format(Locale.ROOT, "%,.0f", deadLettered)));
        how.add("  CPU, as shares of all " + Runtime.getRuntime().availableProcessors() + " cores, during");
        cpuShares.forEach(line -> how.add("    " + line));
        how.forEach(line -> out.addAll(wrap(line, 118, "      ")));
        out.add("");
        out.add("Machine");
        out.add("  cores: " + Runtime.getRuntime().availableProcessors() + cpuModel());
        out.add("  load average before the run (1, 5, 15 min): " + loadBefore
                + " (other work on the machine skews the figures)");
        out.add("  os: " + System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch"));
        for (String line : javaVersion()) {
            out.add("  java -version: " + line);
        }
        out.add("  bench JVM max heap: " + Runtime.getRuntime().maxMemory() / (1024 * 1024)
                + " MiB (Kafka broker, producers, consumer, HTTP sender)");
        out.add("  control-service JVM options: " + String.join(" ", service.jvmOptions()));
        out.add("  PostgreSQL: " + postgresVersion() + " (LabPostgres: "
                + LabPostgres.shared().kind() + ")");
        out.add("  Kafka: " + AppInfoParser.getVersion() + ", in-process KRaft broker (LabKafka), "
                + LabKafka.PARTITIONS + " partitions per topic");
        return out;
    }

    private static String row(String figure, String measured, String target, String met) {
        return String.format(Locale.ROOT, "%-30s %-44s %-19s %s", figure, measured, target, met)
                .stripTrailing();
    }

    /** Breaks a line at blanks into lines of at most {@code width} characters; continuation lines are indented. */
    static List<String> wrap(String line, int width, String indent) {
        List<String> lines = new ArrayList<>();
        String rest = line;
        String prefix = "";
        while (prefix.length() + rest.length() > width) {
            int cut = rest.lastIndexOf(' ', width - prefix.length());
            if (cut <= 0) {
                break;
            }
            lines.add(prefix + rest.substring(0, cut).stripTrailing());
            rest = rest.substring(cut + 1).stripLeading();
            prefix = indent;
        }
        lines.add(prefix + rest);
        return lines;
    }

    /** The load average (1, 5, 15 min) from /proc, or {@code unknown}. */
    static String loadAverage() {
        try {
            String[] parts = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return parts[0] + " " + parts[1] + " " + parts[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    private static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                    .filter(l -> l.startsWith("model name"))
                    .findFirst()
                    .map(l -> " (" + l.substring(l.indexOf(':') + 1).trim() + ")")
                    .orElse("");
        } catch (IOException e) {
            return "";
        }
    }

    private static List<String> javaVersion() throws IOException, InterruptedException {
        Process p = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-version")
                .redirectErrorStream(true)
                .start();
        String text = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        p.waitFor(10, TimeUnit.SECONDS);
        return text.lines().filter(l -> !l.isBlank()).toList();
    }

    /** PostgreSQL's clock, which {@code stored_at} reads. */
    private OffsetDateTime databaseNow() throws java.sql.SQLException {
        try (Connection c = database.connect();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("select clock_timestamp()")) {
            rs.next();
            return rs.getObject(1, OffsetDateTime.class);
        }
    }

    private String postgresVersion() {
        try (Connection c = database.connect();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("show server_version")) {
            rs.next();
            return rs.getString(1);
        } catch (Exception e) {
            return "unknown (" + e.getMessage() + ")";
        }
    }

    /** Stops control-service, drops the database and stops the broker; safe to call twice and from a hook. */
    synchronized void cleanUp() {
        if (cleanedUp) {
            return;
        }
        cleanedUp = true;
        if (service != null) {
            say("stopping control-service");
            service.close();
        }
        if (database != null) {
            LabPostgres.shared().dropDatabase(database);
        }
        if (kafka != null) {
            say("stopping the Kafka broker");
            kafka.close();
        }
    }

    static void say(String line) {
        System.out.println("bench: " + line);
    }
}
