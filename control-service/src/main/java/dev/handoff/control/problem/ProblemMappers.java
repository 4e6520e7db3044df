package dev.handoff.control.problem;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.sql.SQLException;
import java.util.UUID;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;

/**
 * Turns every error Quarkus raises instead of a route's own answer — a body that is not JSON, an unknown route, a
 * wrong method or media type, a failure no one caught — into a {@link Problem}, so that a client reads one shape from
 * every error. A failure's internals (exception messages, SQL, stack traces) go to the log under an incident id, never
 * into the answer. The web pages ({@code /ui}) keep their own answers: a person reads them in a browser.
 */
public class ProblemMappers {
    private static final Logger LOG = Logger.getLogger(ProblemMappers.class);
    private static final String PAGES = "/ui";

    @ServerExceptionMapper
    public Response malformedBody(JsonProcessingException e, ContainerRequestContext request) {
        JsonLocation at = e.getLocation();
        return problem(
                request,
                400,
                "malformed-body",
                what(e) + (at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")"),
                "send a JSON object as the route's description in /q/openapi shows, with Content-Type:"
                        + " application/json");
    }

    /** Listed apart because Quarkus's own mapper of this subtype would win over {@link #malformedBody}. */
    @ServerExceptionMapper
    public Response wrongShape(MismatchedInputException e, ContainerRequestContext request) {
        return malformedBody(e, request);
    }

    @ServerExceptionMapper
    public Response refusedByQuarkus(WebApplicationException e, ContainerRequestContext request) {
        Response original = e.getResponse();
        // a route that throws an answer with a body of its own meant that answer
        if (isPage(request) || (original != null && original.hasEntity())) {
            return original;
        }
        int status = original == null ? 500 : original.getStatus();
        if (e.getCause() instanceof JsonProcessingException json) {
            return malformedBody(json, request);
        }
        String route = request.getMethod() + " " + request.getUriInfo().getPath();
        Response.ResponseBuilder answer;
        switch (status) {
            case 400:
                answer = builder(
                        request,
                        400,
                        "bad-parameter",
                        route + " has a parameter of the wrong type or a bad body",
                        "see the route's parameters in /q/openapi");
                break;
            case 404:
                answer = e.getCause() != null
                        ? builder(
                                request,
                                404,
                                "bad-parameter",
                                route + " has a parameter of the wrong type",
                                "see the route's parameters in /q/openapi")
                        : builder(
                                request,
                                404,
                                "unknown-route",
                                "no route " + route,
                                "see the API's routes in /q/openapi");
                break;
            case 405:
                // Quarkus does not say which methods the path takes (no Allow header): the fix points to the document
                answer = builder(
                        request,
                        405,
                        "method-not-allowed",
                        request.getUriInfo().getPath() + " does not take " + request.getMethod(),
                        "see the methods of the path in /q/openapi");
                break;
            case 406:
                answer = builder(
                        request,
                        406,
                        "not-acceptable",
                        route + " answers application/json, not " + request.getHeaderString(HttpHeaders.ACCEPT),
                        "accept application/json and application/problem+json");
                break;
            case 415:
                answer = builder(
                        request,
                        415,
                        "unsupported-media-type",
                        route + " does not read " + request.getMediaType(),
                        "send the body as JSON with Content-Type: application/json");
                break;
            default:
                if (status >= 500) {
                    return internalError(e, request);
                }
                answer = builder(
                        request,
                        status,
                        "http-" + status,
                        route + " was refused: " + statusPhrase(status),
                        "see the route's description in /q/openapi");
        }
        return answer.build();
    }

    @ServerExceptionMapper
    public Response databaseError(SQLException e, ContainerRequestContext request) {
        String state = e.getSQLState();
        if (state == null || !state.startsWith("08") || isPage(request)) {
            return internalError(e, request);
        }
        LOG.warnf(
                "%s %s: PostgreSQL unreachable: %s",
                request.getMethod(), request.getUriInfo().getPath(), e);
        return builder(
                        request,
                        503,
                        "database-unavailable",
                        "control-service cannot reach PostgreSQL",
                        "retry in a few seconds; if it persists, check PostgreSQL and HANDOFF_DB_URL")
                .header("Retry-After", "10")
                .build();
    }

    @ServerExceptionMapper
    public Response internalError(Throwable e, ContainerRequestContext request) {
        String incident = UUID.randomUUID().toString();
        LOG.errorf(
                e,
                "%s %s failed (incident %s)",
                request.getMethod(),
                request.getUriInfo().getPath(),
                incident);
        if (isPage(request)) {
            return Response.serverError()
                    .type(MediaType.TEXT_PLAIN_TYPE)
                    .entity("control-service failed on this page (incident " + incident + "); its log says why.\n")
                    .build();
        }
        return problem(
                request,
                500,
                "internal-error",
                "control-service failed on " + request.getMethod() + " "
                        + request.getUriInfo().getPath() + " (incident " + incident + ")",
                "retry; if it fails again, report the incident id: control-service's log has the details under it");
    }

    /** Gives every problem its request path as {@code instance}, however it was made. */
    @ServerResponseFilter
    public void atThisPath(ContainerRequestContext request, ContainerResponseContext response) {
        if (response.getEntity() instanceof Problem p && p.instance() == null) {
            response.setEntity(p.at(request.getUriInfo().getPath()));
            response.getHeaders().putSingle(HttpHeaders.CONTENT_TYPE, Problem.MEDIA_TYPE);
        }
    }

    private static Response problem(
            ContainerRequestContext request, int status, String reason, String detail, String fix) {
        return builder(request, status, reason, detail, fix).build();
    }

    private static Response.ResponseBuilder builder(
            ContainerRequestContext request, int status, String reason, String detail, String fix) {
        return Problem.of(status, reason, detail, fix)
                .at(request.getUriInfo().getPath())
                .respond();
    }

    /** What is wrong with the body, without Jackson's words for it (they name our classes). */
    private static String what(JsonProcessingException e) {
        if (!(e instanceof MismatchedInputException wrong)) {
            return "the body is not JSON: " + e.getOriginalMessage();
        }
        String field = wrong.getPath().stream()
                .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                .collect(Collectors.joining("."));
        return field.isEmpty()
                ? "the body is not a JSON object of the shape this route reads"
                : "the body's '" + field + "' has the wrong type";
    }

    private static boolean isPage(ContainerRequestContext request) {
        String path = request.getUriInfo().getPath();
        return path.equals(PAGES) || path.startsWith(PAGES + "/");
    }

    private static String statusPhrase(int status) {
        Response.Status known = Response.Status.fromStatusCode(status);
        return known == null ? "HTTP " + status : known.getReasonPhrase();
    }
}
