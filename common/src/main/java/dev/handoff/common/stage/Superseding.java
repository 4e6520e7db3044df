package dev.handoff.common.stage;

import com.fasterxml.jackson.databind.JsonNode;
import dev.handoff.common.event.EventEnvelope;
import dev.handoff.common.event.EventType;
import dev.handoff.common.event.Stage;
import dev.handoff.common.event.StageInputs;
import dev.handoff.common.event.Topics;
import dev.handoff.common.messaging.ReceivedEvent;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Newest commit wins: of the triggers that waited together for one host, a stage runs only the newest of each kind
 * and records the older ones as superseded, without running them.
 *
 * <p>Two triggers are of the same kind when they have the same type and name the same repository (two pushes of the
 * runtime repository; two {@code convergence.completed} of one host). Only triggers the stage acts on compete: a
 * {@code commit.pushed} whose repository starts this stage, or an earlier stage's {@code completed} facts. Records
 * the stage ignores (other stages' pushes, started and failed events) pass through untouched, and an operator's replay
 * (read from the stage's replay channel) always runs what it names.
 */
public final class Superseding {
    private Superseding() {}

    /** What to do with the events that waited for one host. */
    public record Plan(List<ReceivedEvent> run, List<Superseded> superseded) {}

    /** A trigger that does not run, and the newer one that runs instead. */
    public record Superseded(EventEnvelope older, EventEnvelope newer) {}

    /** Splits {@code waiting} (oldest first, as read) into what runs, in order, and what is superseded. */
    public static Plan plan(Stage stage, List<ReceivedEvent> waiting) {
        Map<String, ReceivedEvent> newest = new HashMap<>();
        for (ReceivedEvent r : waiting) {
            kind(stage, r).ifPresent(kind -> newest.put(kind, r));
        }
        List<ReceivedEvent> run = new ArrayList<>(waiting.size());
        List<Superseded> superseded = new ArrayList<>();
        for (ReceivedEvent r : waiting) {
            var kind = kind(stage, r);
            ReceivedEvent winner = kind.map(newest::get).orElse(r);
            if (winner == r) {
                run.add(r);
            } else {
                superseded.add(new Superseded(r.event(), winner.event()));
            }
        }
        return new Plan(List.copyOf(run), List.copyOf(superseded));
    }

    /** The kind a trigger competes in, or empty when it does not compete (replays, records the stage ignores). */
    private static java.util.Optional<String> kind(Stage stage, ReceivedEvent r) {
        if (Topics.replay(stage).equals(r.topic())) {
            return java.util.Optional.empty();
        }
        EventEnvelope e = r.event();
        EventType type = EventType.byType(e.type()).orElse(null);
        if (type == null || !StageInputs.triggers(type) || !StageInputs.isInput(stage, r.topic())) {
            return java.util.Optional.empty();
        }
        JsonNode data = e.data();
        if (type == EventType.COMMIT_PUSHED
                && !stage.id().equals(data.path("stage").asText())) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(e.type() + "\n" + data.path("repository").asText(""));
    }
}
