package dev.handoff.control.security;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Which configured secrets are too weak to start with: a value from {@code deploy/handoff.env.example} (or another
 * published example), or one shorter than {@link #MIN_BYTES} bytes. Token entries are checked by their hash, since
 * only hashes are configured. Messages name the variable and how to make a good value, never the value itself.
 */
public final class SecretPolicy {
    /** The fewest bytes a secret may have: 32 bytes, what {@code openssl rand -hex 32} prints is 64. */
    public static final int MIN_BYTES = 32;

    private static final String MAKE_ONE = "make one with: openssl rand -hex 32";

    /** Values published as examples: in deploy/handoff.env.example (now and before), the docs and the chart. */
    private static final Set<String> EXAMPLE_VALUES = Set.of(
            "change-me",
            "changeme",
            "change-me-db-password",
            "change-me-webhook-secret",
            "change-me-openssl-rand-hex-32",
            "password",
            "secret",
            "postgres",
            "handoff");

    /** SHA-256 of tokens published as examples; a token whose hash is here is known to everyone. */
    private static final Set<String> EXAMPLE_TOKEN_HASHES = Set.of(
            ApiTokens.hash("change-me"),
            ApiTokens.hash("changeme"),
            ApiTokens.hash("change-me-token"),
            ApiTokens.hash(""),
            ApiTokens.hash("token"),
            ApiTokens.hash("operator"),
            ApiTokens.hash("admin"));

    private SecretPolicy() {}

    /**
     * The problems of the given secrets, one sentence each; empty when all are good.
     *
     * @param secrets variable name → value; a missing or empty value is not checked here (what needs it says so)
     */
    public static List<String> problems(Map<String, String> secrets) {
        List<String> problems = new ArrayList<>();
        secrets.forEach((variable, value) -> {
            if (value == null || value.isEmpty()) {
                return;
            }
            if (isExample(value)) {
                problems.add(variable + " is an example value published with Handoff (deploy/handoff.env.example);"
                        + " anyone can guess it: " + MAKE_ONE);
            } else if (value.getBytes(StandardCharsets.UTF_8).length < MIN_BYTES) {
                problems.add(variable + " is shorter than " + MIN_BYTES + " bytes; " + MAKE_ONE);
            }
        });
        return problems;
    }

    /**
     * The problems of {@code HANDOFF_AUTH_TOKENS}: entries whose hash belongs to a published example token, or whose
     * hash is a placeholder.
     */
    public static List<String> tokenProblems(String variable, String config) {
        List<String> problems = new ArrayList<>();
        if (config == null || config.isBlank()) {
            return problems;
        }
        String[] entries = config.split(",");
        for (int i = 0; i < entries.length; i++) {
            String[] parts = entries[i].trim().split(":");
            String name = parts[0].trim();
            String hash = parts[parts.length - 1].trim().toLowerCase(Locale.ROOT);
            String where = variable + " entry " + (i + 1) + " (" + name + ")";
            if (EXAMPLE_TOKEN_HASHES.contains(hash)) {
                problems.add(where + " is the hash of an example token published with Handoff; anyone can use it:"
                        + " token=$(openssl rand -hex 32); printf %s \"$token\" | sha256sum | cut -c1-64");
            } else if (isExample(hash) || hash.startsWith("change-me")) {
                problems.add(where + " is still the placeholder of deploy/handoff.env.example: token=$(openssl rand"
                        + " -hex 32); printf %s \"$token\" | sha256sum | cut -c1-64");
            }
        }
        return problems;
    }

    private static boolean isExample(String value) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        return EXAMPLE_VALUES.contains(v) || v.startsWith("change-me") || v.startsWith("changeme");
    }
}
