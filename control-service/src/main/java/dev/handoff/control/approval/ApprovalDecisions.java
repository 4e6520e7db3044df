package dev.handoff.control.approval;

import dev.handoff.common.event.EventEnvelope;
import dev.handoff.common.event.EventType;
import dev.handoff.common.event.v1.ApprovalDecided;
import dev.handoff.common.messaging.EventPublisher;
import dev.handoff.common.serde.EventCodec;
import dev.handoff.common.serde.InvalidEventException;
import dev.handoff.control.kafka.KafkaClients;
import dev.handoff.control.ledger.ApprovalQueries;
import dev.handoff.control.ledger.ApprovalQueries.PendingRequest;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * An operator's decision on a held destructive plan, from the API or the page: checked against the deployment's newest
 * approval request, then published as {@code approval.decided} for infra-service. One path for both, so the page and
 * the API refuse the same things the same way.
 */
@ApplicationScoped
public class ApprovalDecisions {
    private static final Logger LOG = Logger.getLogger(ApprovalDecisions.class);
    private static final Duration PUBLISH_TIMEOUT = Duration.ofSeconds(15);
    /** Longest comment kept with a decision. */
    public static final int MAX_COMMENT = 2000;

    /** What became of a decision. */
    public sealed interface Outcome {}

    /** Published: infra-service applies or drops the plan. */
    public record Decided(String eventId, String requestId) implements Outcome {}

    /** The request itself is wrong (400). */
    public record Invalid(String error, String fix) implements Outcome {}

    /** The deployment asked for no approval (404). */
    public record NoRequest(String error, String fix) implements Outcome {}

    /** The stage is no longer waiting (409). */
    public record NotWaiting(String error, String fix) implements Outcome {}

    /** Kafka did not take the decision (503). */
    public record Unavailable(String error, String fix) implements Outcome {}

    private final ApprovalQueries approvals;
    private final EventPublisher publisher;
    private final EventCodec codec;

    public ApprovalDecisions(ApprovalQueries approvals, EventPublisher publisher, EventCodec codec) {
        this.approvals = approvals;
        this.publisher = publisher;
        this.codec = codec;
    }

    /**
     * Decides.
     *
     * @param decision {@code approve} or {@code reject}
     * @param comment optional
     * @param caller who decides (the token's name)
     */
    public Outcome decide(String deploymentId, String decision, String comment, String caller)
            throws SQLException, InvalidEventException {
        if (decision == null || !List.of("approve", "reject").contains(decision)) {
            return new Invalid(
                    "decision must be \"approve\" or \"reject\"",
                    "send {\"decision\": \"approve\"} or {\"decision\": \"reject\", \"comment\": \"why\"}");
        }
        if (comment != null && comment.length() > MAX_COMMENT) {
            return new Invalid("the comment has " + comment.length() + " characters", "keep it to " + MAX_COMMENT);
        }
        Optional<PendingRequest> pending = approvals.newestRequest(deploymentId);
        if (pending.isEmpty()) {
            return new NoRequest(
                    "deployment " + deploymentId + " has not asked for an approval",
                    "find deployments whose stage is waiting-approval with GET /api/deployments");
        }
        PendingRequest p = pending.get();
        if (!p.waiting()) {
            return new NotWaiting(
                    "the " + p.stage() + " stage of deployment " + deploymentId + " is no longer waiting for"
                            + " approval (status " + p.stageStatus() + ")",
                    "nothing to decide; push again to plan anew");
        }
        String kept = comment == null || comment.isBlank() ? null : comment;
        ApprovalDecided decided =
                new ApprovalDecided(p.host(), p.stage(), decision, kept, caller, Instant.now(), p.requestId());
        EventEnvelope event = codec.newEvent(
                EventType.APPROVAL_DECIDED, KafkaClients.SOURCE, p.host(), deploymentId, p.requestId(), decided);
        try {
            publisher.publishAll(List.of(event), PUBLISH_TIMEOUT);
        } catch (EventPublisher.PublishException e) {
            return new Unavailable(e.getMessage(), "try again once Kafka is reachable");
        }
        LOG.infof(
                "approval: %s %sd the %s stage of deployment %s (host %s)",
                caller, decision, p.stage(), deploymentId, p.host());
        return new Decided(event.id(), p.requestId());
    }

    /** Whether the deployment's newest approval request still waits for a decision, and of which stage. */
    public Optional<PendingRequest> waiting(String deploymentId) throws SQLException {
        return approvals.newestRequest(deploymentId).filter(PendingRequest::waiting);
    }
}
