package dev.handoff.control.api;

import dev.handoff.control.config.HandoffConfig;
import dev.handoff.control.ledger.LedgerQueries;
import dev.handoff.control.ledger.LedgerQueries.EventFilter;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.sql.SQLException;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;

/** Raw events from the ledger, with their topic positions (what replays are chosen from). */
@Path("/api/events")
@Produces(MediaType.APPLICATION_JSON)
@SecurityRequirement(name = "SecurityScheme")
public class EventsResource {
    private final LedgerQueries ledger;
    private final HandoffConfig config;

    public EventsResource(LedgerQueries ledger, HandoffConfig config) {
        this.ledger = ledger;
        this.config = config;
    }

    @GET
    @Operation(
            summary = "List events",
            description = "By topic position when a topic is given, else by time. fromOffset needs a partition.")
    public Response list(
            @QueryParam("deployment") String deployment,
            @QueryParam("type") String type,
            @QueryParam("topic") String topic,
            @QueryParam("partition") Integer partition,
            @QueryParam("fromOffset") Long fromOffset,
            @QueryParam("limit") Integer limit)
            throws SQLException {
        if (fromOffset != null && (topic == null || partition == null)) {
            return ApiErrors.badRequest(
                    "offset-without-partition",
                    "fromOffset is an offset within one partition",
                    "give topic and partition with fromOffset");
        }
        int max = config.ledger().maxPageSize();
        int size = limit == null ? 100 : limit;
        if (size < 1 || size > max) {
            return ApiErrors.badLimit(size, max);
        }
        return Response.ok(Map.of(
                        "items", ledger.events(new EventFilter(deployment, type, topic, partition, fromOffset), size)))
                .build();
    }
}
