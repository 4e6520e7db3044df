package dev.handoff.control.replay;

/** A replay request that is refused before anything is published: the reason code, what is wrong, what to do. */
public final class ReplayRefused extends Exception {
    private static final long serialVersionUID = 1L;

    private final String reason;
    private final String fix;

    public ReplayRefused(String reason, String error, String fix) {
        super(error);
        this.reason = reason;
        this.fix = fix;
    }

    /** A stable kebab-case code, e.g. {@code not-an-input}. */
    public String reason() {
        return reason;
    }

    /** What the caller can do about it. */
    public String fix() {
        return fix;
    }
}
