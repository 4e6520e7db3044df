package dev.handoff.common.event;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class TopicsTest {

    @Test
    void allContainsEveryChainTopicEveryReplayChannelAndEachOnesDeadLetterTopic() {
        // Given
        List<String> chain = List.of(
                "handoff.commits",
                "handoff.cloud-facts",
                "handoff.secret-facts",
                "handoff.convergence",
                "handoff.workload",
                "handoff.backup",
                "handoff.replays",
                "handoff.approvals",
                "handoff.host-keys");
        List<String> replays = List.of(
                "handoff.replay.infra",
                "handoff.replay.secrets",
                "handoff.replay.converge",
                "handoff.replay.workload",
                "handoff.replay.backup");

        // When
        List<String> all = Topics.all();

        // Then
        assertThat(all).containsAll(chain).containsAll(replays);
        for (String topic : chain) {
            assertThat(all).contains(topic + ".dlq");
        }
        for (String topic : replays) {
            assertThat(all).contains(topic + ".dlq");
        }
        assertThat(all).doesNotHaveDuplicates().hasSize(2 * (chain.size() + replays.size()));
        assertThat(all).noneMatch(t -> t.endsWith(".dlq.dlq"));
    }

    @Test
    void everyEventTypesTopicAndEveryStagesOutputTopicIsCreated() {
        // Given
        List<String> all = Topics.all();

        // When
        List<String> used =
                Arrays.stream(EventType.values()).map(EventType::topic).toList();
        List<String> outputs =
                Arrays.stream(Stage.values()).map(Stage::outputTopic).toList();

        // Then
        assertThat(all).containsAll(used).containsAll(outputs);
        assertThat(Topics.CHAIN).containsAll(used);
    }

    @Test
    void theDeadLetterTopicOfATopicIsItsNameWithDlq() {
        // Given
        String topic = Topics.SECRET_FACTS;

        // When
        String dlq = Topics.deadLetter(topic);

        // Then
        assertThat(dlq).isEqualTo("handoff.secret-facts.dlq");
    }

    @Test
    void theHostKeyPinStoreIsOneCompactedTopicOfHostKeyTrustedRecords() {
        // When
        List<String> compacted = Topics.COMPACTED;

        // Then
        assertThat(compacted).containsExactly("handoff.host-keys");
        assertThat(EventType.HOST_KEY_TRUSTED.topic()).isEqualTo("handoff.host-keys");
        assertThat(EventType.HOST_KEY_TRUSTED.type()).isEqualTo("handoff.host-key.trusted");
        assertThat(Topics.all()).contains("handoff.host-keys", "handoff.host-keys.dlq");
    }
}
