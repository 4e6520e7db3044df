package dev.handoff.bench.fleet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.handoff.bench.BenchException;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

/** The lab's deployment ledger through control-service's operator API, as an operator reads it. */
final class FleetLedger {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int PAGE = 500;

    private final String baseUrl;
    private final String token;
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    /**
     * A deployment as the list shows it.
     *
     * @param id the deployment id
     * @param host its host
     * @param status running, succeeded, failed, stale or superseded
     */
    record Summary(String id, String host, String status) {
        boolean isFinal() {
            return !"running".equals(status);
        }
    }

    FleetLedger(String baseUrl, String token) {
        this.baseUrl = baseUrl;
        this.token = token;
    }

    /**
     * The deployments of {@code repository} at {@code commit}, newest first: {@code GET
     * /api/deployments?repository=…}, page after page until a page holds none of that commit after one that did.
     */
    List<Summary> deployments(String repository, String commit) throws InterruptedException {
        List<Summary> found = new ArrayList<>();
        String before = null;
        while (true) {
            String query = "/api/deployments?limit=" + PAGE + "&repository=" + encode(repository)
                    + (before == null ? "" : "&before=" + encode(before));
            JsonNode page = get(query);
            int matched = 0;
            for (JsonNode item : page.path("items")) {
                if (commit.equals(item.path("commit").asText())) {
                    found.add(new Summary(
                            item.path("id").asText(),
                            item.path("host").asText(),
                            item.path("status").asText()));
                    matched++;
                }
            }
            before = page.path("next").isTextual() ? page.path("next").asText() : null;
            if (before == null || (matched == 0 && !found.isEmpty())) {
                return found;
            }
        }
    }

    /** One deployment with its events: {@code GET /api/deployments/{id}}. */
    HostDeployment deployment(String id) throws InterruptedException {
        JsonNode d = get("/api/deployments/" + encode(id));
        String failure = null;
        for (JsonNode stage : d.path("stages")) {
            if ("failed".equals(stage.path("status").asText())) {
                String name = stage.path("stage").asText();
                String reason = stage.path("reason").asText("(no reason)");
                failure = reason.startsWith(name + ":") ? reason : name + ": " + reason;
                break;
            }
        }
        if (failure == null && "failed".equals(d.path("status").asText())) {
            failure = d.path("result").asText("(no result)");
        }
        List<LedgerEvent> events = new ArrayList<>();
        for (JsonNode e : d.path("events")) {
            events.add(new LedgerEvent(
                    e.path("id").asText(),
                    e.path("type").asText(),
                    time(e.path("time")),
                    e.hasNonNull("causationId") ? e.path("causationId").asText() : null));
        }
        return new HostDeployment(
                d.path("id").asText(), d.path("host").asText(), d.path("status").asText(), failure, events);
    }

    private JsonNode get(String pathAndQuery) throws InterruptedException {
        URI uri = URI.create(baseUrl + pathAndQuery);
        IOException last = null;
        for (int attempt = 1; attempt <= 3; attempt++) {
            try {
                HttpResponse<byte[]> response = http.send(
                        HttpRequest.newBuilder(uri)
                                .timeout(Duration.ofSeconds(60))
                                .header("Authorization", "Bearer " + token)
                                .header("Accept", "application/json")
                                .GET()
                                .build(),
                        HttpResponse.BodyHandlers.ofByteArray());
                if (response.statusCode() != 200) {
                    throw new BenchException("GET " + uri + " answered " + response.statusCode() + ": "
                            + new String(response.body(), StandardCharsets.UTF_8));
                }
                return JSON.readTree(response.body());
            } catch (IOException e) {
                last = e;
                Thread.sleep(1000L * attempt);
            }
        }
        throw new BenchException("GET " + uri + " failed three times: " + last, last);
    }

    private static Instant time(JsonNode node) {
        if (node.isNumber()) {
            // Jackson's numeric form of a date: seconds with a fraction
            return Instant.ofEpochSecond(0, Math.round(node.asDouble() * 1e9));
        }
        return OffsetDateTime.parse(node.asText()).toInstant();
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
