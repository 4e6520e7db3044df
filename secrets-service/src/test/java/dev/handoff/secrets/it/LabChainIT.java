package dev.handoff.secrets.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.handoff.common.event.Topics;
import dev.handoff.common.serde.Json;
import dev.handoff.lab.LabDatabase;
import dev.handoff.lab.LabKafka;
import dev.handoff.lab.LabPostgres;
import dev.handoff.lab.TopicRecords;
import dev.handoff.lab.forge.ForgePush;
import dev.handoff.lab.forge.ForgeUser;
import dev.handoff.lab.forge.ForgejoPushPayload;
import dev.handoff.lab.forge.WebhookDelivery;
import dev.handoff.lab.world.secrets.LabSecrets;
import dev.handoff.secrets.SecretsLab;
import java.io.IOException;
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
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The lab chain with real processes: a push to the lab's secrets repository goes through the signed webhook into
 * control-service, over the embedded broker to secrets-service and back into control-service's ledger; then every
 * topic, every ledger table and every log file is searched for the lab's plaintext secret values.
 */
class LabChainIT {
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final String WEBHOOK_SECRET = "lab-chain-it-webhook-secret-" + UUID.randomUUID();
    private static final String VIEWER_TOKEN = "lab-chain-it-viewer-token";

    private final List<Process> processes = new ArrayList<>();
    private final SecretsLab lab = SecretsLab.create("lab-chain-it");
    private final LabDatabase ledger = LabPostgres.shared().createDatabase("handoff_secrets_chain_it");
    /** secrets-service's own database: its per-host advisory locks. */
    private final LabDatabase secretsDatabase = LabPostgres.shared().createDatabase("handoff_secrets_it");

    private final Path logs = Path.of("target", "lab-chain-it-" + UUID.randomUUID());
    private final int controlPort = freePort();

    @AfterEach
    void stop() throws InterruptedException {
        for (Process p : processes) {
            p.destroy();
        }
        for (Process p : processes) {
            if (!p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
        LabPostgres.shared().dropDatabase(ledger);
        LabPostgres.shared().dropDatabase(secretsDatabase);
    }

    @Test
    void secretsPushReachesTheLedgerAndNoPlaintextLeavesSecretsService() throws Exception {
        // Given: control-service and secrets-service running against the lab
        startControlService();
        startSecretsService();

        // When: a push of the secrets repository as the lab makes it
        List<String> good = deliver(lab.push("lab secrets as created"));

        // Then: completed for each host that uses it, in the ledger
        JsonNode completed = ledgerEvents("handoff.secret-facts.completed", good, 2);
        assertThat(completed.findValuesAsText("subject")).containsExactlyInAnyOrder("cloud-edge-1", "forgejo-pi");
        assertThat(completed.findValuesAsText("mac")).containsOnly("VERIFIED");

        // When: a push that removes the host's recipient from its file
        lab.writeEncrypted(
                SecretsLab.CLOUD_EDGE_FILE,
                SecretsLab.plaintext(SecretsLab.CLOUD_EDGE),
                List.of(SecretsLab.OPERATOR_RECIPIENT));
        List<String> broken = deliver(lab.push("re-encrypt for the operator only"));

        // Then: failed for that host, naming the file and the recipient
        JsonNode failed = ledgerEvents("handoff.secret-facts.failed", broken, 1);
        assertThat(failed.get(0).path("subject").asText()).isEqualTo("cloud-edge-1");
        assertThat(failed.get(0).path("data").path("reason").asText()).isEqualTo("missing-recipient");
        assertThat(failed.get(0).path("data").path("message").asText())
                .contains(SecretsLab.CLOUD_EDGE_FILE, SecretsLab.CLOUD_EDGE_RECIPIENT);

        // Then: no plaintext value of the lab in any topic, ledger table or log file
        List<String> plaintexts = LabSecrets.plaintextValues();
        assertThat(plaintexts).isNotEmpty();
        String topics = everyTopic();
        String tables = everyLedgerTable();
        String logText = everyLogFile();
        assertThat(topics).as("the scan reads the facts").contains("tailscale/auth_key");
        assertThat(tables).as("the scan reads the ledger").contains("tailscale/auth_key");
        assertThat(logText).as("the scan reads the logs").contains("secret-facts completed for cloud-edge-1");
        for (String plaintext : plaintexts) {
            assertThat(topics).as("topics").doesNotContain(plaintext);
            assertThat(tables).as("ledger tables").doesNotContain(plaintext);
            assertThat(logText).as("log files").doesNotContain(plaintext);
        }
    }

    private List<String> deliver(ForgePush push) throws Exception {
        byte[] body = ForgejoPushPayload.json(push, 2, ForgeUser.OPS);
        WebhookDelivery.Response response = new WebhookDelivery()
                .deliver(URI.create("http://localhost:" + controlPort + "/hooks/forgejo"), WEBHOOK_SECRET, body);
        assertThat(response.status()).as(response.body()).isEqualTo(202);
        List<String> ids = new ArrayList<>();
        Json.mapper()
                .readTree(response.body())
                .path("deployments")
                .forEach(d -> ids.add(d.path("id").asText()));
        assertThat(ids).hasSize(2);
        return ids;
    }

    private JsonNode ledgerEvents(String type, List<String> deployments, int expected) {
        return await().atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(500))
                .until(
                        () -> {
                            var selected = Json.mapper().createArrayNode();
                            for (JsonNode e : get("/api/events?type=" + type + "&limit=500")
                                    .path("items")) {
                                if (deployments.contains(e.path("deploymentId").asText())) {
                                    selected.add(e);
                                }
                            }
                            return selected;
                        },
                        found -> found.size() >= expected);
    }

    private JsonNode get(String path) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + controlPort + path))
                .header("Authorization", "Bearer " + VIEWER_TOKEN)
                .build();
        return Json.mapper()
                .readTree(
                        HTTP.send(request, HttpResponse.BodyHandlers.ofString()).body());
    }

    private String everyTopic() {
        StringBuilder all = new StringBuilder();
        for (String topic : Topics.all()) {
            for (ConsumerRecord<String, byte[]> r :
                    TopicRecords.records(LabKafka.shared().bootstrapServers(), topic)) {
                all.append(r.key()).append('\n');
                if (r.value() != null) {
                    all.append(new String(r.value(), StandardCharsets.UTF_8)).append('\n');
                }
                for (Header h : r.headers()) {
                    all.append(h.key())
                            .append('=')
                            .append(new String(h.value(), StandardCharsets.UTF_8))
                            .append('\n');
                }
            }
        }
        return all.toString();
    }

    private String everyLedgerTable() throws Exception {
        StringBuilder all = new StringBuilder();
        try (Connection c = DriverManager.getConnection(ledger.jdbcUrl(), ledger.username(), ledger.password());
                Statement s = c.createStatement()) {
            List<String> tables = new ArrayList<>();
            try (ResultSet rs = s.executeQuery("select table_schema || '.' || table_name from information_schema.tables"
                    + " where table_schema not in ('pg_catalog', 'information_schema')")) {
                while (rs.next()) {
                    tables.add(rs.getString(1));
                }
            }
            assertThat(tables).isNotEmpty();
            for (String table : tables) {
                try (ResultSet rs = s.executeQuery("select t::text from " + table + " t")) {
                    while (rs.next()) {
                        all.append(rs.getString(1)).append('\n');
                    }
                }
            }
        }
        return all.toString();
    }

    private String everyLogFile() throws IOException {
        StringBuilder all = new StringBuilder();
        try (Stream<Path> files = Files.list(logs)) {
            for (Path f : files.toList()) {
                all.append(Files.readString(f, StandardCharsets.UTF_8));
            }
        }
        return all.toString();
    }

    private void startControlService() throws Exception {
        Map<String, String> env = new java.util.HashMap<>();
        env.put("QUARKUS_DATASOURCE_JDBC_URL", ledger.jdbcUrl());
        env.put("QUARKUS_DATASOURCE_USERNAME", ledger.username());
        env.put("QUARKUS_DATASOURCE_PASSWORD", ledger.password());
        env.put("QUARKUS_HTTP_PORT", Integer.toString(controlPort));
        env.put("HANDOFF_WEBHOOK_SECRET", WEBHOOK_SECRET);
        env.put("HANDOFF_AUTH_TOKENS", "it:viewer:" + sha256(VIEWER_TOKEN));
        env.put("HANDOFF_LEDGER_CONSUMER_GROUP", "handoff-ledger-chain-it-" + UUID.randomUUID());
        start("control-service", System.getProperty("handoff.control.jar"), controlPort, env);
    }

    private void startSecretsService() throws Exception {
        int port = freePort();
        Map<String, String> env = new java.util.HashMap<>();
        Map<String, String> config = lab.serviceConfig();
        env.put("HANDOFF_SECRETS_VALIDATION_IDENTITY", config.get("handoff.secrets.validation-identity"));
        env.put("HANDOFF_SECRETS_REPOSITORY_CACHE", config.get("handoff.secrets.repository-cache"));
        env.put("HANDOFF_SECRETS_CONSUMER_GROUP", "handoff-secrets-chain-it-" + UUID.randomUUID());
        env.put("QUARKUS_DATASOURCE_JDBC_URL", secretsDatabase.jdbcUrl());
        env.put("QUARKUS_DATASOURCE_USERNAME", secretsDatabase.username());
        env.put("QUARKUS_DATASOURCE_PASSWORD", secretsDatabase.password());
        env.put("QUARKUS_HTTP_PORT", Integer.toString(port));
        start("secrets-service", System.getProperty("handoff.secrets.jar"), port, env);
    }

    private void start(String name, String jar, int port, Map<String, String> extra) throws Exception {
        assertThat(jar)
                .as("the failsafe configuration gives the jar of %s", name)
                .isNotNull();
        assertThat(Path.of(jar))
                .as("%s is packaged (./mvnw -B install -DskipTests -pl %s builds it)", name, name)
                .exists();
        Files.createDirectories(logs);
        Path log = logs.resolve(name + ".log");
        ProcessBuilder pb = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-Xmx256m",
                        "-XX:TieredStopAtLevel=1",
                        "-jar",
                        jar)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        Map<String, String> env = pb.environment();
        env.put("KAFKA_BOOTSTRAP_SERVERS", LabKafka.shared().bootstrapServers());
        env.putAll(LabKafka.shared().serviceEnvironment(name));
        env.put("HANDOFF_INVENTORY", lab.inventory().toString());
        env.putAll(extra);
        Process p = pb.start();
        processes.add(p);
        await().atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(250))
                .until(() -> {
                    assertThat(p.isAlive()).as("%s exited; see %s", name, log).isTrue();
                    try {
                        return HTTP.send(
                                                HttpRequest.newBuilder(URI.create(
                                                                "http://localhost:" + port + "/q/health/ready"))
                                                        .build(),
                                                HttpResponse.BodyHandlers.discarding())
                                        .statusCode()
                                == 200;
                    } catch (IOException e) {
                        return false;
                    }
                });
    }

    private static String sha256(String text) throws Exception {
        return HexFormat.of()
                .formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
