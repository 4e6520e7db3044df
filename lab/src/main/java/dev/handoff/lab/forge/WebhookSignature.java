package dev.handoff.lab.forge;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** How Forgejo signs a webhook delivery: an HMAC of the exact body bytes with the hook's secret, in lower-case hex. */
public final class WebhookSignature {
    private WebhookSignature() {}

    /** {@code X-Forgejo-Signature} / {@code X-Gitea-Signature}: hex HMAC-SHA256 of {@code body}. */
    public static String sha256Hex(String secret, byte[] body) {
        return hmacHex("HmacSHA256", secret, body);
    }

    /** The older {@code X-Hub-Signature} ({@code sha1=} prefix): hex HMAC-SHA1 of {@code body}. */
    public static String sha1Hex(String secret, byte[] body) {
        return hmacHex("HmacSHA1", secret, body);
    }

    private static String hmacHex(String algorithm, String secret, byte[] body) {
        try {
            Mac mac = Mac.getInstance(algorithm);
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), algorithm));
            return HexFormat.of().formatHex(mac.doFinal(body));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException(algorithm + " is not available in this JVM", e);
        }
    }
}
