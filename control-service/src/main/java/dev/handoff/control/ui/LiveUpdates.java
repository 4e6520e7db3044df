package dev.handoff.control.ui;

import dev.handoff.common.inventory.Inventory;
import jakarta.ws.rs.CookieParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.eclipse.microprofile.openapi.annotations.Operation;

/**
 * The pages' live updates: {@code /ui/live} is a server-sent event stream that says {@code changed} when the ledger
 * has new events for a deployment, a host or the list ({@link LedgerWatch}); {@code /ui/live.js} fetches the page
 * again and swaps its content in, unless the person is in the middle of a form. Same session as the pages.
 */
@Path("/ui")
public class LiveUpdates {
    private static final int MAX_ID = 100;

    private final UiSessions sessions;
    private final LedgerWatch watch;
    private final Inventory inventory;

    public LiveUpdates(UiSessions sessions, LedgerWatch watch, Inventory inventory) {
        this.sessions = sessions;
        this.watch = watch;
        this.inventory = inventory;
    }

    /**
     * The header {@code live.js} sends when it fetches a page by itself: that does not keep the session alive, so a
     * page left open still signs its person out after {@link UiSessions#IDLE}.
     */
    static final String BY_ITSELF = "X-Handoff-Live";

    /** Whether a page was fetched by {@code live.js} rather than by a person. */
    static boolean byItself(String header) {
        return header != null;
    }

    /** The stream a deployment's page follows. */
    static String streamOfDeployment(String id) {
        return "/ui/live?deployment=" + URLEncoder.encode(id, StandardCharsets.UTF_8);
    }

    /** The stream a host's page follows. */
    static String streamOfHost(String host) {
        return "/ui/live?host=" + URLEncoder.encode(host, StandardCharsets.UTF_8);
    }

    /** The stream the list follows: every event, or one host's when the list is filtered by host. */
    static String streamOfList(String host) {
        return host == null || host.isBlank() ? "/ui/live" : streamOfHost(host.trim());
    }

    @GET
    @Path("/live")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @Operation(hidden = true)
    public void live(
            @CookieParam(UiSessions.COOKIE) String sessionId,
            @QueryParam("deployment") String deployment,
            @QueryParam("host") String host,
            @Context SseEventSink sink,
            @Context Sse sse) {
        if (sessions.peek(sessionId).isEmpty()) {
            throw refuse(Response.Status.UNAUTHORIZED, "no session: sign in at /ui/login and open the page again");
        }
        if (deployment != null && (deployment.isBlank() || deployment.length() > MAX_ID)) {
            throw refuse(
                    Response.Status.BAD_REQUEST,
                    "deployment must be a deployment id (at most " + MAX_ID + " characters)");
        }
        if (host != null && !inventory.hosts().containsKey(host)) {
            throw refuse(
                    Response.Status.NOT_FOUND,
                    "host " + host + " is not in handoff.yaml; follow one of "
                            + String.join(", ", inventory.hosts().keySet()));
        }
        Optional<String> refused = watch.follow(new LedgerWatch.Interest(deployment, host), sink, sse, sessionId);
        if (refused.isPresent()) {
            throw new WebApplicationException(Response.status(Response.Status.SERVICE_UNAVAILABLE)
                    .header("Retry-After", "30")
                    .type(MediaType.TEXT_PLAIN_TYPE)
                    .entity(refused.get() + "; the page tries again in 30 s (reload it to see the newest state now)")
                    .build());
        }
    }

    @GET
    @Path("/live.js")
    @Produces("text/javascript")
    @Operation(hidden = true)
    public Response script(@CookieParam(UiSessions.COOKIE) String sessionId) {
        // only signed-in pages load it; a stranger gets nothing but the sign-in form from /ui
        if (sessions.peek(sessionId).isEmpty()) {
            throw refuse(Response.Status.UNAUTHORIZED, "no session: sign in at /ui/login");
        }
        try (InputStream in = LiveUpdates.class.getClassLoader().getResourceAsStream("ui/live.js")) {
            if (in == null) {
                throw new IllegalStateException("ui/live.js is missing from the class path");
            }
            return Response.ok(new String(in.readAllBytes(), StandardCharsets.UTF_8))
                    .header("Cache-Control", "no-cache")
                    .header("X-Content-Type-Options", "nosniff")
                    .build();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static WebApplicationException refuse(Response.Status status, String why) {
        return new WebApplicationException(Response.status(status)
                .type(MediaType.TEXT_PLAIN_TYPE)
                .entity(why)
                .build());
    }
}
