package dev.handoff.lab.forge;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;

/** Delivers a push webhook the way Forgejo does: a signed JSON POST with Forgejo's, Gitea's and GitHub's headers. */
public final class WebhookDelivery {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final HttpClient client;

    public WebhookDelivery() {
        // HTTP/1.1 as Forgejo's Go client speaks it; the JDK's default would ask for an h2c upgrade.
        this.client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
    }

    /**
     * The answer of the receiver.
     *
     * @param deliveryId the {@code X-Forgejo-Delivery} sent
     * @param status the HTTP status
     * @param body the response body
     */
    public record Response(String deliveryId, int status, String body) {
        /** {@code true} for a 2xx status. */
        public boolean accepted() {
            return status >= 200 && status < 300;
        }
    }

    /**
     * Posts {@code body} to {@code url} as a {@code push} event with a new delivery id.
     *
     * @throws IOException if the receiver cannot be reached
     */
    public Response deliver(URI url, String secret, byte[] body) throws IOException, InterruptedException {
        return deliver(url, secret, body, false);
    }

    /**
     * As {@link #deliver(URI, String, byte[])}; with {@code form}, as a webhook whose content type in Forgejo is
     * "form": the body {@code payload=<url-encoded JSON>}, the signatures still over the JSON.
     */
    public Response deliver(URI url, String secret, byte[] body, boolean form)
            throws IOException, InterruptedException {
        String deliveryId = UUID.randomUUID().toString();
        HttpResponse<String> response = client.send(
                form ? formRequest(url, secret, body, deliveryId) : request(url, secret, body, deliveryId),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        return new Response(deliveryId, response.statusCode(), response.body());
    }

    /** The request Forgejo would send for a push event with this JSON body as a form webhook. */
    public static HttpRequest formRequest(URI url, String secret, byte[] json, String deliveryId) {
        byte[] form = ("payload="
                        + java.net.URLEncoder.encode(new String(json, StandardCharsets.UTF_8), StandardCharsets.UTF_8))
                .getBytes(StandardCharsets.US_ASCII);
        HttpRequest signed = request(url, secret, json, deliveryId);
        HttpRequest.Builder builder = HttpRequest.newBuilder(url).timeout(TIMEOUT);
        signed.headers().map().forEach((name, values) -> {
            if (!name.equalsIgnoreCase("Content-Type")) {
                values.forEach(v -> builder.header(name, v));
            }
        });
        return builder.header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofByteArray(form))
                .build();
    }

    /** The request Forgejo would send for a push event with this body and delivery id. */
    public static HttpRequest request(URI url, String secret, byte[] body, String deliveryId) {
        String sha256 = WebhookSignature.sha256Hex(secret, body);
        return HttpRequest.newBuilder(url)
                .timeout(TIMEOUT)
                .header("Content-Type", "application/json")
                .header("User-Agent", "Go-http-client/1.1")
                .header("X-Forgejo-Delivery", deliveryId)
                .header("X-Forgejo-Event", "push")
                .header("X-Forgejo-Event-Type", "push")
                .header("X-Forgejo-Signature", sha256)
                .header("X-Gitea-Delivery", deliveryId)
                .header("X-Gitea-Event", "push")
                .header("X-Gitea-Event-Type", "push")
                .header("X-Gitea-Signature", sha256)
                .header("X-Gogs-Delivery", deliveryId)
                .header("X-Gogs-Event", "push")
                .header("X-Gogs-Event-Type", "push")
                .header("X-Gogs-Signature", sha256)
                .header("X-GitHub-Delivery", deliveryId)
                .header("X-GitHub-Event", "push")
                .header("X-GitHub-Event-Type", "push")
                .header("X-Hub-Signature", "sha1=" + WebhookSignature.sha1Hex(secret, body))
                .header("X-Hub-Signature-256", "sha256=" + sha256)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
    }
}
