package dev.handoff.common.stage;

import dev.handoff.common.event.EventEnvelope;
import dev.handoff.common.event.EventType;
import dev.handoff.common.event.Stage;
import dev.handoff.common.event.v1.StageFailed;
import dev.handoff.common.event.v1.StageStarted;
import dev.handoff.common.serde.EventCodec;
import java.util.List;
import java.util.UUID;

/**
 * Builds a stage's {@code started} / {@code completed} / {@code failed} events so that every stage links them the
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

    private EventEnvelope event(EventEnvelope trigger, EventType type, String host, Record payload) {
        String deployment = trigger != null && trigger.deploymentId() != null
                ? trigger.deploymentId()
                : UUID.randomUUID().toString();
        return codec.newEvent(type, source, host, deployment, trigger == null ? null : trigger.id(), payload);
    }
}
