package dev.handoff.bench;

import dev.handoff.lab.LabDatabase;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * control-service started from its packaged jar as a child process, the way the crash IT does: a free port, the lab's
 * broker and database, a generated webhook secret and viewer token, output to a log file.
 */
final class ControlServiceProcess implements AutoCloseable {
    private static final Duration READY_DEADLINE = Duration.ofSeconds(90);
    private static final Duration STOP_GRACE = Duration.ofSeconds(20);

    private final Process process;
    private final int port;
    private final Path log;
    private final Path inventoryDir;
    private final String webhookSecret;
    private final List<String> jvmOptions;
    private final HttpClient http;
    private boolean stopped;

    private ControlServiceProcess(
            Process process,
            int port,
            Path log,
            Path inventoryDir,
            String webhookSecret,
            List<String> jvmOptions,
            HttpClient http) {
        this.process = process;
        this.port = port;
        this.log = log;
        this.inventoryDir = inventoryDir;
        this.webhookSecret = webhookSecret;
        this.jvmOptions = jvmOptions;
        this.http = http;
    }

    /**
     * Starts control-service; {@link #awaitReady()} waits until it is ready. The process is running when this
     * returns, so that the caller can stop it whatever happens next.
     *
     * @param jar {@code control-service/target/quarkus-app/quarkus-run.jar}
     * @param jvmOptions options of the child JVM, e.g. {@code -Xmx512m}
     * @param kafkaBootstrap the broker
     * @param database the ledger's database
     * @param log where the service's output goes
     * @throws BenchException when the jar is missing
     */
    static ControlServiceProcess launch(
            Path jar, List<String> jvmOptions, String kafkaBootstrap, LabDatabase database, Path log, HttpClient http)
            throws IOException {
        if (!Files.isRegularFile(jar)) {
            throw new BenchException("control-service is not packaged: " + jar
                    + " is missing; run ./mvnw -B -q install -DskipTests from the project root (bench/run does)");
        }
        Files.createDirectories(log.toAbsolutePath().getParent());
        Path inventoryDir = Files.createTempDirectory("handoff-bench-");
        Path inventory = inventoryDir.resolve("handoff.yaml");
        try (InputStream in = ControlServiceProcess.class.getResourceAsStream("/handoff.yaml")) {
            if (in == null) {
                throw new IllegalStateException("handoff.yaml is missing from the bench's resources");
            }
            Files.copy(in, inventory);
        }
        String secret = randomHex(24);
        String viewerToken = randomHex(24);
        int port = freePort();

        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("-jar");
        command.add(jar.toAbsolutePath().toString());
        ProcessBuilder pb =
                new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        Map<String, String> env = pb.environment();
        env.put("KAFKA_BOOTSTRAP_SERVERS", kafkaBootstrap);
        env.putAll(dev.handoff.lab.LabKafka.serviceEnvironment(kafkaBootstrap, "control-service"));
        env.put("QUARKUS_DATASOURCE_JDBC_URL", database.jdbcUrl());
        env.put("QUARKUS_DATASOURCE_USERNAME", database.username());
        env.put("QUARKUS_DATASOURCE_PASSWORD", database.password());
        env.put("QUARKUS_HTTP_PORT", Integer.toString(port));
        env.put("HANDOFF_INVENTORY", inventory.toString());
        env.put("HANDOFF_WEBHOOK_SECRET", secret);
        // its inventory names repositories that do not exist (https://forge.test/...): no freshness check
        env.put("HANDOFF_WEBHOOK_FRESHNESS_CHECK", "false");
        env.put("HANDOFF_AUTH_TOKENS", "bench:viewer:" + sha256Hex(viewerToken));
        Process process = pb.start();
        return new ControlServiceProcess(process, port, log, inventoryDir, secret, List.copyOf(jvmOptions), http);
    }

    /** {@code http://localhost:<port>}. */
    URI baseUri() {
        return URI.create("http://localhost:" + port);
    }

    /** The secret deliveries are signed with. */
    String webhookSecret() {
        return webhookSecret;
    }

    /** The options the child JVM was started with. */
    List<String> jvmOptions() {
        return jvmOptions;
    }

    /** The process id of the service. */
    long pid() {
        return process.pid();
    }

    /** The service's log file. */
    Path log() {
        return log;
    }

    /**
     * The sum of a counter on {@code /q/metrics} over all its label sets, e.g.
     * {@code handoff_ledger_events_stored_total}.
     */
    double metric(String name) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(
                HttpRequest.newBuilder(baseUri().resolve("/q/metrics"))
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new BenchException("/q/metrics answered " + r.statusCode());
        }
        return PrometheusText.sum(r.body(), name);
    }

    /**
     * Waits until {@code /q/health/ready} answers 200.
     *
     * @throws BenchException when the process exits or is not ready within 90 s
     */
    void awaitReady() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + READY_DEADLINE.toNanos();
        HttpRequest ready = HttpRequest.newBuilder(baseUri().resolve("/q/health/ready"))
                .timeout(Duration.ofSeconds(5))
                .build();
        while (true) {
            if (!process.isAlive()) {
                throw new BenchException("control-service exited with code " + process.exitValue()
                        + " before it was ready; see " + log.toAbsolutePath());
            }
            try {
                if (http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet, or accepting before it answers
            }
            if (System.nanoTime() > deadline) {
                throw new BenchException("control-service was not ready (/q/health/ready = 200) within "
                        + READY_DEADLINE.toSeconds() + " s; see " + log.toAbsolutePath());
            }
            Thread.sleep(250);
        }
    }

    /**
     * Stops the service with SIGTERM (Quarkus shuts down gracefully), then SIGKILL if it is still running after 20
     * s. Called more than once, does nothing.
     */
    @Override
    public synchronized void close() {
        if (stopped) {
            return;
        }
        stopped = true;
        try {
            process.destroy();
            if (!process.waitFor(STOP_GRACE.toSeconds(), TimeUnit.SECONDS)) {
                System.err.println("bench: control-service did not stop within " + STOP_GRACE.toSeconds()
                        + " s of SIGTERM; killing it");
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        } finally {
            deleteInventory();
        }
    }

    private void deleteInventory() {
        try {
            Files.deleteIfExists(inventoryDir.resolve("handoff.yaml"));
            Files.deleteIfExists(inventoryDir);
        } catch (IOException e) {
            System.err.println("bench: could not delete " + inventoryDir + ": " + e.getMessage());
        }
    }

    static String sha256Hex(String text) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available in this JVM", e);
        }
    }

    private static String randomHex(int bytes) {
        byte[] random = new byte[bytes];
        new SecureRandom().nextBytes(random);
        return HexFormat.of().formatHex(random);
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port", e);
        }
    }
}
