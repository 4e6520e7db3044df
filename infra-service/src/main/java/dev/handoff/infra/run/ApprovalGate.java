package dev.handoff.infra.run;

import dev.handoff.common.event.EventEnvelope;
import dev.handoff.common.event.EventType;
import dev.handoff.common.event.v1.ApprovalDecided;
import dev.handoff.common.event.v1.ApprovalRequested;
import dev.handoff.common.event.v1.CloudFacts.PlanSummary;
import dev.handoff.common.event.v1.CloudFacts.StateChanges;
import dev.handoff.common.event.v1.CommitPushed;
import dev.handoff.common.event.v1.StageFailed;
import dev.handoff.common.messaging.EventPublisher;
import dev.handoff.common.serde.EventCodec;
import dev.handoff.infra.config.InfraConfig;
import dev.handoff.infra.messaging.InfraKafka;
import dev.handoff.infra.stage.PlanReport;
import dev.handoff.infra.stage.ResourceChange;
import dev.handoff.infra.stage.StageFailure;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jboss.logging.Logger;

/**
 * Holds a destructive plan until an operator decides: publishes {@code approval.requested} and waits for the
 * matching {@code approval.decided} (same deployment, same request id) up to {@code handoff.infra.approval.timeout}.
 */
@ApplicationScoped
public class ApprovalGate {
    private static final Logger LOG = Logger.getLogger(ApprovalGate.class);

    private final EventCodec codec;
    private final EventPublisher publisher;
    private final Duration timeout;
    private final ConcurrentMap<String, Waiting> waiting = new ConcurrentHashMap<>();

    private record Waiting(String requestId, CompletableFuture<ApprovalDecided> decision) {}

    public ApprovalGate(EventCodec codec, EventPublisher publisher, InfraConfig config) {
        this.codec = codec;
        this.publisher = publisher;
        this.timeout = config.infra().approval().timeout();
    }

    /** How many runs wait for a decision now. */
    public int pending() {
        return waiting.size();
    }

    /**
     * Asks for approval of the held plans and waits. The request lists their destructive changes and, beside them
     * ({@code otherChanges}), their moves, imports and forgets.
     *
     * @throws StageFailure {@code approval-rejected} or {@code approval-timeout}
     */
    public void await(EventEnvelope trigger, String host, CommitPushed push, Collection<PlanReport> plans)
            throws StageFailure, InterruptedException, EventPublisher.PublishException,
                    dev.handoff.common.serde.InvalidEventException {
        await(
                trigger,
                host,
                push,
                PlanReport.summary(plans),
                plans.stream().flatMap(p -> p.destructiveChanges().stream()).toList(),
                plans.stream().flatMap(p -> p.stateChanges().stream()).toList());
    }

    /**
     * Asks for approval and waits; the request lists the destructive changes only.
     *
     * @throws StageFailure {@code approval-rejected} or {@code approval-timeout}
     */
    public void await(
            EventEnvelope trigger, String host, CommitPushed push, PlanSummary plan, List<ResourceChange> destructive)
            throws StageFailure, InterruptedException, EventPublisher.PublishException,
                    dev.handoff.common.serde.InvalidEventException {
        await(trigger, host, push, plan, destructive, null);
    }

    private void await(
            EventEnvelope trigger,
            String host,
            CommitPushed push,
            PlanSummary plan,
            List<ResourceChange> destructive,
            List<ResourceChange> otherChanges)
            throws StageFailure, InterruptedException, EventPublisher.PublishException,
                    dev.handoff.common.serde.InvalidEventException {
        Instant now = Instant.now();
        ApprovalRequested request = new ApprovalRequested(
                host,
                "infra",
                push.repository(),
                push.after(),
                plan,
                destructive.stream().map(ApprovalGate::change).toList(),
                now,
                now.plus(timeout),
                otherChanges == null
                        ? null
                        : otherChanges.stream().map(ApprovalGate::change).toList());
        EventEnvelope event = codec.newEvent(
                EventType.APPROVAL_REQUESTED, InfraKafka.SOURCE, host, trigger.deploymentId(), trigger.id(), request);
        Waiting w = new Waiting(event.id(), new CompletableFuture<>());
        waiting.put(trigger.deploymentId(), w);
        try {
            publisher.publishAll(List.of(event), Duration.ofSeconds(30));
            LOG.infof(
                    "deployment %s of %s waits for approval: the plan of %s@%s destroys %d resource(s)%s; answer"
                            + " with POST /api/approvals/%s on control-service (times out at %s)",
                    trigger.deploymentId(),
                    host,
                    push.repository(),
                    shortCommit(push.after()),
                    plan.destroy(),
                    alsoInPlan(plan),
                    trigger.deploymentId(),
                    request.expiresAt());
            ApprovalDecided decided = w.decision().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!decided.decision().equals("approve")) {
                throw new StageFailure(
                        "approval-rejected",
                        decided.decidedBy() + " rejected the destructive plan of " + push.repository() + "@"
                                + shortCommit(push.after())
                                + (decided.comment() == null ? "" : ": " + decided.comment())
                                + "; nothing was applied. Revert or change the commit and push again.",
                        false,
                        List.of(new StageFailed.Detail(
                                "rejected",
                                decided.decidedBy(),
                                decided.comment() == null ? "rejected" : decided.comment())));
            }
            LOG.infof("deployment %s: %s approved the destructive plan", trigger.deploymentId(), decided.decidedBy());
        } catch (TimeoutException e) {
            throw new StageFailure(
                    "approval-timeout",
                    "no operator approved or rejected the destructive plan of " + push.repository() + "@"
                            + shortCommit(push.after()) + " within " + human(timeout)
                            + " (handoff.infra.approval.timeout); nothing was applied."
                            + " Push again and answer with POST /api/approvals/" + trigger.deploymentId(),
                    true,
                    List.of(new StageFailed.Detail("timeout", "approval", "no decision by " + request.expiresAt())));
        } catch (ExecutionException e) {
            throw new IllegalStateException("approval wait failed", e.getCause());
        } finally {
            waiting.remove(trigger.deploymentId(), w);
        }
    }

    /** The CloudEvents source of operators' decisions. */
    static final String CONTROL_SOURCE = "/handoff/control-service";

    /** An {@code approval.decided} arrived; it completes the matching wait, if any. */
    public void decided(EventEnvelope event) {
        ApprovalDecided decided = codec.payload(event, ApprovalDecided.class);
        Waiting w = event.deploymentId() == null ? null : waiting.get(event.deploymentId());
        if (!"infra".equals(decided.stage())) {
            return;
        }
        if (!CONTROL_SOURCE.equals(event.source())) {
            // only control-service (and this service) may write approvals on the broker; its decisions carry its
            // source, and nothing else is taken as an operator's decision
            LOG.warnf(
                    "approval decision %s of deployment %s comes from %s, not control-service; ignored",
                    event.id(), event.deploymentId(), event.source());
            return;
        }
        if (w == null || !w.requestId().equals(decided.requestId())) {
            // e.g. answered while the service was down: the re-run of the trigger asks again with a new request
            LOG.infof(
                    "approval decision %s (%s) of deployment %s answers request %s, which no run waits for now;"
                            + " ignored. If the deployment asks again, answer its newest request.",
                    event.id(), decided.decision(), event.deploymentId(), decided.requestId());
            return;
        }
        w.decision().complete(decided);
    }

    /** Whether a deployment waits for a decision now. */
    public boolean isWaiting(String deploymentId) {
        return waiting.containsKey(deploymentId);
    }

    private static ApprovalRequested.Change change(ResourceChange c) {
        return new ApprovalRequested.Change(
                c.stack(),
                c.address(),
                c.actions(),
                c.previousAddress(),
                c.importing() ? Boolean.TRUE : null,
                c.importId());
    }

    /** E.g. {@code " and also moves 1, imports 2, forgets 1 (…)"}; empty when the plan does none of that. */
    private static String alsoInPlan(PlanSummary plan) {
        StateChanges state = plan.stateChanges();
        if (state == null || !state.any()) {
            return "";
        }
        List<String> also = new ArrayList<>();
        if (state.move() > 0) {
            also.add("moves " + state.move());
        }
        if (state.imports() > 0) {
            also.add("imports " + state.imports());
        }
        if (state.forget() > 0) {
            also.add("forgets " + state.forget() + " (left in the cloud, no longer managed)");
        }
        return " and also " + String.join(", ", also);
    }

    private static String human(Duration d) {
        if (d.toSeconds() < 120) {
            return d.toSeconds() + " s";
        }
        return d.toMinutes() + " min";
    }

    private static String shortCommit(String commit) {
        return commit.length() > 12 ? commit.substring(0, 12) : commit;
    }
}
