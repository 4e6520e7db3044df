package dev.handoff.support.ssh;

import java.io.IOException;

/**
 * An SSH connection was not opened: the host presented another key than the one handoff.yaml requires or the one
 * trusted for it, its key is unknown outside its first bootstrap, the pin store could not be read, or the host could
 * not be reached or refused the runner's key. The message names the host, both fingerprints and what to do.
 */
public final class PinnedSshException extends IOException {
    /** Why the connection was not opened. */
    public enum Kind {
        /** The host presented another key than the one trusted for it. */
        HOST_KEY_CHANGED,
        /** The host presented another key than the fingerprint handoff.yaml gives ({@code access.hostKey}). */
        INVENTORY_KEY_MISMATCH,
        /** No key is trusted for the host and this connection may not pin one (not its first bootstrap, or REFUSE). */
        FIRST_CONTACT_REFUSED,
        /** The pin store (Kafka) did not answer: no key could be checked, so none was accepted. */
        PIN_STORE_UNAVAILABLE,
        /** Not reachable, or authentication failed. */
        UNREACHABLE
    }

    private final Kind kind;
    private final String host;
    private final String where;
    private final String pinned;
    private final String presented;

    PinnedSshException(
            Kind kind, String host, String where, String pinned, String presented, String detail, IOException cause) {
        super(host + ": " + describe(kind, host, where, pinned, presented, detail, cause), cause);
        this.kind = kind;
        this.host = host;
        this.where = where;
        this.pinned = pinned;
        this.presented = presented;
    }

    private static String describe(
            Kind kind, String host, String where, String pinned, String presented, String detail, IOException cause) {
        return switch (kind) {
            case HOST_KEY_CHANGED ->
                "HOST KEY CHANGED at " + where + ": trusted " + pinned + ", presented " + presented
                        + ". Nothing was done on the host. If it was reinstalled on purpose, verify the new key out"
                        + " of band (ssh-keygen -l on its console) and trust it: handoffctl hosts trust " + host + " "
                        + presented + " --reason '…'; otherwise treat it as an attack";
            case INVENTORY_KEY_MISMATCH ->
                "the host at " + where + " presents " + presented + " but handoff.yaml requires " + pinned
                        + " (hosts." + host + ".access.hostKey). Nothing was done on the host. If it was reinstalled"
                        + " on purpose, verify the new key out of band and change access.hostKey in handoff.yaml;"
                        + " otherwise treat it as an attack";
            case FIRST_CONTACT_REFUSED ->
                "no host key is trusted for " + host + " and " + detail + "; the host at " + where + " presents "
                        + presented + ". Nothing was done on the host. Verify the key out of band, then trust it:"
                        + " handoffctl hosts trust " + host + " " + presented + " (or set hosts." + host
                        + ".access.hostKey in handoff.yaml)";
            case PIN_STORE_UNAVAILABLE ->
                "cannot check the host key presented at " + where + " (" + presented + "): " + detail
                        + "; nothing was done on the host";
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

    /** Fingerprint of the trusted or required key (host key changed, inventory mismatch), else null. */
    public String pinned() {
        return pinned;
    }

    /** Fingerprint of the key the host presented, when it got that far, else null. */
    public String presented() {
        return presented;
    }
}
