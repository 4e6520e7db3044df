package dev.handoff.lab.launcher;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.concurrent.Executors;

/**
 * How a second {@code ./handoff} asks the running lab for a drill: {@code POST /drills/<action>/<target>} on a
 * loopback-only port, with a random token of this run as bearer token. Both are in {@code run/lab.env}, which only
 * its owner can read; the answer is the drill's sentence as plain text, {@code 200} when done, {@code 409} when
 * refused or failed.
 */
final class DrillEndpoint implements AutoCloseable {
    private final HttpServer server;
    private final String token;
    private final LabDrills drills;

    private DrillEndpoint(HttpServer server, String token, LabDrills drills) {
        this.server = server;
        this.token = token;
        this.drills = drills;
    }

    /** Listens on a free port of {@code 127.0.0.1} with a new token. */
    static DrillEndpoint start(LabDrills drills) {
        byte[] random = new byte[24];
        new SecureRandom().nextBytes(random);
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 10);
            DrillEndpoint endpoint = new DrillEndpoint(server, HexFormat.of().formatHex(random), drills);
            server.createContext("/drills/", endpoint::handle);
            // one drill at a time is enough, and a second one waits for the first (LabDrills is serial anyway)
            server.setExecutor(Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "lab-drills");
                t.setDaemon(true);
                return t;
            }));
            server.start();
            return endpoint;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the lab's drill endpoint on 127.0.0.1", e);
        }
    }

    /** Where it listens, e.g. {@code http://127.0.0.1:43123}. */
    URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** The bearer token a request must carry. */
    String token() {
        return token;
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String authorization = exchange.getRequestHeaders().getFirst("Authorization");
            if (authorization == null
                    || !MessageDigest.isEqual(
                            authorization.getBytes(StandardCharsets.UTF_8),
                            ("Bearer " + token).getBytes(StandardCharsets.UTF_8))) {
                answer(exchange, 401, "The lab's drill endpoint needs this run's token (run/lab.env).");
                return;
            }
            if (!exchange.getRequestMethod().equals("POST")) {
                answer(exchange, 405, "POST a drill.");
                return;
            }
            Drill drill;
            try {
                drill = Drill.ofPath(exchange.getRequestURI().getPath());
            } catch (IllegalArgumentException e) {
                answer(exchange, 404, e.getMessage());
                return;
            }
            LabDrills.Answer answer = drills.run(drill);
            answer(exchange, answer.done() ? 200 : 409, answer.text());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void answer(HttpExchange exchange, int status, String text) throws IOException {
        byte[] body = (text + "\n").getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
