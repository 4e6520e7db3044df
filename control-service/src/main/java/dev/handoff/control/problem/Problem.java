package dev.handoff.control.problem;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import jakarta.ws.rs.core.Response;
import java.net.URI;

/**
 * An RFC 9457 problem detail: what failed ({@code detail}) and what to do ({@code fix}), under a stable
 * {@code reason} code. {@code error} repeats {@code detail} for clients written against the API before problem
 * details; it goes away in the release after the one that brought problem details.
 *
 * @param type {@code /problems/<reason>}: a page that explains the reason (relative to the server)
 * @param title short, the same for every problem of the reason
 * @param status the HTTP status
 * @param detail what failed, for a person: which host, deployment, field or value
 * @param instance the request's path
 * @param reason a stable kebab-case code, e.g. {@code bad-limit}; what a client switches on
 * @param fix what to do about it
 * @param error the same as {@code detail} (deprecated, kept for one release)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"type", "title", "status", "detail", "instance", "reason", "fix", "error"})
public record Problem(
        URI type, String title, int status, String detail, String instance, String reason, String fix, String error) {

    /** The media type of a problem detail. */
    public static final String MEDIA_TYPE = "application/problem+json";

    /** Where the pages explaining each reason are served; {@code type} is this plus the reason. */
    public static final String TYPES_PATH = "/problems/";

    /** A problem of a reason: title from {@link ProblemTypes}, {@code instance} filled in on the way out. */
    public static Problem of(int status, String reason, String detail, String fix) {
        return new Problem(
                URI.create(TYPES_PATH + reason),
                ProblemTypes.title(reason, status),
                status,
                detail,
                null,
                reason,
                fix,
                detail);
    }

    /** The same problem, at this request path. */
    public Problem at(String path) {
        return new Problem(type, title, status, detail, path, reason, fix, error);
    }

    /** The answer carrying this problem. */
    public Response toResponse() {
        return respond().build();
    }

    /** The answer carrying this problem, for adding headers such as {@code Retry-After}. */
    public Response.ResponseBuilder respond() {
        return Response.status(status).type(MEDIA_TYPE).entity(this);
    }
}
