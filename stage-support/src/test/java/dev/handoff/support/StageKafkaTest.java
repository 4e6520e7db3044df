package dev.handoff.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.handoff.common.event.EventType;
import dev.handoff.common.event.v1.StageStarted;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** A stage service's events name their schema where {@code HANDOFF_SCHEMA_BASE_URL} says it is served. */
class StageKafkaTest {
    private static final StageStarted STARTED = new StageStarted(
            "cloud-edge-1", "converge", "handoff.secret-facts.completed", "ops/nix-k3s-edge-cluster", "a".repeat(40));

    @Test
    void withABaseUrlEveryEventsDataschemaIsTheServedCopy() {
        // Given
        StageKafka kafka =
                new StageKafka("localhost:9092", "converge-service", Optional.of("http://localhost:8080/schemas/"));

        // When
        var event = kafka.codec()
                .newEvent(EventType.CONVERGENCE_STARTED, kafka.source(), "cloud-edge-1", null, null, STARTED);

        // Then
        assertThat(event.dataSchema()).isEqualTo("http://localhost:8080/schemas/convergence.started/v1.json");
    }

    @Test
    void withoutOneItIsTheSchemasIdAndABadOneNamesTheVariable() {
        assertThat(new StageKafka("localhost:9092", "converge-service", Optional.empty())
                        .codec()
                        .newEvent(EventType.CONVERGENCE_STARTED, "/handoff/x", "cloud-edge-1", null, null, STARTED)
                        .dataSchema())
                .isEqualTo("https://handoff.dev/schemas/convergence.started/v1");
        assertThatThrownBy(() ->
                        new StageKafka("localhost:9092", "converge-service", Optional.of("localhost:8080")).codec())
                .hasMessageContaining("HANDOFF_SCHEMA_BASE_URL");
    }
}
