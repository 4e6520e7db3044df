package dev.handoff.infra.api;

import dev.handoff.infra.config.InfraConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The operator tokens allowed to use infra-service's API ({@code handoff.auth.tokens}, the format control-service
 * reads: {@code name:role:<sha256 hex of the token>}, comma-separated). Only hashes are configured; a presented
 * token is hashed and compared in constant time.
 */
@ApplicationScoped
public class OperatorTokens {
    private final Map<String, String> operatorsByHash = new LinkedHashMap<>();

    public OperatorTokens(InfraConfig config) {
        for (String entry : config.auth().tokens().orElse("").split(",")) {
            String[] parts = entry.trim().split(":");
            if (parts.length == 3 && parts[1].equals("operator") && parts[2].matches("[0-9a-f]{64}")) {
                operatorsByHash.put(parts[2], parts[0]);
            }
        }
    }

    /** The operator's name for an {@code Authorization} header, if it carries an operator's bearer token. */
    public Optional<String> operator(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return Optional.empty();
        }
        byte[] presented = sha256(authorization.substring(7).trim());
        for (Map.Entry<String, String> e : operatorsByHash.entrySet()) {
            if (MessageDigest.isEqual(presented, HexFormat.of().parseHex(e.getKey()))) {
                return Optional.of(e.getValue());
            }
        }
        return Optional.empty();
    }

    private static byte[] sha256(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
