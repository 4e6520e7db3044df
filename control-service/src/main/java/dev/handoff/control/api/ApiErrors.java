package dev.handoff.control.api;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** Error answers that say what is wrong and what to do. */
final class ApiErrors {
    private ApiErrors() {}

    static Response badRequest(String error, String fix) {
        return of(Response.Status.BAD_REQUEST, error, fix);
    }

    static Response notFound(String error, String fix) {
        return of(Response.Status.NOT_FOUND, error, fix);
    }

    private static Response of(Response.Status status, String error, String fix) {
        return Response.status(status)
                .type(MediaType.APPLICATION_JSON)
                .entity(new Views.ApiError(error, fix))
                .build();
    }
}
