package dev.handoff.control.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.handoff.common.serde.Json;
import dev.handoff.control.Deliveries;
import dev.handoff.control.security.ApiTokens;
import dev.handoff.control.webhook.WebhookSignature;
import dev.handoff.lab.LabDatabase;
import dev.handoff.lab.LabKafka;
import dev.handoff.lab.LabPostgres;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * control-service as a real process, killed with SIGKILL while webhooks arrive, then restarted: every delivery that
 * was answered 202 is in the ledger exactly once, and none is forgotten as already delivered.
 */
class ControlServiceCrashIT {
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final List<Process> processes = new ArrayList<>();
    private final int port = freePort();
    private final LabDatabase database = LabPostgres.shared().createDatabase("handoff_crash_it");

    /** A delivery answered 202. */
    record Accepted(String deliveryId, String body, List<String> deploymentIds) {}

    @AfterEach
    void stop() {
        processes.forEach(Process::destroyForcibly);
        LabPostgres.shared().dropDatabase(database);
    }

    @Test
    void everyAcceptedDeliveryIsInTheLedgerExactlyOnceAfterAKill() throws Exception {
        // Given: control-service running and a sender delivering pushes back to back
        Process first = start("first");
        List<Accepted> accepted = new CopyOnWriteArrayList<>();
        AtomicBoolean sending = new AtomicBoolean(true);
        Thread sender = new Thread(() -> {
            while (sending.get()) {
                send(accepted);
            }
        });
        sender.start();
        await().atMost(Duration.ofSeconds(60)).until(() -> accepted.size() >= 25);

        // When: SIGKILL mid-stream, then a restart while the sender keeps trying
        first.destroyForcibly().waitFor();
        int acceptedBeforeKill = accepted.size();
        start("second");
        await().atMost(Duration.ofSeconds(60)).until(() -> accepted.size() >= acceptedBeforeKill + 10);
        sending.set(false);
        sender.join();

        // Then: each deployment answered 202 has exactly one commit event in the ledger
        List<String> ids =
                accepted.stream().flatMap(a -> a.deploymentIds().stream()).toList();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            Map<String, Integer> counts = commitEventsPerDeployment();
            for (String id : ids) {
                assertThat(counts.getOrDefault(id, 0))
                        .as("commit events of deployment %s", id)
                        .isEqualTo(1);
            }
        });
        assertThat(commitEventsPerDeployment().values())
                .as("no deployment stored twice")
                .containsOnly(1);
        // and a delivery accepted before the kill is still known after it
        Accepted early = accepted.get(0);
        HttpResponse<String> again = post(early.body(), early.deliveryId());
        assertThat(again.statusCode()).isEqualTo(200);
        assertThat(again.body()).contains("\"duplicate\"");
    }

    private void send(List<Accepted> accepted) {
        String delivery = UUID.randomUUID().toString();
        String body = Deliveries.push("ops/edge-cluster-infra", "refs/heads/main", Deliveries.sha());
        try {
            HttpResponse<String> r = post(body, delivery);
            if (r.statusCode() == 202) {
                JsonNode json = Json.mapper().readTree(r.body());
                List<String> ids = new ArrayList<>();
                json.path("deployments").forEach(d -> ids.add(d.path("id").asText()));
                accepted.add(new Accepted(delivery, body, ids));
            }
        } catch (IOException e) {
            // the service is down or was killed mid-request: this delivery got no 202, so it promises nothing
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private HttpResponse<String> post(String body, String delivery) throws IOException, InterruptedException {
        byte[] raw = body.getBytes(StandardCharsets.UTF_8);
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/hooks/forgejo"))
                .timeout(Duration.ofSeconds(15))
                .header("Content-Type", "application/json")
                .header("X-Forgejo-Event", "push")
                .header("X-Forgejo-Delivery", delivery)
                .header("X-Forgejo-Signature", new WebhookSignature(Deliveries.SECRET).sign(raw))
                .POST(HttpRequest.BodyPublishers.ofByteArray(raw))
                .build();
        return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private Map<String, Integer> commitEventsPerDeployment() throws IOException, InterruptedException {
        Map<String, Integer> counts = new HashMap<>();
        HttpRequest request = HttpRequest.newBuilder(
                        URI.create("http://localhost:" + port + "/api/events?type=handoff.commit.pushed&limit=500"))
                .header("Authorization", "Bearer " + Deliveries.VIEWER)
                .build();
        JsonNode items = Json.mapper()
                .readTree(
                        HTTP.send(request, HttpResponse.BodyHandlers.ofString()).body())
                .path("items");
        items.forEach(e -> counts.merge(e.path("deploymentId").asText(), 1, Integer::sum));
        assertThat(items.size()).as("page not full").isLessThan(500);
        return counts;
    }

    private Process start(String name) throws IOException {
        Path jar = Path.of(System.getProperty("handoff.control.jar", "target/quarkus-app/quarkus-run.jar"));
        assertThat(jar).as("package control-service first (./mvnw verify does)").exists();
        Path log = Path.of("target", "crash-it-" + name + ".log");
        Files.createDirectories(log.getParent());
        ProcessBuilder pb = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-Xmx256m",
                        "-XX:TieredStopAtLevel=1",
                        "-jar",
                        jar.toString())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        Map<String, String> env = pb.environment();
        env.put("KAFKA_BOOTSTRAP_SERVERS", LabKafka.shared().bootstrapServers());
        env.putAll(LabKafka.shared().serviceEnvironment("control-service"));
        env.put("QUARKUS_DATASOURCE_JDBC_URL", database.jdbcUrl());
        env.put("QUARKUS_DATASOURCE_USERNAME", database.username());
        env.put("QUARKUS_DATASOURCE_PASSWORD", database.password());
        env.put("QUARKUS_HTTP_PORT", Integer.toString(port));
        env.put(
                "HANDOFF_INVENTORY",
                Path.of("src/test/resources/handoff.yaml").toAbsolutePath().toString());
        env.put("HANDOFF_WEBHOOK_SECRET", Deliveries.SECRET);
        // its inventory names repositories that do not exist (https://forge.test/...): no freshness check
        env.put("HANDOFF_WEBHOOK_FRESHNESS_CHECK", "false");
        env.put("HANDOFF_AUTH_TOKENS", "it:viewer:" + ApiTokens.hash(Deliveries.VIEWER));
        Process p = pb.start();
        processes.add(p);
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(250))
                .until(() -> {
                    assertThat(p.isAlive())
                            .as("control-service exited; see %s", log)
                            .isTrue();
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
        return p;
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
