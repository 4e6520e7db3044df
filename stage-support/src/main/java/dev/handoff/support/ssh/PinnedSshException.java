package dev.handoff.support.ssh;

import java.io.IOException;

/**
 * An SSH connection was not opened: the host presented another key than the pinned one, first contact is refused, or
 * the host could not be reached or refused the runner's key. Carries what the service needs to word its own error.
 */
public final class PinnedSshException extends IOException {
    /** Why the connection was not opened. */
    public enum Kind {
        /** The host presented another key than the one pinned for it. */
        HOST_KEY_CHANGED,
        /** No key is pinned and the first-contact policy is REFUSE. */
        FIRST_CONTACT_REFUSED,
        /** Not reachable, or authentication failed. */
        UNREACHABLE
    }

    private final Kind kind;
    private final String host;
    private final String where;
    private final String pinned;
    private final String presented;

    PinnedSshException(Kind kind, String host, String where, String pinned, String presented, IOException cause) {
        super(host + ": " + describe(kind, where, pinned, presented, cause), cause);
        this.kind = kind;
        this.host = host;
        this.where = where;
        this.pinned = pinned;
        this.presented = presented;
    }

    private static String describe(Kind kind, String where, String pinned, String presented, IOException cause) {
        return switch (kind) {
            case HOST_KEY_CHANGED -> "HOST KEY CHANGED at " + where + ": pinned " + pinned + ", presented " + presented;
            case FIRST_CONTACT_REFUSED ->
                "no host key is pinned and first contact is REFUSE; the host at " + where + " presents " + presented;
            case UNREACHABLE -> "cannot open SSH to " + where + ": " + cause.getMessage();
        };
    }

    public Kind kind() {
        return kind;
    }

    /** The inventory host name. */
    public String host() {
        return host;
    }

    /** {@code user@address}, with the mapped target when it differs. */
    public String where() {
        return where;
    }

    /** Fingerprint of the pinned key (host key changed), else null. */
    public String pinned() {
        return pinned;
    }

    /** Fingerprint of the key the host presented, when it got that far, else null. */
    public String presented() {
        return presented;
    }
}
