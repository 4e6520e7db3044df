package dev.handoff.infra;

import dev.handoff.common.event.EventEnvelope;
import dev.handoff.common.serde.EventCodec;
import dev.handoff.lab.LabKafka;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Reads topics of the lab broker from the beginning, for tests: raw records and decoded events. */
public final class TopicRecords implements AutoCloseable {
    private final KafkaConsumer<String, byte[]> consumer;
    private final EventCodec codec = new EventCodec();
    private final List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();

    public TopicRecords(List<String> topics) {
        consumer = new KafkaConsumer<>(LabKafka.asAdmin(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, LabKafka.shared().bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName())));
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : topics) {
            consumer.partitionsFor(topic).forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
        }
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
    }

    /** Every record read so far, after polling for more. */
    public synchronized List<ConsumerRecord<String, byte[]>> poll() {
        consumer.poll(Duration.ofMillis(200)).forEach(records::add);
        return List.copyOf(records);
    }

    /** The events of one deployment read so far, in topic order, after polling for more. */
    public synchronized List<EventEnvelope> events(String deploymentId) {
        List<EventEnvelope> out = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> r : poll()) {
            try {
                EventEnvelope e = codec.decode(r);
                if (deploymentId.equals(e.deploymentId())) {
                    out.add(e);
                }
            } catch (Exception ignored) {
                // records of other producers that are not events are not this helper's concern
            }
        }
        return out;
    }

    /** The first event of {@code type} of a deployment, if it arrived. */
    public Optional<EventEnvelope> event(String deploymentId, String type) {
        return events(deploymentId).stream().filter(e -> e.type().equals(type)).findFirst();
    }

    @Override
    public synchronized void close() {
        consumer.close(Duration.ofSeconds(2));
    }
}
