package dev.handoff.common.event;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Which topics each stage reads: the one map that stage services subscribe by and that control-service checks a
 * replay against. A stage also reads its replay channel ({@link Topics#replay(Stage)}), where control-service
 * re-publishes chosen records of these topics.
 */
public final class StageInputs {
    private StageInputs() {}

    /** The chain topics {@code stage} reads, most specific first. */
    public static List<String> of(Stage stage) {
        return switch (stage) {
            case INFRA -> List.of(Topics.COMMITS);
            case SECRETS -> List.of(Topics.CLOUD_FACTS, Topics.COMMITS);
            case CONVERGE -> List.of(Topics.SECRET_FACTS, Topics.COMMITS);
            case WORKLOAD -> List.of(Topics.CONVERGENCE);
            case BACKUP -> List.of(Topics.WORKLOAD);
        };
    }

    /** Everything a stage service subscribes to: its input topics and its replay channel. */
    public static List<String> subscribedBy(Stage stage) {
        List<String> topics = new ArrayList<>(of(stage));
        topics.add(Topics.replay(stage));
        return List.copyOf(topics);
    }

    /** Whether {@code topic} is an input of {@code stage}, i.e. a replay of the stage may be taken from it. */
    public static boolean isInput(Stage stage, String topic) {
        return of(stage).contains(topic);
    }

    /**
     * Whether an event of {@code type} read from an input topic makes a stage run: a pushed commit or an earlier
     * stage's facts ({@code …completed}). Started and failed events of earlier stages inform the ledger only, so a
     * replay re-publishes just the triggers.
     */
    public static boolean triggers(EventType type) {
        return type == EventType.COMMIT_PUSHED || type.shortName().endsWith(".completed");
    }

    /** The stage whose replay channel {@code topic} is, if it is one. */
    public static Optional<Stage> ofReplayChannel(String topic) {
        for (Stage stage : Stage.values()) {
            if (Topics.replay(stage).equals(topic)) {
                return Optional.of(stage);
            }
        }
        return Optional.empty();
    }
}
