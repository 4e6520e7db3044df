package dev.handoff.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.handoff.common.serde.Json;
import dev.handoff.lab.LabDatabase;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Webhook → ledger latency: signed Forgejo push deliveries sent from one thread at a steady rate; for each one
 * answered 202, the wall-clock instant just before sending is compared with the {@code stored_at} of its
 * {@code handoff.commit.pushed} event, read straight from PostgreSQL ({@code stored_at} defaults to
 * {@code clock_timestamp()}, the moment the ledger inserted the row; both clocks are this machine's).
 */
final class WebhookLatency {
    static final String REPOSITORY = "ops/edge-cluster-infra";
    static final String COMMIT_PUSHED = "handoff.commit.pushed";
    private static final Duration STORED_DEADLINE = Duration.ofSeconds(60);
    private static final Clock CLOCK = Clock.systemUTC();

    private final HttpClient http;
    private final URI hook;
    private final ForgejoDeliveries deliveries;
    private final LabDatabase database;

    /**
     * The figures of the measured deliveries.
     *
     * @param sent deliveries sent
     * @param accepted deliveries answered 202
     * @param otherAnswers other answers by HTTP status
     * @param failed deliveries that got no answer (I/O error or timeout)
     * @param toLedger sent → stored_at of the deployment's commit.pushed event
     * @param answer sent → 202 received
     */
    record Result(
            int sent,
            int accepted,
            Map<Integer, Integer> otherAnswers,
            int failed,
            Latencies toLedger,
            Latencies answer) {}

    private record Accepted(List<String> deploymentIds, Instant sentAt, long answerMicros) {}

    private record Phase(int sent, List<Accepted> accepted, Map<Integer, Integer> otherAnswers, int failed) {}

    WebhookLatency(HttpClient http, URI base, String webhookSecret, LabDatabase database) {
        this.http = http;
        this.hook = base.resolve("/hooks/forgejo");
        this.deliveries = new ForgejoDeliveries(webhookSecret);
        this.database = database;
    }

    /** Sends {@code warmup} deliveries (not counted, waited for in the ledger), then measures {@code count}. */
    Result run(int warmup, int count, double perSecond) throws IOException, InterruptedException, SQLException {
        Phase warm = send(warmup, perSecond);
        if (warm.accepted().isEmpty() && warmup > 0) {
            throw new BenchException("no warm-up delivery was answered 202 (answers: " + warm.otherAnswers()
                    + ", no answer: " + warm.failed() + "); see the control-service log");
        }
        awaitStored(ids(warm.accepted()));

        Phase measured = send(count, perSecond);
        if (measured.accepted().isEmpty()) {
            throw new BenchException("no delivery was answered 202 (answers: " + measured.otherAnswers()
                    + ", no answer: " + measured.failed() + "); see the control-service log");
        }
        Map<String, Instant> stored = awaitStored(ids(measured.accepted()));
        List<Long> toLedger = new ArrayList<>();
        List<Long> answer = new ArrayList<>();
        for (Accepted a : measured.accepted()) {
            answer.add(a.answerMicros());
            for (String id : a.deploymentIds()) {
                toLedger.add(ChronoUnit.MICROS.between(a.sentAt(), stored.get(id)));
            }
        }
        return new Result(
                measured.sent(),
                measured.accepted().size(),
                measured.otherAnswers(),
                measured.failed(),
                Latencies.of(toLedger),
                Latencies.of(answer));
    }

    private Phase send(int count, double perSecond) throws InterruptedException {
        Pacer pacer = new Pacer(perSecond);
        List<Accepted> accepted = new ArrayList<>(count);
        Map<Integer, Integer> other = new TreeMap<>();
        int failed = 0;
        for (int i = 0; i < count; i++) {
            byte[] body = ForgejoDeliveries.push(REPOSITORY, "refs/heads/main", ForgejoDeliveries.sha())
                    .getBytes(StandardCharsets.UTF_8);
            HttpRequest request = HttpRequest.newBuilder(hook)
                    .timeout(Duration.ofSeconds(15))
                    .header("Content-Type", "application/json")
                    .header("X-Forgejo-Event", "push")
                    .header("X-Forgejo-Delivery", UUID.randomUUID().toString())
                    .header("X-Forgejo-Signature", deliveries.sign(body))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                    .build();
            pacer.awaitTurn(i);
            Instant sentAt = CLOCK.instant().truncatedTo(ChronoUnit.MICROS);
            long started = System.nanoTime();
            HttpResponse<String> response;
            try {
                response = http.send(request, HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                failed++;
                continue;
            }
            long answerMicros = TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - started);
            if (response.statusCode() != 202) {
                other.merge(response.statusCode(), 1, Integer::sum);
                continue;
            }
            List<String> ids = new ArrayList<>();
            try {
                JsonNode json = Json.mapper().readTree(response.body());
                json.path("deployments").forEach(d -> ids.add(d.path("id").asText()));
            } catch (IOException e) {
                throw new BenchException("a 202 answer is not JSON: " + response.body(), e);
            }
            if (ids.isEmpty()) {
                throw new BenchException("a 202 answer names no deployment: " + response.body());
            }
            accepted.add(new Accepted(ids, sentAt, answerMicros));
        }
        return new Phase(count, accepted, other, failed);
    }

    private static List<String> ids(List<Accepted> accepted) {
        return accepted.stream().flatMap(a -> a.deploymentIds().stream()).toList();
    }

    /** Polls the ledger until every deployment has its commit.pushed event; their stored_at by deployment id. */
    private Map<String, Instant> awaitStored(List<String> deploymentIds) throws SQLException, InterruptedException {
        Map<String, Instant> stored = new HashMap<>();
        long deadline = System.nanoTime() + STORED_DEADLINE.toNanos();
        try (Connection c = database.connect();
                PreparedStatement q = c.prepareStatement(
                        "select deployment_id, stored_at from event" + " where type = ? and deployment_id = any(?)")) {
            while (true) {
                List<String> missing = deploymentIds.stream()
                        .filter(id -> !stored.containsKey(id))
                        .toList();
                if (missing.isEmpty()) {
                    return stored;
                }
                Array ids = c.createArrayOf("text", missing.toArray());
                q.setString(1, COMMIT_PUSHED);
                q.setArray(2, ids);
                try (ResultSet rs = q.executeQuery()) {
                    while (rs.next()) {
                        stored.put(
                                rs.getString(1),
                                rs.getObject(2, OffsetDateTime.class).toInstant());
                    }
                }
                ids.free();
                if (stored.size() < deploymentIds.size()) {
                    if (System.nanoTime() > deadline) {
                        throw new BenchException("only " + stored.size() + " of " + deploymentIds.size()
                                + " accepted deployments reached the ledger within " + STORED_DEADLINE.toSeconds()
                                + " s");
                    }
                    Thread.sleep(100);
                }
            }
        }
    }
}
