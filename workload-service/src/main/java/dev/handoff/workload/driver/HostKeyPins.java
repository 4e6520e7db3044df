package dev.handoff.workload.driver;

import java.util.Optional;

/** The pinned SSH host key of each host, kept by the service (see {@link WorkloadStore}). */
public interface HostKeyPins {
    /**
     * A pinned key.
     *
     * @param keyType e.g. {@code ecdsa-sha2-nistp256}
     * @param publicKey the base64 public key blob, as in known_hosts
     * @param fingerprint {@code SHA256:…}
     */
    record Pin(String keyType, String publicKey, String fingerprint) {}

    /** The key pinned for {@code host}, if any. */
    Optional<Pin> pinned(String host);

    /** Pins {@code pin} for {@code host} if none is pinned yet. */
    void pin(String host, Pin pin);
}
