package dev.handoff.common.messaging;

import static dev.handoff.common.messaging.KafkaAccess.Operation.READ;
import static dev.handoff.common.messaging.KafkaAccess.Operation.WRITE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.handoff.common.event.Stage;
import dev.handoff.common.event.Topics;
import org.junit.jupiter.api.Test;

/** The role of each service's Kafka identity: what the broker lets it read and write. */
class KafkaAccessTest {

    @Test
    void onlyControlServiceWritesCommitsReplaysAndDecisions() {
        for (String service : KafkaAccess.services()) {
            boolean control = service.equals(KafkaAccess.CONTROL);
            assertThat(KafkaAccess.allows(service, WRITE, Topics.COMMITS))
                    .as(service)
                    .isEqualTo(control);
            assertThat(KafkaAccess.allows(service, WRITE, Topics.REPLAYS))
                    .as(service)
                    .isEqualTo(control);
            for (Stage stage : Stage.values()) {
                assertThat(KafkaAccess.allows(service, WRITE, Topics.replay(stage)))
                        .as(service + " → " + Topics.replay(stage))
                        .isEqualTo(control);
            }
        }
        // infra requests approvals and is their only reader; no other stage may write there
        assertThat(KafkaAccess.allows("infra-service", WRITE, Topics.APPROVALS)).isTrue();
        assertThat(KafkaAccess.allows("secrets-service", WRITE, Topics.APPROVALS))
                .isFalse();
        assertThat(KafkaAccess.allows("converge-service", WRITE, Topics.APPROVALS))
                .isFalse();
    }

    @Test
    void eachStageWritesOnlyItsOwnTopicAndTheDeadLettersOfItsInputs() {
        for (Stage stage : Stage.values()) {
            String service = KafkaAccess.principal(stage);
            for (Stage other : Stage.values()) {
                assertThat(KafkaAccess.allows(service, WRITE, other.outputTopic()))
                        .as(service + " → " + other.outputTopic())
                        .isEqualTo(other == stage);
            }
        }
        assertThat(KafkaAccess.allows("converge-service", WRITE, Topics.deadLetter(Topics.SECRET_FACTS)))
                .isTrue();
        assertThat(KafkaAccess.allows("converge-service", WRITE, Topics.deadLetter(Topics.WORKLOAD)))
                .isFalse();
    }

    @Test
    void aStageReadsOnlyItsInputsAndControlReadsEverything() {
        assertThat(KafkaAccess.allows("workload-service", READ, Topics.CONVERGENCE))
                .isTrue();
        assertThat(KafkaAccess.allows("workload-service", READ, Topics.COMMITS)).isFalse();
        assertThat(KafkaAccess.allows("backup-service", READ, Topics.SECRET_FACTS))
                .isFalse();
        assertThat(KafkaAccess.allows("infra-service", READ, Topics.APPROVALS)).isTrue();
        // converge-service's facts consumer keeps each host's newest cloud facts too
        assertThat(KafkaAccess.allows("converge-service", READ, Topics.CLOUD_FACTS))
                .isTrue();
        assertThat(KafkaAccess.allows("converge-service", WRITE, Topics.CLOUD_FACTS))
                .isFalse();
        for (String topic : Topics.all()) {
            assertThat(KafkaAccess.allows(KafkaAccess.CONTROL, READ, topic))
                    .as(topic)
                    .isTrue();
        }
        // the SSH stages read the one host key pin store; only converge adds first-bootstrap pins to it
        assertThat(KafkaAccess.allows("backup-service", READ, Topics.HOST_KEYS)).isTrue();
        assertThat(KafkaAccess.allows("backup-service", WRITE, Topics.HOST_KEYS))
                .isFalse();
        assertThat(KafkaAccess.allows("converge-service", WRITE, Topics.HOST_KEYS))
                .isTrue();
    }

    @Test
    void anUnknownNameHasNoGrants() {
        assertThat(KafkaAccess.grants("nobody")).isEmpty();
        assertThat(KafkaAccess.allows("nobody", READ, Topics.COMMITS)).isFalse();
    }

    @Test
    void aJaasLineCannotBeBrokenOutOfByAUserNameOrPassword() {
        assertThat(KafkaAccess.jaasConfig("control-service", "a".repeat(64)))
                .isEqualTo("org.apache.kafka.common.security.scram.ScramLoginModule required"
                        + " username=\"control-service\" password=\"" + "a".repeat(64) + "\";");
        assertThatThrownBy(() -> KafkaAccess.jaasConfig("x\" username=\"admin", "a".repeat(64)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> KafkaAccess.jaasConfig("control-service", "short"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("openssl rand -hex 32")
                .hasMessageNotContaining("short");
        assertThatThrownBy(() -> KafkaAccess.jaasConfig("control-service", "a".repeat(40) + "\";x"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
