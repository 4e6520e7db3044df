package dev.handoff.converge.driver;

/** A host answered with a different host key than the one trusted for it: nothing is done on it. */
public final class HostKeyChangedException extends SshException {
    private final String pinned;
    private final String seen;

    /**
     * @param message names the host, both fingerprints and the fix ({@code handoffctl hosts trust})
     * @param pinned fingerprint of the trusted key
     * @param seen fingerprint of the key the host presented
     */
    public HostKeyChangedException(String message, String pinned, String seen) {
        super(message + ". Nothing was activated.");
        this.pinned = pinned;
        this.seen = seen;
    }

    /** Fingerprint of the trusted key. */
    public String pinned() {
        return pinned;
    }

    /** Fingerprint of the key the host presented. */
    public String seen() {
        return seen;
    }
}
