package dev.handoff.lab;

import dev.handoff.common.messaging.KafkaAccess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The passwords of the lab broker's users (the admin and one per service): each is derived from one lab secret, so
 * that the broker, the services the launcher starts and {@code ./handoff kafka-produce --as <service>} agree without
 * a password file per user. The secret is generated per test JVM, or kept in the lab's folder ({@link #load(Path)}).
 */
public final class LabKafkaUsers {
    private final byte[] secret;

    private LabKafkaUsers(byte[] secret) {
        this.secret = secret.clone();
    }

    /** Users whose passwords live only in this JVM. */
    public static LabKafkaUsers generate() {
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        return new LabKafkaUsers(secret);
    }

    /**
     * The users of a lab folder: the secret in {@code file} (hex, readable by its owner only), created on first use.
     */
    public static LabKafkaUsers load(Path file) {
        try {
            if (!Files.exists(file)) {
                Files.createDirectories(file.toAbsolutePath().getParent());
                byte[] secret = new byte[32];
                new SecureRandom().nextBytes(secret);
                Path tmp = Files.createTempFile(file.toAbsolutePath().getParent(), ".kafka-secret", ".tmp");
                try {
                    Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
                } catch (UnsupportedOperationException e) {
                    // not a POSIX file system: the folder's own permissions protect it
                }
                Files.writeString(tmp, HexFormat.of().formatHex(secret) + "\n", StandardCharsets.US_ASCII);
                Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            }
            String hex = Files.readString(file, StandardCharsets.US_ASCII).strip();
            if (!hex.matches("[0-9a-f]{64}")) {
                throw new IllegalStateException("the lab's Kafka secret " + file
                        + " is not 64 hex characters; delete it together with the lab's Kafka storage to start afresh");
            }
            return new LabKafkaUsers(HexFormat.of().parseHex(hex));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create the lab's Kafka secret " + file, e);
        }
    }

    /** Users of a secret given as 64 hex characters ({@link #secretHex()}). */
    static LabKafkaUsers fromHex(String hex) {
        return new LabKafkaUsers(HexFormat.of().parseHex(hex));
    }

    /** The secret as hex: how the shared broker of a JVM is found again from another class loader. */
    String secretHex() {
        return HexFormat.of().formatHex(secret);
    }

    /** The password of {@code user}: 64 hex characters. */
    public String password(String user) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(("kafka-user:" + user).getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available in this JVM", e);
        }
    }

    /** The client settings that log in as {@code user}. */
    public Map<String, Object> clientSecurity(String user) {
        return KafkaAccess.clientSecurity("SASL_PLAINTEXT", user, password(user));
    }

    /**
     * The environment of a service that logs in as {@code user} ({@code KAFKA_SECURITY_PROTOCOL},
     * {@code KAFKA_SASL_MECHANISM}, {@code KAFKA_SASL_JAAS_CONFIG}).
     */
    public Map<String, String> environment(String user) {
        return Map.of(
                "KAFKA_SECURITY_PROTOCOL",
                "SASL_PLAINTEXT",
                "KAFKA_SASL_MECHANISM",
                KafkaAccess.MECHANISM,
                "KAFKA_SASL_JAAS_CONFIG",
                KafkaAccess.jaasConfig(user, password(user)));
    }

    @Override
    public String toString() {
        return "LabKafkaUsers[passwords hidden]";
    }
}
