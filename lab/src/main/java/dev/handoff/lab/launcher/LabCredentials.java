package dev.handoff.lab.launcher;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;

/**
 * The lab's webhook secret and operator token: taken from the environment, else generated for this run. Services
 * get the token only as a hash ({@link #authTokens()}); the plain token is printed for the person running the lab.
 *
 * @param webhookSecret the secret Forgejo (and {@code ./handoff push}) signs webhooks with
 * @param operatorToken the bearer token of the lab's operator
 * @param secretGenerated {@code true} if the secret was generated rather than taken from the environment
 * @param tokenGenerated {@code true} if the token was generated
 */
public record LabCredentials(
        String webhookSecret, String operatorToken, boolean secretGenerated, boolean tokenGenerated) {
    public static final String SECRET_VARIABLE = "HANDOFF_WEBHOOK_SECRET";
    public static final String TOKEN_VARIABLE = "HANDOFF_OPERATOR_TOKEN";
    /** The name of the lab's operator in {@code HANDOFF_AUTH_TOKENS}. */
    public static final String OPERATOR_NAME = "lab-operator";

    /** Takes each value from {@code env} if set there, else generates it (32 random bytes). */
    public static LabCredentials fromEnvironment(Map<String, String> env, SecureRandom random) {
        String secret = env.get(SECRET_VARIABLE);
        String token = env.get(TOKEN_VARIABLE);
        boolean secretGenerated = secret == null || secret.isBlank();
        boolean tokenGenerated = token == null || token.isBlank();
        return new LabCredentials(
                secretGenerated ? HexFormat.of().formatHex(bytes(random)) : secret,
                tokenGenerated ? Base64.getUrlEncoder().withoutPadding().encodeToString(bytes(random)) : token,
                secretGenerated,
                tokenGenerated);
    }

    /** {@code HANDOFF_AUTH_TOKENS} for control-service: {@code lab-operator:operator:<sha256 hex of the token>}. */
    public String authTokens() {
        return OPERATOR_NAME + ":operator:" + sha256Hex(operatorToken);
    }

    /** Lower-case hex SHA-256 of the UTF-8 bytes of {@code text}. */
    public static String sha256Hex(String text) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available in this JVM", e);
        }
    }

    @Override
    public String toString() {
        return "LabCredentials[secret " + (secretGenerated ? "generated" : "from " + SECRET_VARIABLE) + ", token "
                + (tokenGenerated ? "generated" : "from " + TOKEN_VARIABLE) + "]";
    }

    private static byte[] bytes(SecureRandom random) {
        byte[] b = new byte[32];
        random.nextBytes(b);
        return b;
    }
}
