package dev.handoff.control.security;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.handoff.control.config.HandoffConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.lang.reflect.Method;
import java.util.Optional;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Guards {@code /api}: a bearer token with a role is required; 401 says what is missing, 403 which role is needed.
 * The webhook is not under {@code /api} and stays HMAC-only.
 */
@ApplicationScoped
public class ApiAuthFilter {
    /** The property under which the caller's token is kept on the request. */
    public static final String CALLER = "handoff.caller";

    private final ApiTokens tokens;

    public ApiAuthFilter(HandoffConfig config) {
        this.tokens = ApiTokens.parse(config.auth().tokens().orElse(""));
    }

    /**
     * An authentication or authorisation error.
     *
     * @param error what is wrong
     * @param fix what to do
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record AuthError(String error, String fix) {}

    @ServerRequestFilter
    public Optional<Response> authenticate(ContainerRequestContext request, ResourceInfo resource) {
        String path = request.getUriInfo().getPath();
        if (!path.startsWith("/api")) {
            return Optional.empty();
        }
        String header = request.getHeaderString("Authorization");
        if (header == null || header.isBlank()) {
            return Optional.of(unauthorized(
                    "missing bearer token",
                    "send 'Authorization: Bearer <token>' (the lab prints its operator token)"));
        }
        if (!header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return Optional.of(unauthorized(
                    "the Authorization header is not a bearer token", "send 'Authorization: Bearer <token>'"));
        }
        Optional<ApiTokens.Token> token = tokens.find(header.substring(7).trim());
        if (token.isEmpty()) {
            return Optional.of(unauthorized(
                    "the token is not recognised", "use a token whose SHA-256 is listed in HANDOFF_AUTH_TOKENS"));
        }
        Role needed = needed(resource);
        if (!token.get().role().allows(needed)) {
            return Optional.of(Response.status(Response.Status.FORBIDDEN)
                    .type(MediaType.APPLICATION_JSON)
                    .entity(new AuthError(
                            "token '" + token.get().name() + "' has role "
                                    + token.get().role().id() + "; this needs " + needed.id(),
                            "use a token with role " + needed.id()))
                    .build());
        }
        request.setProperty(CALLER, token.get().name());
        return Optional.empty();
    }

    private static Role needed(ResourceInfo resource) {
        Method method = resource == null ? null : resource.getResourceMethod();
        if (method != null && method.isAnnotationPresent(RequiresRole.class)) {
            return method.getAnnotation(RequiresRole.class).value();
        }
        Class<?> type = resource == null ? null : resource.getResourceClass();
        if (type != null && type.isAnnotationPresent(RequiresRole.class)) {
            return type.getAnnotation(RequiresRole.class).value();
        }
        return Role.VIEWER;
    }

    private static Response unauthorized(String error, String fix) {
        return Response.status(Response.Status.UNAUTHORIZED)
                .header("WWW-Authenticate", "Bearer realm=\"handoff\"")
                .type(MediaType.APPLICATION_JSON)
                .entity(new AuthError(error, fix))
                .build();
    }
}
