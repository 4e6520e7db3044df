package dev.handoff.bench.hostile;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;

/**
 * A Kafka record as an attacker with write access to a topic could produce it: any key, any headers (missing,
 * repeated, null, huge, invalid UTF-8), any value (or none).
 */
public record HostileRecord(String topic, String key, List<Header> headers, byte[] value) {
    public HostileRecord {
        headers = List.copyOf(headers);
    }

    /** Its bytes on the wire, roughly: what the broker's message size limit counts. */
    public int size() {
        int size = (key == null ? 0 : key.length() * 3) + (value == null ? 0 : value.length);
        for (Header h : headers) {
            size += h.key().length() + (h.value() == null ? 0 : h.value().length);
        }
        return size;
    }

    /** The record as a consumer receives it from {@code topic} at {@code offset}. */
    public ConsumerRecord<String, byte[]> received(String topic, int partition, long offset) {
        return new ConsumerRecord<>(
                topic,
                partition,
                offset,
                System.currentTimeMillis(),
                TimestampType.CREATE_TIME,
                -1,
                value == null ? -1 : value.length,
                key,
                value,
                new RecordHeaders(headers.toArray(Header[]::new)),
                Optional.empty());
    }

    /** A copy with {@code name} removed. */
    HostileRecord without(String name) {
        List<Header> kept = new ArrayList<>();
        for (Header h : headers) {
            if (!h.key().equals(name)) {
                kept.add(h);
            }
        }
        return new HostileRecord(topic, key, kept, value);
    }

    /** A copy with {@code name} replaced by {@code bytes} (null: a header whose value is null). */
    HostileRecord with(String name, byte[] bytes) {
        List<Header> changed = new ArrayList<>(without(name).headers());
        changed.add(new RecordHeader(name, bytes));
        return new HostileRecord(topic, key, changed, value);
    }

    /** A copy with a second {@code name} header added after the first (the codec reads the last). */
    HostileRecord repeated(String name, byte[] bytes) {
        List<Header> changed = new ArrayList<>(headers);
        changed.add(new RecordHeader(name, bytes));
        return new HostileRecord(topic, key, changed, value);
    }

    HostileRecord withValue(byte[] newValue) {
        return new HostileRecord(topic, key, headers, newValue);
    }

    HostileRecord withKey(String newKey) {
        return new HostileRecord(topic, newKey, headers, value);
    }

    HostileRecord onTopic(String newTopic) {
        return new HostileRecord(newTopic, key, headers, value);
    }
}
