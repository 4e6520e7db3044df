package dev.handoff.lab.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.handoff.lab.forge.LabForge;
import dev.handoff.lab.forge.LabRepository;
import dev.handoff.lab.forge.WebhookDelivery;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PushCommandTest {
    private static final LabRepository INFRA =
            LabRepository.byFullName("ops/edge-cluster-infra").orElseThrow();
    private static final String SECRET = "push-test-secret";

    @TempDir
    Path dir;

    private LabHome home;
    private LabForge forge;
    private HttpServer controlService;
    private final AtomicInteger answerStatus = new AtomicInteger(202);
    private final AtomicReference<byte[]> receivedBody = new AtomicReference<>();
    private final AtomicReference<String> receivedSignature = new AtomicReference<>();
    private final AtomicReference<String> receivedType = new AtomicReference<>();
    private final AtomicReference<String> receivedDelivery = new AtomicReference<>();
    private final ByteArrayOutputStream output = new ByteArrayOutputStream();

    @BeforeEach
    void setUp() throws Exception {
        home = new LabHome(dir);
        forge = home.labForge();
        LabRepository.ALL.forEach(forge::ensure);
        controlService = HttpServer.create(new InetSocketAddress("localhost", 0), 0);
        controlService.createContext("/hooks/forgejo", exchange -> {
            receivedBody.set(exchange.getRequestBody().readAllBytes());
            receivedSignature.set(exchange.getRequestHeaders().getFirst("X-Forgejo-Signature"));
            receivedType.set(exchange.getRequestHeaders().getFirst("Content-Type"));
            receivedDelivery.set(exchange.getRequestHeaders().getFirst("X-Forgejo-Delivery"));
            byte[] answer = "{\"deploymentIds\":[\"d-1\"]}".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(answerStatus.get(), answer.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(answer);
            }
        });
        controlService.start();
    }

    @AfterEach
    void tearDown() {
        controlService.stop(0);
    }

    @Test
    void pushCommitsTheWorkingCopyPushesToTheForgeAndDeliversASignedWebhook() throws Exception {
        // Given a running lab and an edited working copy
        writeLabEnv("http://localhost:" + controlService.getAddress().getPort() + "/hooks/forgejo");
        Files.writeString(forge.workingCopy(INFRA).resolve("stacks/compute/main.tf"), "# bigger\n");

        // When
        int exit = push("ops/edge-cluster-infra", "Grow the data volume");

        // Then the commit is on the forge
        assertThat(exit).isZero();
        RevCommit head;
        try (Git bare = Git.open(forge.bareRepository(INFRA).toFile())) {
            head = bare.log().setMaxCount(1).call().iterator().next();
        }
        assertThat(head.getFullMessage()).isEqualTo("Grow the data volume");
        // and the webhook names it, signed with the lab's secret
        JsonNode payload = new ObjectMapper().readTree(receivedBody.get());
        assertThat(payload.get("after").asText()).isEqualTo(head.name());
        assertThat(payload.get("ref").asText()).isEqualTo("refs/heads/main");
        assertThat(payload.get("repository").get("full_name").asText()).isEqualTo("ops/edge-cluster-infra");
        assertThat(payload.get("repository").get("clone_url").asText())
                .as("Forgejo's public URL, not the forge URL of the lab's handoff.yaml")
                .isEqualTo("http://forge.lab.localhost/ops/edge-cluster-infra.git")
                .isNotEqualTo(forge.cloneUrl(INFRA));
        assertThat(payload.get("head_commit").get("modified").get(0).asText()).isEqualTo("stacks/compute/main.tf");
        assertThat(receivedSignature.get()).isEqualTo(hmacSha256Hex(SECRET, receivedBody.get()));
        assertThat(output()).contains("HTTP 202").contains("{\"deploymentIds\":[\"d-1\"]}");
    }

    @Test
    void aFormPushSendsThePayloadFieldSignedOverItsJsonAndRedeliverSendsTheSameBodyAgain() throws Exception {
        // Given
        writeLabEnv("http://localhost:" + controlService.getAddress().getPort() + "/hooks/forgejo");

        // When: pushed as a "form" webhook
        int exit = new PushCommand(home, new PrintStream(output, true, StandardCharsets.UTF_8), new WebhookDelivery())
                .run("ops/edge-cluster-infra", "form", true);

        // Then
        assertThat(exit).isZero();
        assertThat(receivedType.get()).isEqualTo("application/x-www-form-urlencoded");
        String form = new String(receivedBody.get(), StandardCharsets.US_ASCII);
        assertThat(form).startsWith("payload=");
        byte[] json = java.net.URLDecoder.decode(form.substring("payload=".length()), StandardCharsets.UTF_8)
                .getBytes(StandardCharsets.UTF_8);
        assertThat(new ObjectMapper().readTree(json).get("ref").asText()).isEqualTo("refs/heads/main");
        assertThat(receivedSignature.get()).isEqualTo(hmacSha256Hex(SECRET, json));

        // When: the last delivery is sent again, as Forgejo's "Replay"
        String firstDelivery = receivedDelivery.get();
        int again = new PushCommand(home, new PrintStream(output, true, StandardCharsets.UTF_8), new WebhookDelivery())
                .redeliver();

        // Then: the same JSON under a new delivery id
        assertThat(again).isZero();
        assertThat(receivedType.get()).isEqualTo("application/json");
        assertThat(receivedBody.get()).isEqualTo(json);
        assertThat(receivedDelivery.get()).isNotEqualTo(firstDelivery);
        assertThat(output()).contains("new delivery id");
    }

    @Test
    void refusedWebhookMakesThePushFail() throws Exception {
        // Given
        writeLabEnv("http://localhost:" + controlService.getAddress().getPort() + "/hooks/forgejo");
        answerStatus.set(401);

        // When
        int exit = push("ops/nix-k3s-edge-cluster", PushCommand.DEFAULT_MESSAGE);

        // Then
        assertThat(exit).isEqualTo(1);
        assertThat(output()).contains("HTTP 401");
    }

    @Test
    void pushWithoutARunningLabSaysHowToStartIt() throws Exception {
        // When
        int exit = push("ops/edge-cluster-infra", "x");

        // Then
        assertThat(exit).isEqualTo(1);
        assertThat(output()).contains("start it with ./handoff up");
        assertThat(receivedBody.get()).isNull();
    }

    @Test
    void pushToALabThatStoppedAnsweringSaysHowToStartIt() throws Exception {
        // Given lab.env of a lab whose control-service no longer listens
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        writeLabEnv("http://localhost:" + closedPort + "/hooks/forgejo");

        // When
        int exit = push("ops/edge-cluster-infra", "x");

        // Then
        assertThat(exit).isEqualTo(1);
        assertThat(output()).contains("start it with ./handoff up");
    }

    @Test
    void aPushWaitingForALabThatStopsBeforeItIsReadySaysSoAndPushesNothing() throws Exception {
        // Given: a lab launcher that is starting
        Process launcher = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-Xmx16m",
                        "-cp",
                        System.getProperty("java.class.path"),
                        FakeService.class.getName(),
                        Integer.toString(freePort()),
                        "unready")
                .start();
        try {
            new LabState(
                            launcher.pid(),
                            LabState.startOf(launcher.toHandle()),
                            LabState.Phase.STARTING,
                            java.time.Instant.now(),
                            "",
                            "",
                            java.util.List.of(),
                            Map.of())
                    .write(home.labState());
            String before = head();
            java.util.concurrent.CompletableFuture<Integer> push =
                    java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                        try {
                            return push("ops/edge-cluster-infra", "x");
                        } catch (InterruptedException e) {
                            throw new IllegalStateException(e);
                        }
                    });
            org.awaitility.Awaitility.await().until(() -> output().contains("The lab is starting"));

            // When it ends before it is ready
            launcher.destroy();

            // Then
            assertThat(push.get(60, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(1);
            assertThat(output()).contains("stopped before it was ready").contains("nothing was committed or pushed");
            assertThat(head()).isEqualTo(before);
            assertThat(receivedBody.get()).isNull();
        } finally {
            launcher.destroyForcibly();
        }
    }

    @Test
    void unknownRepositoryIsAUsageError() throws Exception {
        // When
        int exit = push("ops/unknown", "x");

        // Then
        assertThat(exit).isEqualTo(2);
        assertThat(output()).contains("ops/edge-cluster-infra");
    }

    private int push(String repository, String message) throws InterruptedException {
        PrintStream out = new PrintStream(output, true, StandardCharsets.UTF_8);
        return new PushCommand(home, out, new WebhookDelivery()).run(repository, message);
    }

    private String head() throws Exception {
        try (Git bare = Git.open(forge.bareRepository(INFRA).toFile())) {
            return bare.getRepository().resolve("refs/heads/main").name();
        }
    }

    private static int freePort() throws java.io.IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private String output() {
        return output.toString(StandardCharsets.UTF_8);
    }

    private void writeLabEnv(String webhookUrl) {
        Map<String, String> values = new LinkedHashMap<>();
        values.put(LabEnvFile.WEBHOOK_URL, webhookUrl);
        values.put(LabEnvFile.WEBHOOK_SECRET, SECRET);
        values.put(LabEnvFile.PID, Long.toString(ProcessHandle.current().pid()));
        new LabEnvFile(values).write(home.labEnv());
    }

    private static String hmacSha256Hex(String secret, byte[] body) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return HexFormat.of().formatHex(mac.doFinal(body));
    }
}
