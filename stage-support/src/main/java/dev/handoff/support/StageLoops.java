package dev.handoff.support;

import dev.handoff.common.messaging.DeadLetters;
import dev.handoff.common.messaging.EventConsumerLoop;
import dev.handoff.common.messaging.KafkaSettings;
import dev.handoff.common.serde.EventCodec;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.Producer;

/**
 * The consumer loops of a stage service. The service starts each one at start-up ({@link #start}); it then polls on
 * its own daemon thread, named after it, as a member of its consumer group; a record it cannot read goes to that
 * group's dead-letter topic ({@link DeadLetters}) and the loop goes on. {@link StageReadiness} reports the loops, and
 * they are closed at shutdown.
 */
@ApplicationScoped
public class StageLoops {
    private final StageKafka kafka;
    private final EventCodec codec;
    private final Producer<String, byte[]> producer;
    private final List<EventConsumerLoop> loops = new CopyOnWriteArrayList<>();

    public StageLoops(StageKafka kafka, EventCodec codec, Producer<String, byte[]> producer) {
        this.kafka = kafka;
        this.codec = codec;
        this.producer = producer;
    }

    /**
     * Starts a loop that hands each batch read from {@code topics} to {@code handler}.
     *
     * @param name the loop's name: its thread's name and its Kafka client id, e.g. {@code converge-stage}
     * @param group its consumer group
     * @param consumerSettings Kafka consumer settings on top of {@link KafkaSettings#consumer}'s, e.g.
     *     {@code max.poll.records}
     */
    public EventConsumerLoop start(
            String name,
            String group,
            Collection<String> topics,
            Map<String, Object> consumerSettings,
            EventConsumerLoop.BatchHandler handler) {
        EventConsumerLoop loop = new EventConsumerLoop(
                name,
                new KafkaConsumer<>(KafkaSettings.consumer(
                        kafka.bootstrapServers(), group, name, kafka.security(), consumerSettings)),
                topics,
                codec,
                new DeadLetters(producer, group),
                handler,
                (record, why) -> {});
        Thread thread = new Thread(loop, name);
        thread.setDaemon(true);
        thread.start();
        loops.add(loop);
        return loop;
    }

    void stop(@Observes ShutdownEvent stopping) {
        loops.forEach(EventConsumerLoop::close);
    }

    /** Whether the service started its loops, each is polling Kafka and its last batch succeeded. */
    public boolean healthy() {
        return !loops.isEmpty() && loops.stream().allMatch(EventConsumerLoop::healthy);
    }

    /** Why they are not healthy: "not started", the first loop's last error, or null (still starting). */
    public String lastError() {
        if (loops.isEmpty()) {
            return "not started";
        }
        return loops.stream()
                .map(EventConsumerLoop::lastError)
                .filter(e -> e != null)
                .findFirst()
                .orElse(null);
    }
}
