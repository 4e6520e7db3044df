package dev.handoff.common.stage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.handoff.common.event.EventEnvelope;
import dev.handoff.common.event.EventType;
import dev.handoff.common.event.Stage;
import dev.handoff.common.event.v1.StageFailed;
import dev.handoff.common.event.v1.StageStarted;
import dev.handoff.common.serde.EventCodec;
import java.util.List;
import org.junit.jupiter.api.Test;

class StageEventsTest {
    private final EventCodec codec = new EventCodec();
    private final StageEvents events = new StageEvents(Stage.SECRETS, "/handoff/secrets-service", codec);
    private final EventEnvelope trigger = codec.newEvent(
            EventType.CLOUD_FACTS_STARTED,
            "/handoff/infra-service",
            "cloud-edge-1",
            "5f0c3b8e-8d7e-4c57-9d0b-0f4f6b2f7a11",
            null,
            new StageStarted("cloud-edge-1", "infra", "handoff.commit.pushed", null, null));

    @Test
    void stageEventsContinueTheTriggersDeploymentAndNameTheirCause() throws Exception {
        // When
        EventEnvelope started = events.started(trigger, "cloud-edge-1", "ops/infrastructure-secrets", "a".repeat(40));
        EventEnvelope failed = events.failed(
                trigger,
                "cloud-edge-1",
                "missing-recipient",
                "hosts/cloud-edge-1.yaml is not encrypted for the host",
                false,
                List.of(new StageFailed.Detail("missing-recipient", "hosts/cloud-edge-1.yaml", "add the recipient")));

        // Then
        assertThat(started.type()).isEqualTo("handoff.secret-facts.started");
        assertThat(failed.type()).isEqualTo("handoff.secret-facts.failed");
        for (EventEnvelope e : List.of(started, failed)) {
            assertThat(e.deploymentId()).isEqualTo(trigger.deploymentId());
            assertThat(e.causationId()).isEqualTo(trigger.id());
            assertThat(e.subject()).isEqualTo("cloud-edge-1");
            assertThat(e.source()).isEqualTo("/handoff/secrets-service");
            assertThat(codec.encode(e).topic()).as("valid against the contract").isEqualTo("handoff.secret-facts");
        }
        assertThat(codec.payload(started, StageStarted.class).triggerType()).isEqualTo("handoff.cloud-facts.started");
    }

    @Test
    void aScheduledRunStartsADeploymentOfItsOwn() throws Exception {
        EventEnvelope started = events.started(null, "cloud-edge-1", null, null);
        assertThat(started.deploymentId()).isNotBlank();
        assertThat(started.causationId()).isNull();
        assertThat(codec.payload(started, StageStarted.class).triggerType()).isEqualTo("schedule");
        codec.encode(started);
    }
}
