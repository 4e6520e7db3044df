package dev.handoff.support.ssh;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.util.Base64;
import java.util.Optional;
import net.schmizz.sshj.common.Buffer;
import net.schmizz.sshj.common.KeyType;

/** The pinned SSH host key of each host, kept by the service that connects (see {@link JdbcHostKeyPins}). */
public interface HostKeyPins {
    /**
     * A pinned key.
     *
     * @param keyType e.g. {@code ecdsa-sha2-nistp256}
     * @param publicKey the base64 public key blob, as in known_hosts
     * @param fingerprint {@code SHA256:…}, as {@code ssh-keygen -l} prints it
     */
    record Pin(String keyType, String publicKey, String fingerprint) {}

    /** The key pinned for {@code host}, if any. */
    Optional<Pin> pinned(String host);

    /** Pins {@code pin} for {@code host} if none is pinned yet (a pin is never replaced here). */
    void pin(String host, Pin pin);

    /**
     * Pins kept in memory only, lost with the process: for tests and one-shot tools, never for a service (which keeps
     * its pins in its database, {@link JdbcHostKeyPins}).
     */
    static HostKeyPins inMemory() {
        java.util.Map<String, Pin> pins = new java.util.concurrent.ConcurrentHashMap<>();
        return new HostKeyPins() {
            @Override
            public Optional<Pin> pinned(String host) {
                return Optional.ofNullable(pins.get(host));
            }

            @Override
            public void pin(String host, Pin pin) {
                pins.putIfAbsent(host, pin);
            }
        };
    }

    /** The pin of a presented key: its type, its known_hosts blob and its SHA256 fingerprint. */
    static Pin pinOf(PublicKey key) {
        byte[] blob = new Buffer.PlainBuffer().putPublicKey(key).getCompactData();
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(blob);
            return new Pin(
                    KeyType.fromKey(key).toString(),
                    Base64.getEncoder().encodeToString(blob),
                    "SHA256:" + Base64.getEncoder().withoutPadding().encodeToString(digest));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
