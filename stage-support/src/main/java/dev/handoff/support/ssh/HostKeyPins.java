package dev.handoff.support.ssh;

import dev.handoff.common.inventory.Inventory;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import net.schmizz.sshj.common.Buffer;
import net.schmizz.sshj.common.KeyType;

/**
 * The trusted SSH host key of each host. Every service reads the same store, the compacted topic
 * {@code handoff.host-keys} ({@link TopicHostKeyPins}); a fingerprint in handoff.yaml ({@code access.hostKey}) is
 * checked before any pin ({@link #required(Inventory)}).
 */
public interface HostKeyPins {
    /** Who decided that a key is the host's. */
    enum Source {
        /** converge-service pinned the key the host presented at its first bootstrap. */
        FIRST_BOOTSTRAP,
        /** An operator trusted it ({@code handoffctl hosts trust}); replaces any pin. */
        OPERATOR
    }

    /**
     * A trusted key.
     *
     * @param keyType e.g. {@code ssh-ed25519}; null when an operator gave only the fingerprint
     * @param publicKey the base64 public key blob, as in known_hosts; null when only the fingerprint is known
     * @param fingerprint {@code SHA256:…}, as {@code ssh-keygen -l} prints it
     * @param source who decided
     */
    record Pin(String keyType, String publicKey, String fingerprint, Source source) {
        /** A pin taken from what a host presented (first bootstrap). */
        public Pin(String keyType, String publicKey, String fingerprint) {
            this(keyType, publicKey, fingerprint, Source.FIRST_BOOTSTRAP);
        }

        /** Whether {@code presented} is this key (compared by fingerprint, the one thing every pin has). */
        public boolean matches(Pin presented) {
            return fingerprint.equals(presented.fingerprint());
        }
    }

    /** The key trusted for {@code host}, if any. */
    Optional<Pin> pinned(String host);

    /**
     * Pins {@code pin} for {@code host} at its first bootstrap if none is pinned yet; a pin is never replaced here
     * (only an operator's decision replaces one). Afterwards {@link #pinned} answers with the first writer's pin.
     */
    void pin(String host, Pin pin);

    /**
     * Pins kept in memory only, lost with the process: for tests and one-shot tools, never for a service (which reads
     * the shared store, {@link TopicHostKeyPins}).
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

    /** The fingerprints handoff.yaml requires ({@code hosts.<host>.access.hostKey}), by host. */
    static Map<String, String> required(Inventory inventory) {
        Map<String, String> required = new LinkedHashMap<>();
        inventory
                .hosts()
                .forEach((name, host) -> host.access()
                        .flatMap(Inventory.Access::requiredHostKey)
                        .ifPresent(fingerprint -> required.put(name, fingerprint)));
        return Map.copyOf(required);
    }

    /** The pin of a presented key: its type, its known_hosts blob and its SHA256 fingerprint. */
    static Pin pinOf(PublicKey key) {
        byte[] blob = new Buffer.PlainBuffer().putPublicKey(key).getCompactData();
        return new Pin(KeyType.fromKey(key).toString(), Base64.getEncoder().encodeToString(blob), fingerprintOf(blob));
    }

    /** {@code SHA256:} and the unpadded base64 SHA-256 of a public key blob, as {@code ssh-keygen -l} prints it. */
    static String fingerprintOf(byte[] blob) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(blob);
            return "SHA256:" + Base64.getEncoder().withoutPadding().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
