package dev.handoff.control.webhook;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Verifies a forge's HMAC-SHA256 signature over the exact bytes received, in constant time, before anything parses
 * them. Forgejo sends {@code X-Forgejo-Signature: <hex>}, Gitea {@code X-Gitea-Signature: <hex>}, GitHub-style
 * senders {@code X-Hub-Signature-256: sha256=<hex>}.
 */
public final class WebhookSignature {
    private final byte[] secret;

    public WebhookSignature(String secret) {
        if (secret == null || secret.isEmpty()) {
            throw new IllegalArgumentException("the webhook secret is empty");
        }
        this.secret = secret.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Whether {@code presented} is no signature at all: absent, empty, or a bare {@code sha256=} prefix, as Forgejo
     * sends its signature headers for a webhook without a secret.
     */
    public static boolean missing(String presented) {
        if (presented == null) {
            return true;
        }
        String hex = presented.trim();
        if (hex.regionMatches(true, 0, "sha256=", 0, 7)) {
            hex = hex.substring(7).trim();
        }
        return hex.isEmpty();
    }

    /** The signature Forgejo would send for {@code body}: lower-case hex HMAC-SHA256. */
    public String sign(byte[] body) {
        return HexFormat.of().formatHex(hmac(body));
    }

    /**
     * Whether {@code presented} (hex, optionally prefixed {@code sha256=}) is the signature of {@code body}.
     * Malformed signatures are simply not valid.
     */
    public boolean verifies(byte[] body, String presented) {
        if (presented == null) {
            return false;
        }
        String hex = presented.trim();
        if (hex.regionMatches(true, 0, "sha256=", 0, 7)) {
            hex = hex.substring(7);
        }
        byte[] given;
        try {
            given = HexFormat.of().parseHex(hex.toLowerCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return false;
        }
        return MessageDigest.isEqual(hmac(body), given);
    }

    private byte[] hmac(byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return mac.doFinal(body);
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 is not available in this JVM", e);
        }
    }
}
