package dev.handoff.converge.driver;

/** A host answered with a different host key than the one pinned for it: nothing is done on it. */
public final class HostKeyChangedException extends SshException {
    private final String pinned;
    private final String seen;

    public HostKeyChangedException(String host, String address, String pinned, String seen) {
        super(host + ": HOST KEY CHANGED at " + address + ": pinned " + pinned + ", the host now presents " + seen
                + ". Nothing was activated. If the host was reinstalled on purpose, verify the new key out of band"
                + " and delete its pin (DELETE FROM host_keys WHERE host = '" + host + "') in converge-service's"
                + " database; otherwise treat it as an attack.");
        this.pinned = pinned;
        this.seen = seen;
    }

    /** Fingerprint of the pinned key. */
    public String pinned() {
        return pinned;
    }

    /** Fingerprint of the key the host presented. */
    public String seen() {
        return seen;
    }
}
