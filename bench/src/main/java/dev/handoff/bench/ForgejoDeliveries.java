package dev.handoff.bench;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Builds Forgejo push deliveries the way Forgejo does: raw JSON body, lower-case hex HMAC-SHA256 over the exact bytes
 * in {@code X-Forgejo-Signature}. The body is the one control-service's tests send ({@code Deliveries.push} in
 * control-service's test sources), copied here because the bench does not depend on test code.
 */
final class ForgejoDeliveries {
    private final byte[] secret;

    ForgejoDeliveries(String secret) {
        if (secret == null || secret.isEmpty()) {
            throw new IllegalArgumentException("the webhook secret is empty");
        }
        this.secret = secret.getBytes(StandardCharsets.UTF_8);
    }

    /** A push payload of one commit to a branch. */
    static String push(String repository, String ref, String after) {
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

    /** A random commit SHA (40 lower-case hex digits). */
    static String sha() {
        return (UUID.randomUUID().toString() + UUID.randomUUID())
                .replace("-", "")
                .substring(0, 40);
    }

    /** The signature Forgejo sends for {@code body}: lower-case hex HMAC-SHA256 with the webhook secret. */
    String sign(byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(body));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 is not available in this JVM", e);
        }
    }
}
