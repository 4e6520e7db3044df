package dev.handoff.control.status;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.handoff.common.serde.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Forgejo's commit status API: {@code POST /api/v1/repos/{owner}/{repo}/statuses/{sha}} with
 * {@code Authorization: token …}. Forgejo answers 201 with the status it created. The token is never in a message.
 */
final class ForgejoStatusClient {
    /** What became of one status. */
    sealed interface Outcome {}

    /** Forgejo stored it. */
    record Posted() implements Outcome {}

    /**
     * Forgejo refused this status for good (no such repository or commit: 404; a status it cannot take: 422): retrying
     * it cannot help, the next ones may go through.
     */
    record Refused(String why) implements Outcome {}

    /**
     * Forgejo cannot take statuses now (unreachable, 5xx, 429) or refuses Handoff's token (401, 403): every status
     * waits, and posting is retried with back-off.
     */
    record Unavailable(String why) implements Outcome {}

    private final URI base;
    private final String token;
    private final Duration timeout;
    private final HttpClient http;

    ForgejoStatusClient(URI base, String token, Duration timeout) {
        String b = base.toString();
        this.base = URI.create(b.endsWith("/") ? b : b + "/");
        this.token = token;
        this.timeout = timeout;
        this.http = HttpClient.newBuilder()
                .connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    /** The page or the API base the statuses go to, for messages. */
    URI base() {
        return base;
    }

    Outcome post(StageStatus status, String state, Optional<String> targetUrl) throws InterruptedException {
        URI uri = base.resolve("api/v1/repos/" + status.repository() + "/statuses/" + status.commit());
        Map<String, String> body = new LinkedHashMap<>();
        body.put("state", state);
        body.put("context", status.context());
        body.put("description", status.description());
        targetUrl.ifPresent(u -> body.put("target_url", u));
        byte[] json;
        try {
            json = Json.mapper().writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a commit status", e);
        }
        HttpRequest request = HttpRequest.newBuilder(uri)
                .timeout(timeout)
                .header("Authorization", "token " + token)
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(json))
                .build();
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            return new Unavailable("cannot reach Forgejo at " + base + ": " + e);
        }
        int code = response.statusCode();
        String where = "POST " + uri.getPath() + " answered " + code;
        if (code == 200 || code == 201) {
            return new Posted();
        }
        if (code == 401 || code == 403) {
            return new Unavailable(where + ": Forgejo refuses Handoff's token; give HANDOFF_FORGEJO_TOKEN a token"
                    + " with write access to the repository's commit statuses (scope write:repository)");
        }
        if (code == 404 || code == 422 || code == 400) {
            return new Refused(where + " (" + StageStatus.oneLine(response.body(), 200) + ")");
        }
        return new Unavailable(where);
    }
}
