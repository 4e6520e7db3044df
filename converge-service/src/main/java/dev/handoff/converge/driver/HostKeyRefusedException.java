package dev.handoff.converge.driver;

/**
 * A host's key was not accepted, so nothing was done on it: it differs from the fingerprint handoff.yaml requires
 * ({@code host-key-mismatch}), no key is trusted for the host outside its first bootstrap ({@code host-key-unknown}),
 * or the pin store did not answer ({@code host-key-store-unavailable}, retryable).
 */
public final class HostKeyRefusedException extends SshException {
    private final String reason;
    private final boolean retryable;

    public HostKeyRefusedException(String reason, String message, boolean retryable) {
        super(message);
        this.reason = reason;
        this.retryable = retryable;
    }

    /** The failure reason code of the stage. */
    public String reason() {
        return reason;
    }

    /** Whether the same run may succeed later without an operator. */
    public boolean retryable() {
        return retryable;
    }
}
