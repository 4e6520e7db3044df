package dev.handoff.control.api;

import dev.handoff.common.event.EventEnvelope;
import dev.handoff.common.event.EventType;
import dev.handoff.common.event.v1.ApprovalDecided;
import dev.handoff.common.messaging.EventPublisher;
import dev.handoff.common.serde.EventCodec;
import dev.handoff.common.serde.InvalidEventException;
import dev.handoff.control.config.HandoffConfig;
import dev.handoff.control.kafka.KafkaClients;
import dev.handoff.control.ledger.ApprovalQueries;
import dev.handoff.control.ledger.ApprovalQueries.PendingRequest;
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
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.jboss.logging.Logger;

/**
 * Stages that hold a destructive change: the list of approval requests, and an operator's answer, which publishes
 * {@code approval.decided}.
 */
@Path("/api/approvals")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@SecurityRequirement(name = "SecurityScheme")
public class ApprovalsResource {
    private static final Logger LOG = Logger.getLogger(ApprovalsResource.class);
    private static final Duration PUBLISH_TIMEOUT = Duration.ofSeconds(15);
    private static final int MAX_COMMENT = 2000;

    private final ApprovalQueries approvals;
    private final EventPublisher publisher;
    private final EventCodec codec;
    private final HandoffConfig config;

    public ApprovalsResource(
            ApprovalQueries approvals, EventPublisher publisher, EventCodec codec, HandoffConfig config) {
        this.approvals = approvals;
        this.publisher = publisher;
        this.codec = codec;
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
            return ApiErrors.badRequest("limit " + size + " is out of range", "use a limit from 1 to " + max);
        }
        Cursor cursor;
        try {
            cursor = before == null || before.isBlank() ? null : Cursor.decode(before);
        } catch (IllegalArgumentException e) {
            return ApiErrors.badRequest(e.getMessage(), "omit 'before' for the first page");
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
        if (body == null
                || body.decision() == null
                || !List.of("approve", "reject").contains(body.decision())) {
            return ApiErrors.badRequest(
                    "decision must be \"approve\" or \"reject\"",
                    "send {\"decision\": \"approve\"} or {\"decision\": \"reject\", \"comment\": \"why\"}");
        }
        if (body.comment() != null && body.comment().length() > MAX_COMMENT) {
            return ApiErrors.badRequest(
                    "the comment has " + body.comment().length() + " characters", "keep it to " + MAX_COMMENT);
        }
        Optional<PendingRequest> pending = approvals.newestRequest(deploymentId);
        if (pending.isEmpty()) {
            return ApiErrors.notFound(
                    "deployment " + deploymentId + " has not asked for an approval",
                    "find deployments whose stage is waiting-approval with GET /api/deployments");
        }
        PendingRequest p = pending.get();
        if (!p.waiting()) {
            return Response.status(Response.Status.CONFLICT)
                    .type(MediaType.APPLICATION_JSON)
                    .entity(new Views.ApiError(
                            "the " + p.stage() + " stage of deployment " + deploymentId + " is no longer waiting for"
                                    + " approval (status " + p.stageStatus() + ")",
                            "nothing to decide; push again to plan anew"))
                    .build();
        }
        String caller = String.valueOf(request.getProperty(ApiAuthFilter.CALLER));
        String comment = body.comment() == null || body.comment().isBlank() ? null : body.comment();
        ApprovalDecided decided = new ApprovalDecided(
                p.host(), p.stage(), body.decision(), comment, caller, Instant.now(), p.requestId());
        EventEnvelope event = codec.newEvent(
                EventType.APPROVAL_DECIDED, KafkaClients.SOURCE, p.host(), deploymentId, p.requestId(), decided);
        try {
            publisher.publishAll(List.of(event), PUBLISH_TIMEOUT);
        } catch (EventPublisher.PublishException e) {
            return Response.status(Response.Status.SERVICE_UNAVAILABLE)
                    .type(MediaType.APPLICATION_JSON)
                    .entity(new Views.ApiError(e.getMessage(), "try again once Kafka is reachable"))
                    .build();
        }
        LOG.infof(
                "approval: %s %sd the %s stage of deployment %s (host %s)",
                caller, body.decision(), p.stage(), deploymentId, p.host());
        return Response.accepted(new DecisionView(deploymentId, body.decision(), event.id(), p.requestId()))
                .build();
    }
}
