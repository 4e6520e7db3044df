package dev.handoff.support;

import dev.handoff.common.event.Stage;
import dev.handoff.common.event.StageInputs;
import dev.handoff.common.messaging.DeadLetters;
import dev.handoff.common.messaging.EventConsumerLoop;
import dev.handoff.common.messaging.EventPublisher;
import dev.handoff.common.messaging.KafkaSettings;
import dev.handoff.common.messaging.KeyedEventLoop;
import dev.handoff.common.messaging.ReceivedEvent;
import dev.handoff.common.serde.EventCodec;
import dev.handoff.common.stage.StageEvents;
import dev.handoff.common.stage.StageLogContext;
import dev.handoff.common.stage.Superseding;
import dev.handoff.common.trace.Tracing;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.Producer;
import org.jboss.logging.Logger;

/**
 * The consumer loops of a stage service. The service starts each one at start-up ({@link #start}); it then polls on
 * its own daemon thread, named after it, as a member of its consumer group; a record it cannot read goes to that
 * group's dead-letter topic ({@link DeadLetters}, counted in {@link StageMetrics}, as is each loop's lag) and the loop
 * goes on. {@link StageReadiness} reports the loops, and
 * they are closed at shutdown.
 */
@ApplicationScoped
public class StageLoops {
    private static final Logger LOG = Logger.getLogger(StageLoops.class);
    private static final java.time.Duration SUPERSEDED_PUBLISH_TIMEOUT = java.time.Duration.ofSeconds(30);

    private final StageKafka kafka;
    private final EventCodec codec;
    private final Producer<String, byte[]> producer;
    private final EventPublisher publisher;
    private final StageMetrics metrics;
    private final List<EventConsumerLoop> loops = new CopyOnWriteArrayList<>();
    private final List<KeyedEventLoop> keyedLoops = new CopyOnWriteArrayList<>();

    public StageLoops(
            StageKafka kafka,
            EventCodec codec,
            Producer<String, byte[]> producer,
            EventPublisher publisher,
            StageMetrics metrics) {
        this.kafka = kafka;
        this.codec = codec;
        this.producer = producer;
        this.publisher = publisher;
        this.metrics = metrics;
    }

    /**
     * Starts the stage's trigger loop: up to {@code concurrency} hosts at once, one host never twice at once, newest
     * commit wins ({@link Superseding}: older triggers of the same kind that waited for a host are published as
     * {@code <stage>.superseded} and not run), offsets committed only past finished work ({@link KeyedEventLoop}).
     *
     * @param handler runs the triggers that remain for one host, in the order they were read; throwing retries them
     */
    public KeyedEventLoop startStage(
            String name,
            String group,
            Stage stage,
            int concurrency,
            Map<String, Object> consumerSettings,
            EventConsumerLoop.BatchHandler handler) {
        if (concurrency < 1) {
            throw new IllegalArgumentException("handoff." + stage.id() + ".concurrency must be at least 1 (hosts worked"
                    + " on at once by one replica), got " + concurrency);
        }
        StageEvents events = new StageEvents(stage, kafka.source(), codec);
        Map<String, Object> settings = new java.util.HashMap<>(KeyedEventLoop.CONSUMER_SETTINGS);
        settings.putAll(consumerSettings);
        KeyedEventLoop loop = new KeyedEventLoop(
                name,
                new KafkaConsumer<>(
                        KafkaSettings.consumer(kafka.bootstrapServers(), group, name, kafka.security(), settings)),
                StageInputs.subscribedBy(stage),
                codec,
                new DeadLetters(producer, group),
                KeyedEventLoop.Settings.of(concurrency),
                (host, waiting) -> {
                    Superseding.Plan plan = Superseding.plan(stage, waiting);
                    if (!plan.superseded().isEmpty()) {
                        publisher.publishAll(
                                plan.superseded().stream()
                                        .map(s -> events.superseded(s.older(), host, s.newer()))
                                        .toList(),
                                SUPERSEDED_PUBLISH_TIMEOUT);
                        LOG.infof(
                                "%s: %d trigger(s) for %s superseded by newer ones that were waiting too",
                                stage.id(), plan.superseded().size(), host);
                    }
                    // one trigger at a time, so that every log line of its work names its host and deployment, and
                    // its work is one span of the deployment's trace
                    for (ReceivedEvent trigger : plan.run()) {
                        Tracing.stageWork(
                                stage.id(),
                                host,
                                trigger,
                                () -> StageLogContext.run(
                                        host, trigger.event().deploymentId(), () -> handler.handle(List.of(trigger))));
                    }
                },
                metrics::deadLettered);
        metrics.watchLag(group, loop.topics(), loop::lag);
        Thread thread = new Thread(loop, name);
        thread.setDaemon(true);
        thread.start();
        keyedLoops.add(loop);
        return loop;
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
                metrics::deadLettered);
        metrics.watchLag(group, loop.topics(), loop::lag);
        Thread thread = new Thread(loop, name);
        thread.setDaemon(true);
        thread.start();
        loops.add(loop);
        return loop;
    }

    void stop(@Observes ShutdownEvent stopping) {
        keyedLoops.forEach(KeyedEventLoop::close);
        loops.forEach(EventConsumerLoop::close);
    }

    /** Whether the service started its loops, each is polling Kafka and its last batch succeeded. */
    public boolean healthy() {
        return !(loops.isEmpty() && keyedLoops.isEmpty())
                && loops.stream().allMatch(EventConsumerLoop::healthy)
                && keyedLoops.stream().allMatch(KeyedEventLoop::healthy);
    }

    /** Why they are not healthy: "not started", the first loop's last error, or null (still starting). */
    public String lastError() {
        if (loops.isEmpty() && keyedLoops.isEmpty()) {
            return "not started";
        }
        return java.util.stream.Stream.concat(
                        keyedLoops.stream().map(KeyedEventLoop::lastError),
                        loops.stream().map(EventConsumerLoop::lastError))
                .filter(e -> e != null)
                .findFirst()
                .orElse(null);
    }
}
