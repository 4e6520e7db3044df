package dev.handoff.control.security;

import dev.handoff.control.config.HandoffConfig;
import dev.handoff.control.problem.Problem;
import dev.handoff.control.ui.UiSessions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.NewCookie;
import jakarta.ws.rs.core.Response;
import java.lang.reflect.Method;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;

/**
 * Guards every JAX-RS route by its {@link AccessRules rule}: a route without one is refused (deny by default); a
 * {@link RequiresRole} route needs a bearer token with that role (401 says what is missing, 403 which role is
 * needed); a {@link PublicEndpoint} guards itself. Failed sign-ins (bearer tokens, the page's sign-in form) are
 * limited per client address ({@link SignInFailures}, 429 with Retry-After); the page's session cookie is made
 * {@code Secure} unless {@code handoff.ui.secure-cookie} is off.
 */
@ApplicationScoped
public class ApiAuthFilter {
    /** The property under which the caller's token is kept on the request. */
    public static final String CALLER = "handoff.caller";
    /** The page's sign-in form; a 401 from it is a failed sign-in. */
    static final String LOGIN_PATH = "/ui/login";

    private static final Logger LOG = Logger.getLogger(ApiAuthFilter.class);
    private static final String CLIENT = "handoff.client";

    private final ApiTokens tokens;
    private final SignInFailures failures;
    private final boolean secureCookie;

    @Inject
    public ApiAuthFilter(HandoffConfig config) {
        this(
                ApiTokens.parse(config.auth().tokens().orElse("")),
                new SignInFailures(
                        config.auth().maxFailures(),
                        config.auth().failureWindow(),
                        config.auth().trackedClients(),
                        Clock.systemUTC()),
                config.ui().secureCookie());
    }

    ApiAuthFilter(ApiTokens tokens, SignInFailures failures, boolean secureCookie) {
        this.tokens = tokens;
        this.failures = failures;
        this.secureCookie = secureCookie;
    }

    @ServerRequestFilter
    public Optional<Response> authenticate(
            ContainerRequestContext request, ResourceInfo resource, HttpServerRequest http) {
        Method method = resource == null ? null : resource.getResourceMethod();
        if (method == null) {
            return Optional.empty();
        }
        Optional<AccessRules.Rule> rule = AccessRules.of(resource.getResourceClass(), method);
        if (rule.isEmpty()) {
            LOG.errorf(
                    "refused %s %s: %s.%s has no access rule; annotate it with @RequiresRole or @PublicEndpoint",
                    request.getMethod(),
                    request.getUriInfo().getPath(),
                    resource.getResourceClass().getName(),
                    method.getName());
            return Optional.of(Problem.of(
                            403,
                            "no-access-rule",
                            "this endpoint declares no access rule, so it is refused",
                            "the service's developers must annotate it with @RequiresRole or @PublicEndpoint")
                    .toResponse());
        }
        String client = client(http);
        request.setProperty(CLIENT, client);
        if (rule.get() instanceof AccessRules.Public) {
            if (isSignIn(request)) {
                return tooManyFailures(client, true);
            }
            return Optional.empty();
        }
        Optional<Response> blocked = tooManyFailures(client, false);
        if (blocked.isPresent()) {
            return blocked;
        }
        String header = request.getHeaderString(HttpHeaders.AUTHORIZATION);
        if (header == null || header.isBlank()) {
            return unauthorized(
                    client,
                    "missing-token",
                    "missing bearer token",
                    "send 'Authorization: Bearer <token>' (the lab prints its operator token)");
        }
        if (!header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return unauthorized(
                    client,
                    "not-bearer",
                    "the Authorization header is not a bearer token",
                    "send 'Authorization: Bearer <token>'");
        }
        Optional<ApiTokens.Token> token = tokens.find(header.substring(7).trim());
        if (token.isEmpty()) {
            return unauthorized(
                    client,
                    "unknown-token",
                    "the token is not recognised",
                    "use a token whose SHA-256 is listed in HANDOFF_AUTH_TOKENS");
        }
        Role needed = ((AccessRules.Bearer) rule.get()).role();
        if (!token.get().role().allows(needed)) {
            return Optional.of(Problem.of(
                            403,
                            "role-too-low",
                            "token '" + token.get().name() + "' has role "
                                    + token.get().role().id() + "; this needs " + needed.id(),
                            "use a token with role " + needed.id())
                    .toResponse());
        }
        request.setProperty(CALLER, token.get().name());
        return Optional.empty();
    }

    @ServerResponseFilter
    public void afterwards(ContainerRequestContext request, ContainerResponseContext response) {
        if (response.getStatus() == 401 && isSignIn(request) && request.getProperty(CLIENT) instanceof String client) {
            failures.failed(client);
        }
        if (secureCookie) {
            makeSessionCookieSecure(response);
        }
    }

    private Optional<Response> tooManyFailures(String client, boolean page) {
        Optional<Duration> wait = failures.blockedFor(client);
        if (wait.isEmpty()) {
            return Optional.empty();
        }
        long seconds = SignInFailures.retryAfterSeconds(wait.get());
        String error = "too many failed sign-ins from " + client + "; try again in " + seconds + " s";
        Response.ResponseBuilder answer = Response.status(429).header("Retry-After", Long.toString(seconds));
        if (page) {
            return Optional.of(
                    answer.type(MediaType.TEXT_PLAIN_TYPE).entity(error + ".\n").build());
        }
        return Optional.of(answer.type(Problem.MEDIA_TYPE)
                .entity(Problem.of(
                        429,
                        "too-many-failures",
                        error,
                        "wait, then use a token whose SHA-256 is listed in HANDOFF_AUTH_TOKENS"))
                .build());
    }

    private Optional<Response> unauthorized(String client, String reason, String error, String fix) {
        failures.failed(client);
        return Optional.of(Problem.of(401, reason, error, fix)
                .respond()
                .header("WWW-Authenticate", "Bearer realm=\"handoff\"")
                .build());
    }

    private static boolean isSignIn(ContainerRequestContext request) {
        return "POST".equals(request.getMethod())
                && LOGIN_PATH.equals(request.getUriInfo().getPath());
    }

    private static String client(HttpServerRequest http) {
        SocketAddress address = http == null ? null : http.remoteAddress();
        if (address == null) {
            return "unknown";
        }
        return address.host() != null ? address.host() : String.valueOf(address);
    }

    private static void makeSessionCookieSecure(ContainerResponseContext response) {
        List<Object> cookies = response.getHeaders().get(HttpHeaders.SET_COOKIE);
        if (cookies == null || cookies.isEmpty()) {
            return;
        }
        List<Object> secured = new ArrayList<>(cookies.size());
        for (Object cookie : cookies) {
            if (cookie instanceof NewCookie c && UiSessions.COOKIE.equals(c.getName()) && !c.isSecure()) {
                // the builder copies only a Cookie's fields: the NewCookie ones are set again here
                secured.add(new NewCookie.Builder(c)
                        .comment(c.getComment())
                        .maxAge(c.getMaxAge())
                        .expiry(c.getExpiry())
                        .httpOnly(c.isHttpOnly())
                        .sameSite(c.getSameSite())
                        .secure(true)
                        .build());
            } else if (cookie instanceof String s
                    && s.startsWith(UiSessions.COOKIE + "=")
                    && !s.toLowerCase(java.util.Locale.ROOT).contains(";secure")
                    && !s.toLowerCase(java.util.Locale.ROOT).contains("; secure")) {
                secured.add(s + ";Secure");
            } else {
                secured.add(cookie);
            }
        }
        response.getHeaders().put(HttpHeaders.SET_COOKIE, secured);
    }
}
