package dev.handoff.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A stand-in for control-service's HTTP API in handoffctl's tests: answers each request with the next of a script of
 * answers (the last one again once the script is used up) and records what it was asked.
 */
final class ControlStub implements AutoCloseable {
    /** A request the stub received. */
    record Seen(String method, String path, String authorization, String idempotencyKey, String body) {}

    /** An answer: HTTP status and JSON body. */
    record Answer(int status, String body) {}

    final List<Seen> seen = new CopyOnWriteArrayList<>();
    private final List<Answer> script = new ArrayList<>();
    private int next;
    private final HttpServer server;

    ControlStub() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", this::handle);
        server.start();
    }

    /** Answers the next requests with these bodies (status 200), in order. */
    synchronized ControlStub answer(String... bodies) {
        for (String b : bodies) {
            script.add(new Answer(200, b));
        }
        return this;
    }

    /** Answers the next request with this status and body. */
    synchronized ControlStub answer(int status, String body) {
        script.add(new Answer(status, body));
        return this;
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private void handle(HttpExchange exchange) throws IOException {
        seen.add(new Seen(
                exchange.getRequestMethod(),
                exchange.getRequestURI().toString(),
                exchange.getRequestHeaders().getFirst("Authorization"),
                exchange.getRequestHeaders().getFirst("Idempotency-Key"),
                new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)));
        Answer answer;
        synchronized (this) {
            answer = script.isEmpty() ? new Answer(200, "{}") : script.get(Math.min(next, script.size() - 1));
            next++;
        }
        byte[] body = answer.body().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(answer.status(), body.length);
        exchange.getResponseBody().write(body);
        exchange.close();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
