package dev.handoff.lab.launcher;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.CountDownLatch;

/**
 * A stand-in for control-service that the lab launcher starts from {@code control-service/target/quarkus-app/
 * quarkus-run.jar} in {@link LabLifecycleTest}'s project: it listens on {@code QUARKUS_HTTP_PORT}, is ready once the
 * file {@code FAKE_CONTROL_READY} exists, accepts webhooks, and answers {@code GET /api/deployments?host=…} for the
 * operator token whose hash the lab gave it in {@code HANDOFF_AUTH_TOKENS}: one succeeded deployment of
 * {@code cloud-edge-1}, none of other hosts. JDK classes only, so that the test can put it in a jar of its own.
 */
public final class FakeControlService {
    private FakeControlService() {}

    public static void main(String[] args) throws IOException, InterruptedException {
        int port = Integer.parseInt(System.getenv("QUARKUS_HTTP_PORT"));
        String ready = System.getenv("FAKE_CONTROL_READY");
        String tokenHash = System.getenv("HANDOFF_AUTH_TOKENS").replaceFirst("^.*:", "");
        HttpServer server = HttpServer.create(new InetSocketAddress(port), 0);
        server.createContext(
                "/q/health/ready",
                exchange -> answer(
                        exchange, ready == null || Files.exists(Path.of(ready)) ? 200 : 503, "{\"status\":\"UP\"}"));
        server.createContext("/hooks/forgejo", exchange -> {
            exchange.getRequestBody().readAllBytes();
            answer(exchange, 202, "{\"deploymentIds\":[\"d-fake-1\"]}");
        });
        server.createContext("/api/deployments", exchange -> {
            String auth = exchange.getRequestHeaders().getFirst("Authorization");
            if (auth == null
                    || !auth.startsWith("Bearer ")
                    || !sha256(auth.substring(7)).equals(tokenHash)) {
                answer(exchange, 401, "{\"error\":\"unauthorized\"}");
                return;
            }
            String query = exchange.getRequestURI().getQuery();
            answer(
                    exchange,
                    200,
                    query != null && query.contains("host=cloud-edge-1")
                            ? "{\"items\":[{\"id\":\"d-fake-1\",\"host\":\"cloud-edge-1\",\"repository\":"
                                    + "\"ops/nix-k3s-edge-cluster\",\"commit\":\"0123456789abcdef\",\"status\":"
                                    + "\"succeeded\",\"startedAt\":\"2025-01-02T03:04:05Z\",\"result\":"
                                    + "\"backup verified\"}],\"next\":null}"
                            : "{\"items\":[],\"next\":null}");
        });
        server.start();
        System.out.println("fake control-service on port " + port);
        new CountDownLatch(1).await();
    }

    private static void answer(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
