package dev.handoff.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The control API over HTTP: sends the bearer token, reads JSON, and turns every failure into a {@link CliFailure}
 * with the right exit code and a message that says what to do. The token is never printed.
 */
final class ControlApi {
    static final ObjectMapper JSON = new ObjectMapper();

    private final URI server;
    private final String token;
    private final HttpClient http;

    ControlApi(String server, String token) throws CliFailure {
        try {
            URI uri = URI.create(server.endsWith("/") ? server.substring(0, server.length() - 1) : server);
            if (uri.getScheme() == null
                    || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))
                    || uri.getHost() == null) {
                throw new IllegalArgumentException("not an http(s) URL");
            }
            this.server = uri;
        } catch (IllegalArgumentException e) {
            throw new CliFailure(
                    ExitCodes.USAGE,
                    "--server '" + server + "' is not an http(s) URL; e.g. --server http://localhost:8080");
        }
        this.token = token;
        this.http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    }

    /** The server's address, for messages. */
    URI server() {
        return server;
    }

    /** GET {@code path} with query parameters (null values are left out). */
    JsonNode get(String path, Map<String, Object> query) throws CliFailure {
        return send(HttpRequest.newBuilder(uri(path, query)).GET(), "GET " + path, null, false)
                .body();
    }

    /** GET {@code path}; empty when control-service answers 404 (e.g. a deployment the ledger has not stored yet). */
    Optional<JsonNode> find(String path) throws CliFailure {
        Answer answer = send(HttpRequest.newBuilder(uri(path, Map.of())).GET(), "GET " + path, null, true);
        return answer.status() == 404 ? Optional.empty() : Optional.of(answer.body());
    }

    /** POST a JSON body; returns the status and the body. */
    Answer post(String path, Object body, Map<String, String> headers) throws CliFailure {
        String json;
        try {
            json = JSON.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path, Map.of()))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8));
        headers.forEach(request::header);
        return send(request, "POST " + path, headers.get("Idempotency-Key"), false);
    }

    /**
     * A 2xx answer (or a 404 that {@link #find} asked for).
     *
     * @param status the HTTP status
     * @param body the JSON body (a null node when empty)
     */
    record Answer(int status, JsonNode body) {}

    private Answer send(HttpRequest.Builder request, String what, String idempotencyKey, boolean notFoundIsAnAnswer)
            throws CliFailure {
        if (token == null || token.isBlank()) {
            throw new CliFailure(
                    ExitCodes.AUTH,
                    "no token for " + server + ": pass --token or set HANDOFF_TOKEN, or save one with handoffctl login"
                            + " --server " + server + " (./handoff ctl uses the running lab's operator token from"
                            + " .handoff/run/lab.env)");
        }
        request.header("Authorization", "Bearer " + token)
                .header("Accept", "application/json, application/problem+json")
                .timeout(Duration.ofSeconds(60));
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (ConnectException | HttpConnectTimeoutException e) {
            throw unreachable(idempotencyKey);
        } catch (HttpTimeoutException e) {
            throw new CliFailure(
                    ExitCodes.UNREACHABLE,
                    "control-service at " + server + " did not answer " + what + " within 60 s"
                            + (idempotencyKey == null ? "" : retryHint(idempotencyKey)));
        } catch (IOException e) {
            throw unreachable(idempotencyKey);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliFailure(ExitCodes.UNREACHABLE, "interrupted while waiting for control-service");
        }
        int status = response.statusCode();
        if (status / 100 == 2 || (status == 404 && notFoundIsAnAnswer)) {
            return new Answer(status, parse(response.body()));
        }
        ApiProblem problem = ApiProblem.read(status, response.body());
        String said = problem.said();
        if (status == 401) {
            throw new CliFailure(
                    ExitCodes.AUTH,
                    "control-service does not accept this token (" + said.replace("\n", " ")
                            + "); pass a valid one with --token or HANDOFF_TOKEN");
        }
        if (status == 403) {
            throw new CliFailure(ExitCodes.AUTH, "not allowed: " + said);
        }
        throw new CliFailure(
                ExitCodes.REFUSED,
                what + " → " + status + (problem.reason().isEmpty() ? "" : " " + problem.reason()) + ": " + said
                        + (status == 503 && idempotencyKey != null ? retryHint(idempotencyKey) : ""));
    }

    private CliFailure unreachable(String idempotencyKey) {
        return new CliFailure(
                ExitCodes.UNREACHABLE,
                "cannot reach control-service at " + server + ": start it (./handoff up for the lab) or point"
                        + " --server / HANDOFF_SERVER at it"
                        + (idempotencyKey == null ? "" : retryHint(idempotencyKey)));
    }

    private static String retryHint(String key) {
        return "\n  the request may have been carried out; to retry without doing it twice, add --idempotency-key "
                + key;
    }

    private URI uri(String path, Map<String, Object> query) {
        StringBuilder s = new StringBuilder(server.toString()).append(path);
        Map<String, Object> q = new LinkedHashMap<>(query);
        q.values().removeIf(v -> v == null);
        char sep = '?';
        for (Map.Entry<String, Object> e : q.entrySet()) {
            s.append(sep)
                    .append(URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8))
                    .append('=')
                    .append(URLEncoder.encode(String.valueOf(e.getValue()), StandardCharsets.UTF_8));
            sep = '&';
        }
        return URI.create(s.toString());
    }

    /** A path segment, encoded. */
    static String segment(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static JsonNode parse(String body) {
        if (body == null || body.isBlank()) {
            return NullNode.getInstance();
        }
        try {
            return JSON.readTree(body);
        } catch (JsonProcessingException e) {
            return JSON.createObjectNode().put("error", body.length() > 200 ? body.substring(0, 200) + "…" : body);
        }
    }
}
