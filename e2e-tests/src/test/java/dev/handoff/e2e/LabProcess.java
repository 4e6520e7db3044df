package dev.handoff.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.handoff.lab.LabPostgres;
import dev.handoff.lab.launcher.ServiceModule;
import java.io.IOException;
import java.net.InetSocketAddress;
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
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A lab started with {@code ./handoff up} from the project folder, in a folder, on ports and with database names of
 * its own, so that it never touches a lab the developer runs; and {@code ./handoff <command>} against it.
 */
final class LabProcess implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final List<String> SERVICES = List.of(
            "control-service",
            "infra-service",
            "secrets-service",
            "converge-service",
            "workload-service",
            "backup-service");

    /** What a {@code ./handoff} command printed, and its exit code. */
    record Result(int exit, String output) {}

    private final Path project = Path.of(System.getProperty("handoff.project.dir", ".."))
            .toAbsolutePath()
            .normalize();
    private final Path home = Path.of("target", "e2e-lab-" + UUID.randomUUID()).toAbsolutePath();
    private final String databasePrefix =
            "handoff_e2e_" + UUID.randomUUID().toString().substring(0, 8);
    private final String token = "e2e-operator-token-" + UUID.randomUUID();
    private Process lab;
    private int port;

    /** Starts the lab with every service and waits until it is up. */
    static LabProcess start() throws Exception {
        return start(Map.of());
    }

    /** As {@link #start()}, with {@code environment} added to {@code ./handoff up}'s (and so the services'). */
    static LabProcess start(Map<String, String> environment) throws Exception {
        LabProcess process = new LabProcess(environment);
        process.up();
        return process;
    }

    private final Map<String, String> environment;

    private LabProcess(Map<String, String> environment) {
        this.environment = Map.copyOf(environment);
    }

    private void up() throws Exception {
        for (String service : SERVICES) {
            assertThat(project.resolve(service).resolve("target/quarkus-app/quarkus-run.jar"))
                    .as("the reactor packages every service before this test")
                    .isRegularFile();
        }
        Files.createDirectories(home);
        port = freePortBlock(SERVICES.size());
        lab = handoff(
                        home.resolve("up.out"),
                        "up",
                        "--port",
                        Integer.toString(port),
                        "--kafka-port",
                        Integer.toString(freePort()),
                        "--fresh")
                .start();
        await("./handoff up says the lab is up (output in " + home.resolve("up.out") + ")")
                .atMost(Duration.ofMinutes(5))
                .pollInterval(Duration.ofMillis(500))
                .until(() -> {
                    String out = read(home.resolve("up.out"));
                    if (!lab.isAlive()) {
                        throw new AssertionError("./handoff up exited with " + lab.exitValue() + ":\n" + out);
                    }
                    return out.contains("Handoff lab is up");
                });
    }

    /** The lab's folder ({@code HANDOFF_HOME}). */
    Path home() {
        return home;
    }

    /** The name of the lab database of {@code service}. */
    String database(ServiceModule service) {
        return service.database(Map.of(ServiceModule.DATABASE_PREFIX_VARIABLE, databasePrefix));
    }

    /** Runs {@code ./handoff <args>} against this lab and waits for it (at most 4 minutes). */
    Result run(String... args) throws Exception {
        Path out = home.resolve("handoff-" + args[0] + "-" + UUID.randomUUID() + ".out");
        Process process = handoff(out, args).start();
        assertThat(process.waitFor(4, TimeUnit.MINUTES))
                .as("./handoff %s ends", String.join(" ", args))
                .isTrue();
        return new Result(process.exitValue(), read(out));
    }

    /** {@code ./handoff push <repository>}; returns the id of the deployment it started for {@code host}. */
    String push(String repository, String host) throws Exception {
        Result push = run("push", repository, "-m", "e2e drill");
        assertThat(push.exit()).as("./handoff push output:\n%s", push.output()).isZero();
        java.util.regex.Matcher id = java.util.regex.Pattern.compile(
                        "\"id\":\"([0-9a-f-]{36})\",\"host\":\"" + host + "\"")
                .matcher(push.output());
        assertThat(id.find())
                .as("a deployment of %s in:\n%s", host, push.output())
                .isTrue();
        return id.group(1);
    }

    /** The deployment {@code id} from the ledger ({@code GET /api/deployments/{id}}), or null while it has none. */
    JsonNode deployment(String id) throws Exception {
        HttpResponse<String> response = HTTP.send(
                HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/api/deployments/" + id))
                        .header("Authorization", "Bearer " + token)
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        return response.statusCode() == 404 ? null : JSON.readTree(response.body());
    }

    /** The newest deployment of {@code repository} on {@code host} ({@code GET /api/deployments}), or null. */
    JsonNode newestDeployment(String repository, String host) throws Exception {
        HttpResponse<String> response = HTTP.send(
                HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/api/deployments?host=" + host
                                + "&repository=" + java.net.URLEncoder.encode(repository, StandardCharsets.UTF_8)
                                + "&limit=1"))
                        .header("Authorization", "Bearer " + token)
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        JsonNode items = JSON.readTree(response.body()).path("items");
        return items.isEmpty() ? null : items.get(0);
    }

    /** Waits until the deployment {@code id} has finished (succeeded or failed) and returns it. */
    JsonNode finished(String id, Duration within) {
        return await("deployment " + id + " finished")
                .atMost(within)
                .pollInterval(Duration.ofMillis(500))
                .ignoreExceptions()
                .until(
                        () -> deployment(id),
                        d -> d != null && !d.path("status").asText().equals("running"));
    }

    /** The events of {@code type} in {@code deployment}. */
    static List<JsonNode> events(JsonNode deployment, String type) {
        List<JsonNode> found = new ArrayList<>();
        deployment.path("events").forEach(e -> {
            if (e.path("type").asText().equals(type)) {
                found.add(e);
            }
        });
        return found;
    }

    /** The service's log so far. */
    String log(String service) throws IOException {
        return read(home.resolve("run/logs/" + service + ".log"));
    }

    /** {@code ./handoff <args>} from the project folder, with this lab's folder, database names and token. */
    private ProcessBuilder handoff(Path output, String... args) {
        List<String> command =
                new ArrayList<>(List.of("bash", project.resolve("handoff").toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(project.toFile())
                .redirectErrorStream(true)
                .redirectOutput(output.toFile());
        Map<String, String> env = builder.environment();
        env.put("HANDOFF_HOME", home.toString());
        env.put(ServiceModule.DATABASE_PREFIX_VARIABLE, databasePrefix);
        env.put("HANDOFF_OPERATOR_TOKEN", token);
        env.put("JAVA_HOME", System.getProperty("java.home"));
        env.putAll(environment);
        return builder;
    }

    @Override
    public void close() throws Exception {
        if (lab != null) {
            lab.destroy();
            if (!lab.waitFor(60, TimeUnit.SECONDS)) {
                lab.descendants().forEach(ProcessHandle::destroyForcibly);
                lab.destroyForcibly();
            }
        }
        for (ServiceModule service : ServiceModule.ALL) {
            LabPostgres.shared().dropDatabase(database(service));
        }
    }

    static String read(Path file) throws IOException {
        return Files.isRegularFile(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** The first of {@code count} consecutive free ports (the lab gives service i the base port plus i). */
    private static int freePortBlock(int count) throws IOException {
        for (int attempt = 0; attempt < 50; attempt++) {
            // below the ephemeral range and away from the lab's own fixed ports (9092, 8080-8085, RustDesk's
            // 21115-21119)
            int base = 10000 + (int) (Math.random() * 9000);
            if (allFree(base, count)) {
                return base;
            }
        }
        throw new IOException("no block of " + count + " free ports found between 10000 and 19000");
    }

    private static boolean allFree(int base, int count) {
        for (int p = base; p < base + count; p++) {
            try (ServerSocket socket = new ServerSocket()) {
                socket.bind(new InetSocketAddress("0.0.0.0", p));
            } catch (IOException e) {
                return false;
            }
        }
        return true;
    }
}
