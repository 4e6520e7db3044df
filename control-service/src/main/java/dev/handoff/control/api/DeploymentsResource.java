package dev.handoff.control.api;

import dev.handoff.control.config.HandoffConfig;
import dev.handoff.control.ledger.LedgerQueries;
import dev.handoff.control.ledger.LedgerQueries.Cursor;
import dev.handoff.control.ledger.LedgerQueries.DeploymentFilter;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.sql.SQLException;
import java.util.Set;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;

/** The deployment history: one run of the chain per host per push. */
@Path("/api/deployments")
@Produces(MediaType.APPLICATION_JSON)
@SecurityRequirement(name = "SecurityScheme")
public class DeploymentsResource {
    private static final Set<String> STATUSES = Set.of("running", "succeeded", "failed", "stale", "superseded");

    private final LedgerQueries ledger;
    private final HandoffConfig config;

    public DeploymentsResource(LedgerQueries ledger, HandoffConfig config) {
        this.ledger = ledger;
        this.config = config;
    }

    @GET
    @Operation(summary = "List deployments, newest first", description = "Paged with the 'next' cursor.")
    public Response list(
            @QueryParam("host") @Parameter(description = "only this host") String host,
            @QueryParam("repository") @Parameter(description = "only this repository (owner/name)") String repository,
            @QueryParam("status") @Parameter(description = "running, succeeded, failed, stale or superseded")
                    String status,
            @QueryParam("limit") @Parameter(description = "page size, default 50") Integer limit,
            @QueryParam("before") @Parameter(description = "the 'next' cursor of the previous page") String before)
            throws SQLException {
        if (status != null && !STATUSES.contains(status)) {
            return ApiErrors.badRequest(
                    "bad-status",
                    "status '" + status + "' is not a deployment status",
                    "use running, succeeded, failed, stale or superseded");
        }
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
        return Response.ok(ledger.deployments(
                        new DeploymentFilter(blankToNull(host), blankToNull(repository), status), size, cursor))
                .build();
    }

    @GET
    @Path("/{id}")
    @Operation(summary = "One deployment", description = "Its stages and every event with its topic position.")
    public Response get(@PathParam("id") String id) throws SQLException {
        return ledger.deployment(id)
                .map(d -> Response.ok(d).build())
                .orElseGet(() -> ApiErrors.notFound(
                        "unknown-deployment", "no deployment " + id, "list deployments with GET /api/deployments"));
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
