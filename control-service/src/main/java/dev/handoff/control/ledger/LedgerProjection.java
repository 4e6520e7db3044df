package dev.handoff.control.ledger;

import com.fasterxml.jackson.databind.JsonNode;
import dev.handoff.common.event.EventEnvelope;
import dev.handoff.common.event.EventType;
import dev.handoff.common.messaging.ReceivedEvent;
import java.time.OffsetDateTime;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Folds a batch of events into deployment and stage rows, with no I/O. The fold is idempotent and order-tolerant:
 * times only widen (earliest start, latest update) and a status is replaced only by one from a later event, so
 * redelivered or interleaved events give the same projection.
 */
public final class LedgerProjection {

    /** A deployment's status. */
    public enum Status {
        RUNNING,
        SUCCEEDED,
        FAILED,
        /** A re-sent or late push that would have rolled the host back: nothing ran ({@code commit.stale}). */
        STALE,
        /**
         * A stage did not run it because a newer trigger of the same kind for the same host waited too and ran instead
         * ({@code <stage>.superseded}): newest commit wins.
         */
        SUPERSEDED;

        public String id() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** The fold of one deployment's events in a batch. */
    public static final class DeploymentRow {
        final String id;
        String host;
        String repository;
        String commit;
        String firstStage;
        /** Whether {@link #repository} and {@link #commit} are the pushed commit's (a commit.pushed in the batch). */
        boolean fromPush;

        Status status;
        String result;
        OffsetDateTime startedAt;
        OffsetDateTime updatedAt;
        OffsetDateTime finishedAt;
        OffsetDateTime statusTime;

        DeploymentRow(String id) {
            this.id = id;
        }
    }

    /** The fold of one stage of one deployment in a batch. */
    public static final class StageRow {
        final String deploymentId;
        final String stage;
        String status;
        OffsetDateTime startedAt;
        OffsetDateTime finishedAt;
        OffsetDateTime statusTime;
        String reason;

        StageRow(String deploymentId, String stage) {
            this.deploymentId = deploymentId;
            this.stage = stage;
        }
    }

    private final Map<String, DeploymentRow> deployments = new LinkedHashMap<>();
    private final Map<String, StageRow> stages = new LinkedHashMap<>();

    /** Folds a batch. */
    public static LedgerProjection of(Collection<ReceivedEvent> batch) {
        LedgerProjection p = new LedgerProjection();
        for (ReceivedEvent r : batch) {
            p.add(r.event());
        }
        return p;
    }

    public Collection<DeploymentRow> deployments() {
        return deployments.values();
    }

    public Collection<StageRow> stages() {
        return stages.values();
    }

    private void add(EventEnvelope e) {
        if (e.deploymentId() == null || e.type().equals(EventType.CONVERGENCE_DRIFTED.type())) {
            // a drift is a finding about what a deployment left on the host, recorded in the event history (the
            // deployment's timeline, the host's drift) without changing any deployment's or stage's status
            return;
        }
        Optional<StageEvent> stageEvent = StageEvent.of(e);
        if (stageEvent.isEmpty()) {
            return;
        }
        StageEvent se = stageEvent.get();
        DeploymentRow d = deployments.computeIfAbsent(e.deploymentId(), DeploymentRow::new);
        d.host = e.subject();
        JsonNode data = e.data();
        String commit = data.hasNonNull("after")
                ? data.get("after").asText()
                : data.hasNonNull("commit") ? data.get("commit").asText() : null;
        // The pushed commit names the deployment's repository and commit, whatever arrived first: a later stage's
        // event names its own (secrets-service's secret facts name the secrets repository and its head), and a batch
        // may hold it before the push (a ledger catching up reads the topics in any order). Otherwise the first one
        // seen, as the upsert keeps it.
        boolean pushed = e.type().equals(EventType.COMMIT_PUSHED.type());
        if (pushed) {
            d.repository =
                    data.hasNonNull("repository") ? data.get("repository").asText() : d.repository;
            d.commit = commit != null ? commit : d.commit;
            d.fromPush = true;
        } else if (!d.fromPush) {
            if (d.repository == null && data.hasNonNull("repository")) {
                d.repository = data.get("repository").asText();
            }
            if (d.commit == null && commit != null) {
                d.commit = commit;
            }
        }
        if (pushed && data.hasNonNull("stage")) {
            d.firstStage = data.get("stage").asText();
        }
        d.startedAt = min(d.startedAt, e.time());
        d.updatedAt = max(d.updatedAt, e.time());
        if (d.statusTime == null || !e.time().isBefore(d.statusTime)) {
            d.statusTime = e.time();
            d.status = se.deploymentStatus();
            d.result = se.result(data);
            d.finishedAt = d.status == Status.RUNNING ? null : e.time();
        }

        StageRow s = stages.computeIfAbsent(
                e.deploymentId() + "\n" + se.stage(), k -> new StageRow(e.deploymentId(), se.stage()));
        if (se.verb().equals("started") || se.verb().equals("pushed")) {
            s.startedAt = min(s.startedAt, e.time());
        }
        if (s.statusTime == null || !e.time().isBefore(s.statusTime)) {
            s.statusTime = e.time();
            s.status = se.verb();
            s.reason = se.verb().equals("failed")
                            || se.verb().equals("stale")
                            || se.verb().equals("superseded")
                            || se.verb().equals("waiting")
                    ? se.result(data)
                    : null;
            s.finishedAt = se.verb().equals("completed")
                            || se.verb().equals("failed")
                            || se.verb().equals("superseded")
                    ? e.time()
                    : null;
        }
    }

    private static OffsetDateTime min(OffsetDateTime a, OffsetDateTime b) {
        return a == null || b.isBefore(a) ? b : a;
    }

    private static OffsetDateTime max(OffsetDateTime a, OffsetDateTime b) {
        return a == null || b.isAfter(a) ? b : a;
    }

    /**
     * What an event says about a stage.
     *
     * @param stage {@code commit}, {@code infra}, {@code secrets}, {@code converge}, {@code workload}, {@code backup}
     * @param verb {@code pushed}, {@code stale}, {@code started}, {@code completed}, {@code failed}, {@code superseded},
     *     {@code waiting}; for approvals the stage's
     *     status {@code waiting-approval}, {@code approved} or {@code rejected}
     */
    record StageEvent(String stage, String verb) {
        static Optional<StageEvent> of(EventEnvelope e) {
            String t = e.type();
            if (t.equals(EventType.COMMIT_PUSHED.type())) {
                return Optional.of(new StageEvent("commit", "pushed"));
            }
            if (t.equals(EventType.COMMIT_STALE.type())) {
                return Optional.of(new StageEvent("commit", "stale"));
            }
            if (t.equals(EventType.APPROVAL_REQUESTED.type())) {
                return Optional.of(new StageEvent(e.data().path("stage").asText(), "waiting-approval"));
            }
            if (t.equals(EventType.APPROVAL_DECIDED.type())) {
                String decision = e.data().path("decision").asText();
                return Optional.of(new StageEvent(
                        e.data().path("stage").asText(), decision.equals("approve") ? "approved" : "rejected"));
            }
            int dot = t.lastIndexOf('.');
            if (!t.startsWith("handoff.") || dot < 0) {
                return Optional.empty();
            }
            String subject = t.substring("handoff.".length(), dot);
            String verb = t.substring(dot + 1);
            String stage = switch (subject) {
                case "cloud-facts" -> "infra";
                case "secret-facts" -> "secrets";
                case "convergence" -> "converge";
                case "workload" -> "workload";
                case "backup" -> "backup";
                default -> null;
            };
            return stage == null ? Optional.empty() : Optional.of(new StageEvent(stage, verb));
        }

        Status deploymentStatus() {
            if (verb.equals("failed")) {
                return Status.FAILED;
            }
            if (verb.equals("stale")) {
                return Status.STALE;
            }
            if (verb.equals("superseded")) {
                return Status.SUPERSEDED;
            }
            if (stage.equals("backup") && verb.equals("completed")) {
                return Status.SUCCEEDED;
            }
            return Status.RUNNING;
        }

        String result(JsonNode data) {
            if (verb.equals("failed")) {
                String reason = data.path("reason").asText("failed");
                String message = data.path("message").asText("");
                return stage + ": " + reason + (message.isEmpty() ? "" : " — " + message);
            }
            if (stage.equals("backup") && verb.equals("completed")) {
                return "backup verified";
            }
            if (verb.equals("stale")) {
                return "stale: " + data.path("message").asText("not deployed: it would roll the host back");
            }
            if (verb.equals("superseded")) {
                return stage + ": superseded — " + data.path("message").asText("a newer trigger ran instead");
            }
            if (verb.equals("waiting")) {
                return stage + ": waiting — " + data.path("message").asText("waiting for a prerequisite");
            }
            return null;
        }
    }
}
