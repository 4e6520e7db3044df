package dev.handoff.control.ui;

import dev.handoff.common.event.EventType;
import dev.handoff.common.event.Stage;
import dev.handoff.common.event.StageInputs;
import dev.handoff.control.api.Views.DeploymentView;
import dev.handoff.control.api.Views.EventView;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Which stages of a deployment the page offers to replay, with no I/O: a stage can be run again from the record that
 * made it run in this deployment, when that record sits on one of the stage's input topics (a pushed commit of a
 * repository the stage owns, or the earlier stage's facts). The form names that record; the server finds it again in
 * the deployment, so a form cannot make the page replay any other record.
 */
public final class ReplayForms {
    private ReplayForms() {}

    /**
     * The replay offered for one stage.
     *
     * @param stage the stage to run again
     * @param eventId the trigger's event id, which the form carries
     * @param type the trigger's CloudEvents type
     * @param topic where it was read from
     * @param partition its partition
     * @param offset its offset
     * @param time when it happened, for people
     * @param csrf the session's form token
     * @param attempt a fresh idempotency key: sending the same form twice makes one replay, not two
     */
    public record Form(
            String stage,
            String eventId,
            String type,
            String topic,
            int partition,
            long offset,
            String time,
            String csrf,
            String attempt) {}

    /** The replay forms of a deployment by stage id, in chain order; stages without a trigger in it have none. */
    public static Map<String, Form> of(DeploymentView d, String csrf, String attempt) {
        Map<String, Form> forms = new LinkedHashMap<>();
        for (Stage stage : Stage.values()) {
            trigger(d, stage)
                    .ifPresent(e -> forms.put(
                            stage.id(),
                            new Form(
                                    stage.id(),
                                    e.id(),
                                    e.type(),
                                    e.topic(),
                                    e.partition(),
                                    e.offset(),
                                    Timeline.time(e.time()),
                                    csrf,
                                    attempt)));
        }
        return forms;
    }

    /** The newest record of the deployment that made {@code stage} run and that a replay of it may be taken from. */
    public static Optional<EventView> trigger(DeploymentView d, Stage stage) {
        if (d.events() == null) {
            return Optional.empty();
        }
        EventView newest = null;
        for (EventView e : d.events()) {
            if (isTrigger(e, stage)) {
                newest = e;
            }
        }
        return Optional.ofNullable(newest);
    }

    /** Whether {@code e} is a trigger of {@code stage} read from one of its input topics. */
    static boolean isTrigger(EventView e, Stage stage) {
        Optional<EventType> type = EventType.byType(e.type());
        if (type.isEmpty() || !StageInputs.triggers(type.get()) || !StageInputs.isInput(stage, e.topic())) {
            return false;
        }
        // a pushed commit names the stage that owns its repository; it makes only that stage run
        return type.get() != EventType.COMMIT_PUSHED
                || stage.id().equals(e.data().path("stage").asText());
    }
}
