package dev.handoff.bench.fleet;

/** The fleet bench cannot go on (the lab did not start, a push failed, the warm-up did not settle). */
final class FleetBenchException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    FleetBenchException(String message) {
        super(message);
    }

    FleetBenchException(String message, Throwable cause) {
        super(message, cause);
    }
}
