package dev.handoff.common.stage;

import com.fasterxml.jackson.databind.JsonNode;
import dev.handoff.common.event.EventEnvelope;
import dev.handoff.common.event.EventType;
import dev.handoff.common.event.Stage;
import dev.handoff.common.event.v1.StageFailed;
import dev.handoff.common.event.v1.StageStarted;
import dev.handoff.common.event.v1.StageSuperseded;
import dev.handoff.common.serde.EventCodec;
import java.util.List;
import java.util.UUID;

/**
 * Builds a stage's {@code started} / {@code completed} / {@code failed} / {@code superseded} events so that every stage links them the
 * same way: the deployment id is carried over from the triggering event (a new one when a stage starts on its own,
 * e.g. a scheduled check), the causation id is the trigger's id, the subject is the host.
 */
public final class StageEvents {
    private final Stage stage;
    private final String source;
    private final EventCodec codec;

    /**
     * @param stage the stage whose events these are
     * @param source the producing service, e.g. {@code /handoff/infra-service}
     */
    public StageEvents(Stage stage, String source, EventCodec codec) {
        this.stage = stage;
        this.source = source;
        this.codec = codec;
    }

    /** The stage began work for {@code host} because of {@code trigger} (null for a scheduled run). */
    public EventEnvelope started(EventEnvelope trigger, String host, String repository, String commit) {
        return event(
                trigger,
                EventType.of(stage, "started"),
                host,
                new StageStarted(host, stage.id(), trigger == null ? "schedule" : trigger.type(), repository, commit));
    }

    /** The stage's facts for {@code host}; {@code facts} is the record of the stage's completed type. */
    public EventEnvelope completed(EventEnvelope trigger, String host, Record facts) {
        return event(trigger, EventType.of(stage, "completed"), host, facts);
    }

    /** The stage failed for {@code host} with every finding. */
    public EventEnvelope failed(
            EventEnvelope trigger,
            String host,
            String reason,
            String message,
            boolean retryable,
            List<StageFailed.Detail> details) {
        return event(
                trigger,
                EventType.of(stage, "failed"),
                host,
                new StageFailed(host, stage.id(), reason, message, retryable, List.copyOf(details)));
    }

    /**
     * The stage did not run {@code older} for {@code host} because {@code newer}, a trigger of the same kind, was
     * waiting too and ran instead. Recorded under {@code older}'s deployment, which ends here.
     */
    public EventEnvelope superseded(EventEnvelope older, String host, EventEnvelope newer) {
        String repository = text(older, "repository");
        String commit = commitOf(older);
        String newerCommit = commitOf(newer);
        String message =
                stage.id() + " did not run " + (commit == null ? "the trigger " + older.id() : "commit " + commit)
                        + (repository == null ? "" : " of " + repository) + " on " + host + ": a newer trigger"
                        + (newerCommit == null ? " (" + newer.id() + ")" : " (commit " + newerCommit + ")")
                        + " was waiting, and the stage ran that one instead; to run this one anyway, replay it (handoffctl"
                        + " replay)";
        return event(
                older,
                EventType.of(stage, "superseded"),
                host,
                new StageSuperseded(
                        host,
                        stage.id(),
                        older.type(),
                        repository,
                        commit,
                        newer.id(),
                        newer.deploymentId(),
                        newerCommit,
                        message));
    }

    /** The commit a trigger names: a push's {@code after}, a stage's facts' {@code commit}; null if none. */
    public static String commitOf(EventEnvelope trigger) {
        String after = text(trigger, "after");
        return after != null ? after : text(trigger, "commit");
    }

    private static String text(EventEnvelope e, String field) {
        JsonNode value = e.data() == null ? null : e.data().get(field);
        return value != null && value.isTextual() && !value.asText().isEmpty() ? value.asText() : null;
    }

    private EventEnvelope event(EventEnvelope trigger, EventType type, String host, Record payload) {
        String deployment = trigger != null && trigger.deploymentId() != null
                ? trigger.deploymentId()
                : UUID.randomUUID().toString();
        return codec.newEvent(type, source, host, deployment, trigger == null ? null : trigger.id(), payload);
    }
}
