package dev.handoff.control.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * The configured API tokens, held as SHA-256 hashes only ({@code name:role:sha256hex}, comma-separated). A
 * presented token is hashed and compared with every configured hash in constant time.
 */
public final class ApiTokens {

    /**
     * A configured token.
     *
     * @param name who holds it; recorded as the actor of operator actions
     * @param role what it may do
     * @param sha256 the token's SHA-256
     */
    public record Token(String name, Role role, byte[] sha256) {}

    private final List<Token> tokens;

    private ApiTokens(List<Token> tokens) {
        this.tokens = List.copyOf(tokens);
    }

    /**
     * Parses the configuration.
     *
     * @throws IllegalArgumentException naming the bad entry (by position and name, never its hash)
     */
    public static ApiTokens parse(String config) {
        List<Token> tokens = new ArrayList<>();
        if (config == null || config.isBlank()) {
            throw new IllegalArgumentException(
                    "no API tokens are configured: set HANDOFF_AUTH_TOKENS to"
                            + " name:role:sha256hex entries (e.g. ops:operator:$(printf %s \"$TOKEN\" | sha256sum | cut -c1-64))");
        }
        String[] entries = config.split(",");
        for (int i = 0; i < entries.length; i++) {
            String entry = entries[i].trim();
            String[] parts = entry.split(":");
            String where = "HANDOFF_AUTH_TOKENS entry " + (i + 1);
            if (parts.length != 3) {
                throw new IllegalArgumentException(where + " must be name:role:sha256hex");
            }
            String name = parts[0].trim();
            Role role = Role.byId(parts[1].trim())
                    .orElseThrow(() -> new IllegalArgumentException(
                            where + " (" + name + "): role '" + parts[1].trim() + "' is not viewer or operator"));
            String hex = parts[2].trim();
            if (!hex.matches("[0-9a-f]{64}")) {
                throw new IllegalArgumentException(where + " (" + name
                        + "): the hash must be 64 lower-case hex characters (SHA-256 of the token), not the token");
            }
            tokens.add(new Token(name, role, HexFormat.of().parseHex(hex)));
        }
        return new ApiTokens(tokens);
    }

    /** The token presented, if it is one of the configured ones. */
    public Optional<Token> find(String presented) {
        byte[] hash = sha256(presented);
        Token found = null;
        for (Token t : tokens) {
            if (MessageDigest.isEqual(t.sha256(), hash)) {
                found = t;
            }
        }
        return Optional.ofNullable(found);
    }

    /** The lower-case hex SHA-256 of a token, as configured. */
    public static String hash(String token) {
        return HexFormat.of().formatHex(sha256(token));
    }

    private static byte[] sha256(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available in this JVM", e);
        }
    }
}
