package dev.handoff.control.api;

import dev.handoff.control.api.ReplayViews.ReplayView;
import dev.handoff.control.config.HandoffConfig;
import dev.handoff.control.ledger.LedgerQueries.Cursor;
import dev.handoff.control.ledger.ReplayLedger;
import dev.handoff.control.replay.ReplayRefused;
import dev.handoff.control.replay.ReplayRequest;
import dev.handoff.control.replay.ReplayService;
import dev.handoff.control.security.ApiAuthFilter;
import dev.handoff.control.security.RequiresRole;
import dev.handoff.control.security.Role;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.sql.SQLException;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;

/** Replays: run a stage again from records of one of its input topics; the list of past replays. */
@Path("/api/replays")
@Produces(MediaType.APPLICATION_JSON)
@SecurityRequirement(name = "SecurityScheme")
public class ReplaysResource {
    private final ReplayService replays;
    private final ReplayLedger ledger;
    private final HandoffConfig config;

    public ReplaysResource(ReplayService replays, ReplayLedger ledger, HandoffConfig config) {
        this.replays = replays;
        this.ledger = ledger;
        this.config = config;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @RequiresRole(Role.OPERATOR)
    @Operation(
            summary = "Run a stage again from a topic offset",
            description = "Reads offsets fromOffset..toOffset of one partition of an input topic of the stage,"
                    + " re-publishes each pushed commit or facts event among them to handoff.replay.<stage> as a"
                    + " copy marked replayof with a new deployment, then publishes handoff.replay.requested. 202"
                    + " once Kafka acknowledged all of it; 400 with a reason, and nothing published, for a bad"
                    + " request. The same Idempotency-Key again repeats the same replay (same ids).")
    public Response replay(
            ReplayRequest request,
            @HeaderParam("Idempotency-Key")
                    @Parameter(description = "repeat the same replay (same ids) when retrying a request")
                    String idempotencyKey,
            @Context ContainerRequestContext context) {
        String caller = (String) context.getProperty(ApiAuthFilter.CALLER);
        try {
            ReplayView replay = replays.replay(request, caller, idempotencyKey);
            return Response.accepted(replay)
                    .location(URI.create("/api/replays/" + replay.id()))
                    .build();
        } catch (ReplayRefused e) {
            return ApiErrors.badRequest(e.reason(), e.getMessage(), e.fix());
        } catch (ReplayService.KafkaUnavailable e) {
            return ApiErrors.kafkaUnavailable(
                    e.getMessage(),
                    "retry later with the same Idempotency-Key; it repeats the same replay, not a second one");
        }
    }

    @GET
    @Operation(summary = "List replays, newest first", description = "Paged with the 'next' cursor.")
    public Response list(
            @QueryParam("limit") @Parameter(description = "page size, default 50") Integer limit,
            @QueryParam("before") @Parameter(description = "the 'next' cursor of the previous page") String before)
            throws SQLException {
        int max = config.ledger().maxPageSize();
        int size = limit == null ? 50 : limit;
        if (size < 1 || size > max) {
            return ApiErrors.badLimit(size, max);
        }
        Cursor cursor;
        try {
            cursor = before == null || before.isBlank() ? null : Cursor.decode(before);
        } catch (IllegalArgumentException e) {
            return ApiErrors.badCursor(e);
        }
        return Response.ok(ledger.replays(size, cursor)).build();
    }

    @GET
    @Path("/{id}")
    @Operation(summary = "One replay", description = "Who asked, when, and each record it re-published.")
    public Response get(@PathParam("id") String id) throws SQLException {
        return ledger.replay(id)
                .map(r -> Response.ok(r).build())
                .orElseGet(() -> ApiErrors.notFound(
                        "unknown-replay",
                        "no replay " + id,
                        "list replays with GET /api/replays (a new one appears within seconds)"));
    }
}
