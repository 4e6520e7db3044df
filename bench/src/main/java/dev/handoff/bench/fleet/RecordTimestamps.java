package dev.handoff.bench.fleet;

import dev.handoff.bench.BenchException;
import dev.handoff.common.serde.EventCodec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The timestamp of every record on some of the lab's topics, by the CloudEvents id in its {@code ce_id} header: when
 * its producer handed it to Kafka. Read from the beginning with the lab's admin login, without a consumer group.
 */
final class RecordTimestamps {
    private RecordTimestamps() {}

    /**
     * @param security the admin login's client settings
     * @throws BenchException if the topics are not read to their end within {@code deadline}
     */
    static Map<String, Instant> read(
            String bootstrapServers, Map<String, Object> security, Collection<String> topics, Duration deadline) {
        Map<String, Object> settings = new HashMap<>(security);
        settings.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        settings.put(ConsumerConfig.CLIENT_ID_CONFIG, "bench-fleet-timestamps");
        settings.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        settings.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        settings.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
        Map<String, Instant> timestamps = new HashMap<>();
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(settings, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : topics) {
                for (PartitionInfo p : consumer.partitionsFor(topic, Duration.ofSeconds(30))) {
                    partitions.add(new TopicPartition(topic, p.partition()));
                }
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(30));
            long until = System.nanoTime() + deadline.toNanos();
            while (!reached(consumer, end)) {
                if (System.nanoTime() > until) {
                    throw new BenchException("the topics " + topics + " were not read to their end within "
                            + deadline.toSeconds() + " s");
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    Header id = r.headers().lastHeader(EventCodec.H_ID);
                    if (id != null) {
                        timestamps.put(
                                new String(id.value(), StandardCharsets.UTF_8), Instant.ofEpochMilli(r.timestamp()));
                    }
                }
            }
        }
        return timestamps;
    }

    private static boolean reached(KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition, Long> end) {
        for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
            if (consumer.position(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }
}
