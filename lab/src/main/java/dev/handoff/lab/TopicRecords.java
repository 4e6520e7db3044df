package dev.handoff.lab;

import dev.handoff.common.event.EventEnvelope;
import dev.handoff.common.serde.EventCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Reads whole topics from the beginning, for tests' assertions (every stage service's tests share it). */
public final class TopicRecords {
    private TopicRecords() {}

    /** Every record of {@code topic} now, read as the lab broker's admin of this JVM. */
    public static List<ConsumerRecord<String, byte[]>> records(String bootstrap, String topic) {
        return records(bootstrap, topic, LabKafka.adminSecurity(bootstrap));
    }

    /** Every record of {@code topic} now, read with {@code security} (a login to a broker of another process). */
    public static List<ConsumerRecord<String, byte[]>> records(
            String bootstrap, String topic, Map<String, Object> security) {
        Map<String, Object> config = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG,
                "reader-" + UUID.randomUUID(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                false,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                "read_committed",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
                StringDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                ByteArrayDeserializer.class.getName());
        Map<String, Object> settings = new java.util.HashMap<>(security);
        settings.putAll(config);
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(settings)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(10)).stream()
                    .map(p -> new TopicPartition(topic, p.partition()))
                    .collect(Collectors.toList());
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(10));
            List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("could not read " + topic + " to its end in 20 s");
                }
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
            }
            return out;
        }
    }

    /** The valid events of {@code topic} now. */
    public static List<EventEnvelope> events(String bootstrap, String topic) {
        EventCodec codec = new EventCodec();
        List<EventEnvelope> events = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> r : records(bootstrap, topic)) {
            try {
                events.add(codec.decode(r));
            } catch (Exception e) {
                // not a valid event: the assertions look at valid ones only
            }
        }
        return events;
    }
}
