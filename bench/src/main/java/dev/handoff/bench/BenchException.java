package dev.handoff.bench;

/** The benchmark cannot go on (a service did not start, a deadline passed): it exits non-zero with this message. */
final class BenchException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    BenchException(String message) {
        super(message);
    }

    BenchException(String message, Throwable cause) {
        super(message, cause);
    }
}
