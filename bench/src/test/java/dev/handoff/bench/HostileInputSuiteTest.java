package dev.handoff.bench;

import static org.assertj.core.api.Assertions.assertThat;

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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Hostile input at every entry point ends as a refusal with a named reason (or as valid input): nothing escapes, the
 * planted secret shows nowhere, no file lands outside its base, and the consumer loop dead-letters every invalid
 * record and publishes nothing else. Smaller counts than {@code bench/run-hostile}; the same generators and probes.
 */
class HostileInputSuiteTest {
    private static final long SEED = 15;

    private static void assertClean(List<EntryPoint> results, LogCapture logs) {
        String report = HostileSuite.report(results, logs);
        System.out.print(report);
        for (EntryPoint e : results) {
            assertThat(e.escapes()).as(e.name() + "\n" + report).isEmpty();
            assertThat(e.problems()).as(e.name() + "\n" + report).isEmpty();
            assertThat(e.refused().keySet())
                    .as(e.name())
                    .allSatisfy(reason -> assertThat(reason).isNotBlank());
            assertThat(e.tried()).as(e.name()).isPositive();
        }
        assertThat(logs.leaks()).as("log lines holding the planted secret").isEmpty();
    }

    @Test
    void everyParserRefusesHostileInputWithANamedReason() throws Exception {
        try (LogCapture logs = LogCapture.install()) {
            // When
            List<EntryPoint> results = HostileSuite.parsers(SEED, 300);

            // Then
            assertClean(results, logs);
            assertThat(results)
                    .allSatisfy(e -> assertThat(e.refusedTotal()).as(e.name()).isPositive());
        }
    }

    @Test
    void consumerLoopDeadLettersEveryInvalidRecordAndSurvives() throws Exception {
        try (LogCapture logs = LogCapture.install();
                LabKafka kafka = LabKafka.start(0, null, LabKafkaUsers.generate())) {
            // Given
            kafka.createTopics(Topics.all());

            // When
            EntryPoint result = BrokerPass.run(kafka, RecordInputs.generate(SEED + 1, 200));

            // Then
            assertClean(List.of(result), logs);
            assertThat(result.accepted()).isPositive();
            assertThat(result.refusedTotal()).isPositive();
        }
    }

    @Test
    void unsignedAndMalformedWebhooksAreRefusedWithAReasonAndPublishNothing() throws Exception {
        // Given: the packaged control-service, as the other bench runs use it
        Path jar = projectRoot().resolve("control-service/target/quarkus-app/quarkus-run.jar");
        Assumptions.assumeTrue(Files.isRegularFile(jar), "control-service is not packaged: " + jar);
        HttpClient http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
        try (LogCapture logs = LogCapture.install();
                LabKafka kafka = LabKafka.start(0, null, LabKafkaUsers.generate())) {
            kafka.createTopics(Topics.all());
            LabDatabase database = LabPostgres.shared().createDatabase("handoff_hostile_test");
            Path log = projectRoot().resolve("bench/target/control-service-hostile-test.log");
            try (ControlServiceProcess service = ControlServiceProcess.launch(
                            jar, List.of("-Xmx512m"), kafka.bootstrapServers(), database, log, http);
                    Admin admin = kafka.admin()) {
                service.awaitReady();

                // When
                EntryPoint result =
                        HostileSuite.webhook(service.baseUri(), service.webhookSecret(), admin, log, SEED, 150);

                // Then
                assertClean(List.of(result), logs);
                assertThat(result.refusedTotal()).isPositive();
            } finally {
                LabPostgres.shared().dropDatabase(database);
            }
        }
    }

    private static Path projectRoot() {
        Path here = Path.of("").toAbsolutePath();
        return Files.isDirectory(here.resolve("control-service")) ? here : here.getParent();
    }
}
