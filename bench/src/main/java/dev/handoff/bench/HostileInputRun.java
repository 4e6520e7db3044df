package dev.handoff.bench;

import dev.handoff.bench.hostile.BrokerPass;
import dev.handoff.bench.hostile.EntryPoint;
import dev.handoff.bench.hostile.HostileSuite;
import dev.handoff.bench.hostile.LogCapture;
import dev.handoff.bench.hostile.RecordInputs;
import dev.handoff.common.event.Topics;
import dev.handoff.lab.LabDatabase;
import dev.handoff.lab.LabKafka;
import dev.handoff.lab.LabKafkaUsers;
import dev.handoff.lab.LabPostgres;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.admin.Admin;
import org.jboss.logging.Logger;

/**
 * The hostile-input runner ({@code bench/run-hostile}, docs/security.md "Hostile-input suite"): every parser's
 * probe, the records end to end through the lab broker and a consumer loop, and fuzzed webhooks against the packaged
 * control-service. Prints the counts per entry point and writes them to {@code bench/target/hostile-results.txt}.
 * Exit code 0 when nothing escaped and no invariant broke, 1 otherwise, 2 when the run itself failed.
 *
 * <p>Arguments: {@code [inputs per entry point (2000)] [webhook deliveries (600)] [seed (15)]}. System property
 * {@code handoff.root}: the project root (default the working directory).
 */
public final class HostileInputRun {
    private static final Logger LOG = Logger.getLogger(HostileInputRun.class);

    private HostileInputRun() {}

    public static void main(String[] args) {
        int count = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
        int deliveries = args.length > 1 ? Integer.parseInt(args[1]) : 600;
        long seed = args.length > 2 ? Long.parseLong(args[2]) : 15;
        Path root = Path.of(System.getProperty("handoff.root", "."))
                .toAbsolutePath()
                .normalize();
        int exit;
        try {
            exit = run(root, count, deliveries, seed) ? 0 : 1;
        } catch (Exception e) {
            LOG.error("hostile: the run itself FAILED", e);
            exit = 2;
        }
        System.exit(exit);
    }

    static boolean run(Path root, int count, int deliveries, long seed) throws Exception {
        Path target = root.resolve("bench/target");
        Files.createDirectories(target);
        List<EntryPoint> results = new ArrayList<>();
        String report;
        boolean clean;
        try (LogCapture logs = LogCapture.install()) {
            say("probing the parsers, " + count + " inputs each (seed " + seed + ")");
            results.addAll(HostileSuite.parsers(seed, count));
            try (LabKafka kafka = LabKafka.start(0, null, LabKafkaUsers.generate())) {
                kafka.createTopics(Topics.all());
                say("records through the lab broker and a consumer loop");
                results.add(BrokerPass.run(kafka, RecordInputs.generate(seed + 1, Math.min(count, 1000))));
                if (deliveries > 0) {
                    results.add(webhooks(root, target, kafka, seed, deliveries));
                }
            }
            report = HostileSuite.report(results, logs);
            clean = HostileSuite.clean(results, logs);
        }
        System.out.println();
        System.out.print(report);
        Files.writeString(target.resolve("hostile-results.txt"), report, StandardCharsets.UTF_8);
        return clean;
    }

    private static EntryPoint webhooks(Path root, Path target, LabKafka kafka, long seed, int deliveries)
            throws Exception {
        HttpClient http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
        Path log = target.resolve("control-service-hostile.log");
        LabDatabase database = LabPostgres.shared().createDatabase("handoff_hostile");
        try (ControlServiceProcess service = ControlServiceProcess.launch(
                        root.resolve("control-service/target/quarkus-app/quarkus-run.jar"),
                        List.of("-Xmx512m"),
                        kafka.bootstrapServers(),
                        database,
                        log,
                        http);
                Admin admin = kafka.admin()) {
            say("control-service started (log: " + root.relativize(log) + "); " + deliveries + " deliveries");
            service.awaitReady();
            return HostileSuite.webhook(service.baseUri(), service.webhookSecret(), admin, log, seed, deliveries);
        } finally {
            LabPostgres.shared().dropDatabase(database);
        }
    }

    private static void say(String what) {
        System.out.println("hostile: " + what);
    }
}
