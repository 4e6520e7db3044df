package dev.handoff.common.event;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class StageInputsTest {

    @Test
    void eachStageReadsTheTopicsOfTheArchitecture() {
        // Given / When / Then
        assertThat(StageInputs.of(Stage.INFRA)).containsExactly("handoff.commits");
        assertThat(StageInputs.of(Stage.SECRETS)).containsExactly("handoff.cloud-facts", "handoff.commits");
        assertThat(StageInputs.of(Stage.CONVERGE)).containsExactly("handoff.secret-facts", "handoff.commits");
        assertThat(StageInputs.of(Stage.WORKLOAD)).containsExactly("handoff.convergence");
        assertThat(StageInputs.of(Stage.BACKUP)).containsExactly("handoff.workload");
    }

    @Test
    void aStageSubscribesToItsInputsAndItsReplayChannelAndEveryOneIsATopicHandoffCreates() {
        for (Stage stage : Stage.values()) {
            // When
            List<String> subscribed = StageInputs.subscribedBy(stage);

            // Then
            assertThat(subscribed).endsWith("handoff.replay." + stage.id());
            assertThat(Topics.all()).containsAll(subscribed);
            assertThat(StageInputs.ofReplayChannel(Topics.replay(stage))).contains(stage);
        }
        assertThat(StageInputs.ofReplayChannel("handoff.commits")).isEmpty();
    }

    @Test
    void aStageNeverReadsItsOwnOutputOrALaterStagesOutput() {
        for (Stage stage : Stage.values()) {
            for (Stage later : Arrays.copyOfRange(Stage.values(), stage.ordinal(), Stage.values().length)) {
                assertThat(StageInputs.isInput(stage, later.outputTopic()))
                        .as("%s reads %s", stage, later.outputTopic())
                        .isFalse();
            }
        }
    }

    @Test
    void onlyCommitsAndFactsTriggerAStage() {
        // Given / When / Then
        assertThat(StageInputs.triggers(EventType.COMMIT_PUSHED)).isTrue();
        // a push that would roll a host back is recorded, never run, and a replay never re-publishes it
        assertThat(StageInputs.triggers(EventType.COMMIT_STALE)).isFalse();
        assertThat(StageInputs.triggers(EventType.SECRET_FACTS_COMPLETED)).isTrue();
        assertThat(StageInputs.triggers(EventType.SECRET_FACTS_STARTED)).isFalse();
        assertThat(StageInputs.triggers(EventType.CONVERGENCE_FAILED)).isFalse();
        assertThat(StageInputs.triggers(EventType.REPLAY_REQUESTED)).isFalse();
    }
}
