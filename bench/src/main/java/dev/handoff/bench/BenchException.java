package dev.handoff.bench;

/**
 * A benchmark cannot go on (a service or the lab did not start, a push failed, a deadline passed): it exits non-zero
 * with this message.
 */
public final class BenchException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public BenchException(String message) {
        super(message);
    }

    public BenchException(String message, Throwable cause) {
        super(message, cause);
    }
}
