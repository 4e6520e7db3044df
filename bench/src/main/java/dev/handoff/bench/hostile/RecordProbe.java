package dev.handoff.bench.hostile;

import dev.handoff.common.serde.EventCodec;
import dev.handoff.common.serde.InvalidEventException;

/**
 * A record of any topic → {@link EventCodec#decode(org.apache.kafka.clients.consumer.ConsumerRecord)}, exactly what
 * every consumer loop calls first: an {@link InvalidEventException} is a refusal named by its reason code (the
 * dead-letter reason); a {@code RuntimeException} would reach the loop as {@code decode-failed} and counts as escaped
 * here, because the codec should have named it.
 */
public final class RecordProbe implements Probe<HostileRecord> {
    private final EventCodec codec = new EventCodec();

    @Override
    public Verdict probe(HostileRecord record) {
        try {
            codec.decode(record.received(record.topic(), 0, 0));
            return Verdict.accepted();
        } catch (InvalidEventException e) {
            return Verdict.refused(e.reasonCode(), e.getMessage());
        }
    }
}
