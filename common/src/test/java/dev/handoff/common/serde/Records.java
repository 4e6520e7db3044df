package dev.handoff.common.serde;

import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;

/** Turns what a producer sends into what a consumer reads, without a broker. */
public final class Records {
    private Records() {}

    /** The record as a consumer would read it at {@code offset} of partition 0. */
    public static ConsumerRecord<String, byte[]> received(ProducerRecord<String, byte[]> sent, long offset) {
        return received(
                sent.topic(),
                sent.key(),
                sent.value(),
                new RecordHeaders(sent.headers().toArray()),
                offset);
    }

    /** A record as a consumer would read it, built by hand. */
    public static ConsumerRecord<String, byte[]> received(
            String topic, String key, byte[] value, RecordHeaders headers, long offset) {
        return new ConsumerRecord<>(
                topic,
                0,
                offset,
                1_764_000_000_000L,
                TimestampType.CREATE_TIME,
                key == null ? -1 : key.length(),
                value == null ? -1 : value.length,
                key,
                value,
                headers,
                Optional.empty());
    }
}
