package dev.handoff.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.handoff.common.event.EventEnvelope;
import dev.handoff.common.event.EventType;
import dev.handoff.common.messaging.EventPublisher;
import dev.handoff.common.messaging.KafkaSettings;
import dev.handoff.common.serde.EventCodec;
import dev.handoff.common.serde.Json;
import dev.handoff.lab.LabDatabase;
import dev.handoff.lab.LabKafka;
import dev.handoff.lab.LabPostgres;
import dev.handoff.lab.forge.WebhookSignature;
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
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * handoffctl against the real control-service (the packaged jar, as a process) with the lab's broker and PostgreSQL:
 * listing, the timeline, events by position, and a converge replay whose new deployment is linked to the original.
 */
class HandoffCtlIT {
    private static final String SECRET = "cli-it-webhook-secret-of-at-least-32-bytes";
    private static final String OPERATOR = "cli-it-operator-token";
    private static final String VIEWER = "cli-it-viewer-token";
    private static final String HOST = "cloud-edge-1";
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private static Process control;
    private static LabDatabase database;
    private static String server;
    private static EventPublisher publisher;

    @BeforeAll
    static void startControlService() throws Exception {
        Path jar = Path.of(
                System.getProperty("handoff.control.jar", "../control-service/target/quarkus-app/quarkus-run.jar"));
        assertThat(jar)
                .as("package control-service first (./mvnw verify builds it before cli)")
                .exists();
        database = LabPostgres.shared().createDatabase("handoff_cli_it");
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        server = "http://localhost:" + port;
        Path log = Path.of("target", "control-service-cli-it.log");
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
                Path.of(System.getProperty(
                                "handoff.control.inventory", "../control-service/src/test/resources/handoff.yaml"))
                        .toAbsolutePath()
                        .toString());
        env.put("HANDOFF_WEBHOOK_SECRET", SECRET);
        // its inventory names repositories that do not exist (https://forge.test/...): no freshness check
        env.put("HANDOFF_WEBHOOK_FRESHNESS_CHECK", "false");
        env.put(
                "HANDOFF_AUTH_TOKENS",
                "cli-operator:operator:" + sha256(OPERATOR) + ",cli-viewer:viewer:" + sha256(VIEWER));
        env.put("HANDOFF_LEDGER_CONSUMER_GROUP", "handoff-ledger-cli-it-" + UUID.randomUUID());
        control = pb.start();
        await().atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(250))
                .until(() -> {
                    assertThat(control.isAlive())
                            .as("control-service exited; see %s", log)
                            .isTrue();
                    try {
                        return HTTP.send(
                                                HttpRequest.newBuilder(URI.create(server + "/q/health/ready"))
                                                        .build(),
                                                HttpResponse.BodyHandlers.discarding())
                                        .statusCode()
                                == 200;
                    } catch (IOException e) {
                        return false;
                    }
                });
        publisher = new EventPublisher(
                new KafkaProducer<>(KafkaSettings.producer(
                        LabKafka.shared().bootstrapServers(),
                        "cli-it",
                        LabKafka.adminSecurity(LabKafka.shared().bootstrapServers()))),
                new EventCodec());
    }

    @AfterAll
    static void stop() throws InterruptedException {
        if (publisher != null) {
            publisher.close();
        }
        if (control != null) {
            control.destroy();
            if (!control.waitFor(10, TimeUnit.SECONDS)) {
                control.destroyForcibly();
            }
        }
        if (database != null) {
            LabPostgres.shared().dropDatabase(database);
        }
    }

    @Test
    void replayingConvergeFromAnOffsetMakesANewDeploymentAndShowPrintsBothEndsOfTheLink() throws Exception {
        // Given: a push to the runtime repository, whose deployment got its secret facts and converged
        String original = push("ops/nix-k3s-edge-cluster");
        Published facts = publish(
                EventType.SECRET_FACTS_COMPLETED, original, null, "secret-facts.completed/v1/cloud-edge-1.json");
        publish(
                EventType.CONVERGENCE_COMPLETED,
                original,
                facts.id(),
                "convergence.completed/v1/cloud-edge-1-bootstrap.json");
        await().atMost(Duration.ofSeconds(15))
                .untilAsserted(
                        () -> assertThat(ctl("events", "--deployment", original).out())
                                .contains("handoff.convergence.completed"));

        // When: the operator finds the facts' offset and replays converge from it
        Ctl.Run events = ctl(
                "events",
                "--topic",
                "handoff.secret-facts",
                "--partition",
                Integer.toString(facts.partition()),
                "--from",
                Long.toString(facts.offset()));
        Ctl.Run replay = ctl(
                "replay",
                "converge",
                "--topic",
                "handoff.secret-facts",
                "--partition",
                Integer.toString(facts.partition()),
                "--from",
                Long.toString(facts.offset()),
                "--to",
                Long.toString(facts.offset()),
                "--host",
                HOST,
                "-o",
                "json");

        // Then
        assertThat(events.exit()).isZero();
        assertThat(events.out()).contains("handoff.secret-facts.completed", original);
        assertThat(replay.exit()).as(replay.err()).isZero();
        JsonNode answer = Json.mapper().readTree(replay.out());
        String replayed = answer.path("records").get(0).path("deploymentId").asText();
        assertThat(answer.path("requestedBy").asText()).isEqualTo("cli-operator");

        // When: converge runs again for the new deployment (what converge-service does with the replay channel)
        Published convergeStarted = publish(
                EventType.CONVERGENCE_STARTED,
                replayed,
                answer.path("records").get(0).path("eventId").asText(),
                null);
        publish(
                EventType.CONVERGENCE_COMPLETED,
                replayed,
                convergeStarted.id(),
                "convergence.completed/v1/cloud-edge-1-bootstrap.json");

        // Then: show prints both ends of the link, and the new deployment's timeline from converge on
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
            Ctl.Run shown = ctl("show", replayed);
            assertThat(shown.exit()).isZero();
            assertThat(shown.out()).contains("Replay of   " + original, "First stage converge");
            assertThat(shown.out()).containsPattern("converge\\s+completed");
        });
        Ctl.Run originalShown = ctl("show", original);
        assertThat(originalShown.out()).contains("Replayed as " + replayed);
        assertThat(originalShown.out()).containsPattern("secrets\\s+completed").containsPattern("workload\\s+-");
        Ctl.Run list = ctl("deployments", "--host", HOST);
        assertThat(list.out()).contains(replayed + " (replay)", original);
    }

    @Test
    void aBadReplayExitsWith1AndAViewerCannotReplay() {
        // When
        Ctl.Run notAnInput =
                ctl("replay", "converge", "--topic", "handoff.convergence", "--partition", "0", "--from", "0");
        Ctl.Run asViewer = Ctl.run(
                "replay",
                "converge",
                "--topic",
                "handoff.secret-facts",
                "--partition",
                "0",
                "--from",
                "0",
                "--server",
                server,
                "--token",
                VIEWER);
        Ctl.Run missing = ctl("show", "no-such-deployment");

        // Then
        assertThat(notAnInput.exit()).isEqualTo(1);
        assertThat(notAnInput.err()).contains("not-an-input", "replay from one of those");
        assertThat(asViewer.exit()).isEqualTo(4);
        assertThat(missing.exit()).isEqualTo(1);
        assertThat(missing.err()).contains("no deployment no-such-deployment");
    }

    @Test
    void theRunnableJarReadsServerAndTokenFromTheEnvironment() throws Exception {
        // Given
        Path jar = Path.of(System.getProperty("handoffctl.jar", "target/handoffctl.jar"));
        assertThat(jar).exists();
        ProcessBuilder pb = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-jar",
                        jar.toString(),
                        "deployments",
                        "--limit",
                        "1")
                .redirectErrorStream(true);
        pb.environment().put("HANDOFF_SERVER", server);
        pb.environment().put("HANDOFF_TOKEN", VIEWER);

        // When
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

        // Then
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out)
                .satisfiesAnyOf(
                        o -> assertThat(o).contains("HOST"), o -> assertThat(o).contains("No deployments"));
    }

    @Test
    void waitExits0ForADeploymentThatCompletesAnd1ForOneThatFails() throws Exception {
        // Given: two pushes of the runtime repository (their chains start at converge)
        String good = push("ops/nix-k3s-edge-cluster");
        String bad = push("ops/nix-k3s-edge-cluster");

        // When: an operator's script waits while the stages report
        CompletableFuture<Ctl.Run> waitingForGood =
                CompletableFuture.supplyAsync(() -> ctl("wait", good, "--timeout", "5m", "--interval", "200ms"));
        CompletableFuture<Ctl.Run> waitingForBad =
                CompletableFuture.supplyAsync(() -> ctl("wait", bad, "--timeout", "5m", "--interval", "200ms"));
        Published converged = publish(
                EventType.CONVERGENCE_COMPLETED, good, null, "convergence.completed/v1/cloud-edge-1-bootstrap.json");
        Published workload =
                publish(EventType.WORKLOAD_COMPLETED, good, converged.id(), "workload.completed/v1/rustdesk.json");
        publish(EventType.BACKUP_COMPLETED, good, workload.id(), "backup.completed/v1/runtime-with-rehearsal.json");
        publish(EventType.CONVERGENCE_FAILED, bad, null, "convergence.failed/v1/confirm-timeout-rolled-back.json");
        Ctl.Run succeeded = waitingForGood.get(60, TimeUnit.SECONDS);
        Ctl.Run failed = waitingForBad.get(60, TimeUnit.SECONDS);

        // Then
        assertThat(succeeded.exit()).as(succeeded.out() + succeeded.err()).isZero();
        assertThat(succeeded.out())
                .containsPattern("converge\\s+completed")
                .containsPattern("backup\\s+completed")
                .contains("Deployment " + good + " succeeded: backup verified");
        assertThat(failed.exit()).as(failed.out() + failed.err()).isEqualTo(1);
        assertThat(failed.out()).containsPattern("converge\\s+failed");
        assertThat(failed.err()).contains("deployment " + bad + " failed: converge:", "handoffctl show " + bad);
        Ctl.Run timedOut = ctl("wait", push("ops/nix-k3s-edge-cluster"), "--timeout", "2s", "--interval", "200ms");
        assertThat(timedOut.exit()).isEqualTo(2);
    }

    @Test
    void deploymentsPrintsYamlWithTheSameDataAsJson() throws Exception {
        // Given
        String id = push("ops/nix-k3s-edge-cluster");
        await().atMost(Duration.ofSeconds(15))
                .untilAsserted(() ->
                        assertThat(ctl("deployments", "--host", HOST).out()).contains(id));

        // When
        Ctl.Run yaml = ctl("-o", "yaml", "deployments", "--host", HOST, "--limit", "5");

        // Then
        assertThat(yaml.exit()).as(yaml.err()).isZero();
        JsonNode page = new YAMLMapper().readTree(yaml.out());
        assertThat(page.path("items").findValuesAsText("id")).contains(id);
        assertThat(page.path("items").get(0).path("host").asText()).isEqualTo(HOST);
    }

    @Test
    void redeployReplaysTheHostsLastTriggerOfTheStageAndApprovalsListsAPendingRequest() throws Exception {
        // Given: converge ran from these secret facts last
        String original = push("ops/nix-k3s-edge-cluster");
        Published facts = publish(
                EventType.SECRET_FACTS_COMPLETED, original, null, "secret-facts.completed/v1/cloud-edge-1.json");
        await().atMost(Duration.ofSeconds(15))
                .untilAsserted(
                        () -> assertThat(ctl("events", "--deployment", original).out())
                                .contains("handoff.secret-facts.completed"));

        // When
        Ctl.Run redeploy = ctl("redeploy", HOST, "--stage", "converge", "-o", "json");
        Ctl.Run unknownHost = ctl("redeploy", "no-such-host");

        // Then
        assertThat(redeploy.exit()).as(redeploy.err()).isZero();
        JsonNode answer = Json.mapper().readTree(redeploy.out());
        assertThat(answer.path("trigger").path("eventId").asText()).isEqualTo(facts.id());
        assertThat(answer.path("trigger").path("offset").asLong()).isEqualTo(facts.offset());
        String redeployed = answer.path("deploymentId").asText();
        await().atMost(Duration.ofSeconds(15))
                .untilAsserted(() -> assertThat(ctl("show", redeployed).out()).contains("Replay of   " + original));
        assertThat(unknownHost.exit()).isEqualTo(1);
        assertThat(unknownHost.err()).contains("unknown-host", "host no-such-host is not in handoff.yaml", "fix:");

        // Given: a stage asks for approval
        String held = UUID.randomUUID().toString();
        publish(EventType.APPROVAL_REQUESTED, held, null, "approval.requested/v1/replace-instance-delete-volume.json");

        // When / Then
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
            Ctl.Run pending = ctl("approvals", "--pending");
            assertThat(pending.exit()).isZero();
            assertThat(pending.out()).containsPattern(held + "\\s+" + HOST + "\\s+infra\\s+");
        });
    }

    @Test
    void theRunnableJarPrintsTheBuildsVersion() throws Exception {
        // Given
        Path jar = Path.of(System.getProperty("handoffctl.jar", "target/handoffctl.jar"));
        Process p = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-jar",
                        jar.toString(),
                        "--version")
                .redirectErrorStream(true)
                .start();

        // When
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

        // Then
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(out.strip()).isEqualTo("handoffctl " + System.getProperty("handoffctl.expected.version"));
    }

    private static Ctl.Run ctl(String... args) {
        String[] all = new String[args.length + 4];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--server";
        all[args.length + 1] = server;
        all[args.length + 2] = "--token";
        all[args.length + 3] = OPERATOR;
        return Ctl.run(all);
    }

    /** A published event's id and position. */
    record Published(String id, int partition, long offset) {}

    private static Published publish(EventType type, String deployment, String cause, String sample) throws Exception {
        JsonNode data;
        if (sample == null) {
            data = Json.mapper()
                    .createObjectNode()
                    .put("host", HOST)
                    .put("stage", "converge")
                    .put("triggerType", "handoff.secret-facts.completed");
        } else {
            try (InputStream in = HandoffCtlIT.class.getResourceAsStream("/samples/" + sample)) {
                data = Json.mapper().readTree(in);
            }
        }
        EventEnvelope event = new EventEnvelope(
                UUID.randomUUID().toString(),
                "/handoff/cli-it",
                type.type(),
                HOST,
                OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MICROS),
                type.dataSchema(1),
                deployment,
                cause,
                null,
                data);
        RecordMetadata m = publisher.publish(event).get(10, TimeUnit.SECONDS);
        return new Published(event.id(), m.partition(), m.offset());
    }

    private static String push(String repository) throws Exception {
        String after = HexFormat.of()
                .formatHex(MessageDigest.getInstance("SHA-1")
                        .digest(UUID.randomUUID().toString().getBytes(StandardCharsets.UTF_8)));
        String body = """
                {"ref":"refs/heads/main","before":"%s","after":"%s","commits":[],"total_commits":0,
                 "repository":{"full_name":"%s","clone_url":"https://forge.test/%s.git"},"pusher":{"login":"cli-it"}}
                """.formatted("0".repeat(40), after, repository, repository);
        byte[] raw = body.getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> r = HTTP.send(
                HttpRequest.newBuilder(URI.create(server + "/hooks/forgejo"))
                        .header("Content-Type", "application/json")
                        .header("X-Forgejo-Event", "push")
                        .header("X-Forgejo-Delivery", UUID.randomUUID().toString())
                        .header("X-Forgejo-Signature", WebhookSignature.sha256Hex(SECRET, raw))
                        .POST(HttpRequest.BodyPublishers.ofByteArray(raw))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        for (JsonNode d : Json.mapper().readTree(r.body()).path("deployments")) {
            if (d.path("host").asText().equals(HOST)) {
                return d.path("id").asText();
            }
        }
        throw new AssertionError("no deployment of " + HOST + " in " + r.body());
    }

    private static String sha256(String token) throws Exception {
        return HexFormat.of()
                .formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
    }
}
