package dev.handoff.control.problem;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.handoff.common.serde.Json;
import io.quarkus.runtime.configuration.MemorySize;
import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Answers an {@code /api} request that announces a body over {@code quarkus.http.limits.max-body-size} with a
 * {@code 413} problem, before its body is read: Quarkus would refuse it itself, below JAX-RS, with an empty answer that
 * no exception mapper sees. (A body sent without {@code Content-Length} over the limit still gets Quarkus's own 413.)
 */
@ApplicationScoped
public class ApiBodyLimit {
    /** Before the JAX-RS handler reads the body; after Quarkus' own early filters. */
    private static final int PRIORITY = 100;

    private final long maxBodyBytes;

    public ApiBodyLimit(@ConfigProperty(name = "quarkus.http.limits.max-body-size") MemorySize maxBodySize) {
        this.maxBodyBytes = maxBodySize.asLongValue();
    }

    void register(@Observes Filters filters) {
        filters.register(this::limit, PRIORITY);
    }

    private void limit(RoutingContext rc) {
        String path = rc.normalizedPath();
        long announced = contentLength(rc.request().getHeader(HttpHeaders.CONTENT_LENGTH));
        if (announced <= maxBodyBytes || !(path.equals("/api") || path.startsWith("/api/"))) {
            rc.next();
            return;
        }
        Problem problem = Problem.of(
                        413,
                        "too-large",
                        "the body is " + announced + " bytes; the API reads at most " + maxBodyBytes,
                        "send a smaller body; every API body is a small JSON object")
                .at(path);
        String body;
        try {
            body = Json.mapper().writeValueAsString(problem);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a problem detail", e);
        }
        // the body is never read: close the connection rather than let the client go on sending it
        rc.response()
                .setStatusCode(413)
                .putHeader(HttpHeaders.CONTENT_TYPE, Problem.MEDIA_TYPE)
                .putHeader(HttpHeaders.CONNECTION, "close")
                .end(body);
    }

    private static long contentLength(String header) {
        if (header == null) {
            return -1;
        }
        try {
            return Long.parseLong(header.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
