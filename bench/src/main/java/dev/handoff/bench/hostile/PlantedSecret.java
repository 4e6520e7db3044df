package dev.handoff.bench.hostile;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The known secret the suite plants in SOPS plaintext, kubeconfig key data, plan values and the webhook secret. It
 * must never come back: not in a refusal message, not in a log line, not in an HTTP answer.
 */
public final class PlantedSecret {
    /** Long and unusual enough that no input or message holds it by chance. */
    public static final String VALUE = "hostile-planted-secret-6b1e0c93f4a27d58";

    /** The secret as base64 (kubeconfig key data, SOPS's encoded form). */
    public static final String BASE64 = Base64.getEncoder().encodeToString(VALUE.getBytes(StandardCharsets.UTF_8));

    private PlantedSecret() {}

    /** Whether {@code text} holds the secret, plainly or as base64. */
    public static boolean leaksIn(String text) {
        return text != null && (text.contains(VALUE) || text.contains(BASE64));
    }
}
