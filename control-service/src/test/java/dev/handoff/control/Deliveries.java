package dev.handoff.control;

import static io.restassured.RestAssured.given;

import dev.handoff.control.webhook.WebhookSignature;
import io.restassured.response.ValidatableResponse;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/** Builds and sends Forgejo push deliveries the way Forgejo does: raw JSON body, HMAC over the exact bytes. */
public final class Deliveries {
    public static final String SECRET = "test-webhook-secret-of-at-least-32-bytes";
    public static final String VIEWER = "viewer-token";
    public static final String OPERATOR = "operator-token";

    private Deliveries() {}

    /** A push payload of one commit to a branch. */
    public static String push(String repository, String ref, String after) {
        return """
                {
                  "ref": "%s",
                  "before": "%s",
                  "after": "%s",
                  "compare_url": "https://forge.test/%s/compare/%s...%s",
                  "commits": [{"id": "%s", "message": "change\\n", "url": "https://forge.test/%s/commit/%s",
                    "author": {"name": "Alice", "email": "alice@example.org", "username": "alice"},
                    "committer": {"name": "Alice", "email": "alice@example.org", "username": "alice"},
                    "timestamp": "2026-11-25T10:00:00Z", "added": ["main.tf"], "removed": [], "modified": []}],
                  "total_commits": 1,
                  "head_commit": {"id": "%s", "message": "change\\n",
                    "author": {"name": "Alice", "email": "alice@example.org", "username": "alice"},
                    "timestamp": "2026-11-25T10:00:00Z", "added": ["main.tf"], "removed": [], "modified": []},
                  "repository": {"id": 1, "name": "%s", "full_name": "%s", "default_branch": "main",
                    "clone_url": "https://forge.test/%s.git", "ssh_url": "git@forge.test:%s.git"},
                  "pusher": {"id": 1, "login": "alice", "username": "alice"},
                  "sender": {"id": 1, "login": "alice", "username": "alice"}
                }
                """.formatted(
                        ref,
                        "e".repeat(40),
                        after,
                        repository,
                        "e".repeat(7),
                        after.substring(0, 7),
                        after,
                        repository,
                        after,
                        after,
                        repository.substring(repository.indexOf('/') + 1),
                        repository,
                        repository,
                        repository);
    }

    /** A random commit SHA. */
    public static String sha() {
        return (UUID.randomUUID().toString() + UUID.randomUUID())
                .replace("-", "")
                .substring(0, 40);
    }

    /** Sends a body signed with the test secret under a fresh delivery id. */
    public static ValidatableResponse send(String body) {
        return send(body, UUID.randomUUID().toString());
    }

    /** Sends a body signed with the test secret under a chosen delivery id. */
    public static ValidatableResponse send(String body, String deliveryId) {
        byte[] raw = body.getBytes(StandardCharsets.UTF_8);
        return given().header("Content-Type", "application/json")
                .header("X-Forgejo-Event", "push")
                .header("X-Forgejo-Delivery", deliveryId)
                .header("X-Forgejo-Signature", new WebhookSignature(SECRET).sign(raw))
                .body(raw)
                .when()
                .post("/hooks/forgejo")
                .then();
    }

    /** Pushes a new commit of {@code repository} and answers the deployment the webhook made for the test host. */
    public static String pushForTestHost(String repository) {
        return send(push(repository, "refs/heads/main", sha()))
                .statusCode(202)
                .extract()
                .jsonPath()
                .getList("deployments", java.util.Map.class)
                .stream()
                .filter(d -> ChainEvents.HOST.equals(d.get("host")))
                .map(d -> (String) d.get("id"))
                .findFirst()
                .orElseThrow();
    }
}
