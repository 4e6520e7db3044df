package dev.handoff.control.api;

import dev.handoff.control.problem.Problem;
import jakarta.ws.rs.core.Response;

/** Error answers that say what is wrong and what to do, as problem details under a stable reason. */
final class ApiErrors {
    private ApiErrors() {}

    static Response badRequest(String reason, String error, String fix) {
        return of(400, reason, error, fix);
    }

    static Response notFound(String reason, String error, String fix) {
        return of(404, reason, error, fix);
    }

    static Response of(int status, String reason, String error, String fix) {
        return Problem.of(status, reason, error, fix).toResponse();
    }

    /** A page size outside 1..max. */
    static Response badLimit(int size, int max) {
        return badRequest("bad-limit", "limit " + size + " is out of range", "use a limit from 1 to " + max);
    }

    /** A {@code before} cursor this API did not hand out. */
    static Response badCursor(IllegalArgumentException e) {
        return badRequest("bad-cursor", e.getMessage(), "omit 'before' for the first page");
    }

    /** Kafka did not take an event; {@code fix} says whether retrying repeats or doubles it. */
    static Response kafkaUnavailable(String error, String fix) {
        return Problem.of(503, "kafka-unavailable", error, fix)
                .respond()
                .header("Retry-After", "10")
                .build();
    }
}
