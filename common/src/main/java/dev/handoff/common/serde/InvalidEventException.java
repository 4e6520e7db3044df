package dev.handoff.common.serde;

/**
 * A record is not a valid Handoff event. {@link #reason()} is a stable code that goes into the dead-letter
 * record's headers; the message says what is wrong and names the field.
 */
public class InvalidEventException extends Exception {
    /** Stable reason codes. */
    public enum Reason {
        MISSING_HEADER,
        BAD_HEADER,
        WRONG_KEY,
        UNSUPPORTED_SPEC_VERSION,
        UNKNOWN_TYPE,
        WRONG_TOPIC,
        BAD_DATASCHEMA,
        UNKNOWN_VERSION,
        UNREADABLE_BODY,
        SCHEMA_VIOLATION,
        UPCAST_FAILED,
        DECODE_FAILED
    }

    private final Reason reason;

    public InvalidEventException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public InvalidEventException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }

    /** The reason as written into headers, e.g. {@code schema-violation}. */
    public String reasonCode() {
        return reason.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
}
