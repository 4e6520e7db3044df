package dev.handoff.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.handoff.common.event.EventEnvelope;
import dev.handoff.common.event.Topics;
import dev.handoff.common.serde.EventCodec;
import java.util.List;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

class IngestEventsTest {
    private final EventCodec codec = new EventCodec();

    @Test
    void eachDeploymentIsFiveValidEventsOfOneHostInChainOrder() throws Exception {
        // Given / When: encode validates every event against the contract
        List<ProducerRecord<String, byte[]>> records = new IngestEvents(codec, 50, 1L).build(60);

        // Then
        assertThat(records).hasSize(300);
        List<EventEnvelope> first =
                records.subList(0, 5).stream().map(this::decode).toList();
        assertThat(first)
                .extracting(EventEnvelope::type)
                .containsExactly(
                        "handoff.cloud-facts.started",
                        "handoff.cloud-facts.completed",
                        "handoff.secret-facts.started",
                        "handoff.secret-facts.completed",
                        "handoff.convergence.started");
        assertThat(first).extracting(EventEnvelope::subject).containsOnly("edge-001");
        assertThat(first)
                .extracting(EventEnvelope::deploymentId)
                .hasSize(5)
                .containsOnly(first.get(0).deploymentId());
        for (int i = 1; i < first.size(); i++) {
            assertThat(first.get(i).causationId()).isEqualTo(first.get(i - 1).id());
        }
        assertThat(records.subList(0, 5))
                .extracting(ProducerRecord::topic)
                .containsExactly(
                        Topics.CLOUD_FACTS,
                        Topics.CLOUD_FACTS,
                        Topics.SECRET_FACTS,
                        Topics.SECRET_FACTS,
                        Topics.CONVERGENCE);
        assertThat(records).extracting(ProducerRecord::key).contains("edge-001", "edge-050");
        assertThat(records.get(250).key())
                .as("the 51st deployment is on the first host again")
                .isEqualTo("edge-001");
    }

    private EventEnvelope decode(ProducerRecord<String, byte[]> r) {
        try {
            return codec.decode(r.headers(), r.value());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
