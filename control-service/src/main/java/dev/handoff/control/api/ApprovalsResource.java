package dev.handoff.control.api;

import dev.handoff.common.serde.InvalidEventException;
import dev.handoff.control.approval.ApprovalDecisions;
import dev.handoff.control.config.HandoffConfig;
import dev.handoff.control.ledger.ApprovalQueries;
import dev.handoff.control.ledger.LedgerQueries.Cursor;
import dev.handoff.control.security.ApiAuthFilter;
import dev.handoff.control.security.RequiresRole;
import dev.handoff.control.security.Role;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.sql.SQLException;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;

/**
 * Stages that hold a destructive change: the list of approval requests, and an operator's answer, which publishes
 * {@code approval.decided}.
 */
@Path("/api/approvals")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@SecurityRequirement(name = "SecurityScheme")
public class ApprovalsResource {
    private final ApprovalQueries approvals;
    private final ApprovalDecisions decisions;
    private final HandoffConfig config;

    public ApprovalsResource(ApprovalQueries approvals, ApprovalDecisions decisions, HandoffConfig config) {
        this.approvals = approvals;
        this.decisions = decisions;
        this.config = config;
    }

    @GET
    @Operation(
            summary = "List approval requests, newest first",
            description = "Each with the stage's status now and the decision once made; pending=true keeps those an"
                    + " operator still has to decide. Paged with the 'next' cursor.")
    public Response list(
            @QueryParam("pending") @Parameter(description = "only those waiting for a decision") boolean pending,
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
        return Response.ok(approvals.list(pending, size, cursor)).build();
    }

    /**
     * The body of a decision.
     *
     * @param decision {@code approve} or {@code reject}
     * @param comment the operator's reason, optional
     */
    public record DecisionRequest(String decision, String comment) {}

    /**
     * The published decision.
     *
     * @param deploymentId the deployment
     * @param decision {@code approve} or {@code reject}
     * @param eventId the id of the {@code approval.decided} event
     * @param requestId the request it answers
     */
    public record DecisionView(String deploymentId, String decision, String eventId, String requestId) {}

    @POST
    @Path("/{deployment}")
    @RequiresRole(Role.OPERATOR)
    @Operation(
            summary = "Approve or reject a held destructive change",
            description = "Body {\"decision\": \"approve\"|\"reject\", \"comment\": \"…\"}; the deployment's stage must"
                    + " be waiting-approval. Answers 202 once Kafka has the approval.decided event.")
    public Response decide(
            @PathParam("deployment") String deploymentId,
            DecisionRequest body,
            @Context ContainerRequestContext request)
            throws SQLException, InvalidEventException {
        String caller = String.valueOf(request.getProperty(ApiAuthFilter.CALLER));
        ApprovalDecisions.Outcome outcome = decisions.decide(
                deploymentId, body == null ? null : body.decision(), body == null ? null : body.comment(), caller);
        if (outcome instanceof ApprovalDecisions.Decided d) {
            return Response.accepted(new DecisionView(deploymentId, body.decision(), d.eventId(), d.requestId()))
                    .build();
        }
        if (outcome instanceof ApprovalDecisions.Invalid i) {
            return ApiErrors.badRequest("invalid-decision", i.error(), i.fix());
        }
        if (outcome instanceof ApprovalDecisions.NoRequest n) {
            return ApiErrors.notFound("no-approval-request", n.error(), n.fix());
        }
        if (outcome instanceof ApprovalDecisions.NotWaiting w) {
            return ApiErrors.of(409, "not-waiting", w.error(), w.fix());
        }
        ApprovalDecisions.Unavailable u = (ApprovalDecisions.Unavailable) outcome;
        return ApiErrors.kafkaUnavailable(u.error(), u.fix());
    }
}
