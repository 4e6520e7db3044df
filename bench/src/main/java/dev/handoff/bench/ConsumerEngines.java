package dev.handoff.bench;

import dev.handoff.common.event.EventEnvelope;
import dev.handoff.common.event.EventType;
import dev.handoff.common.event.v1.StageStarted;
import dev.handoff.common.messaging.DeadLetters;
import dev.handoff.common.messaging.KafkaSettings;
import dev.handoff.common.messaging.KeyedEventLoop;
import dev.handoff.common.serde.EventCodec;
import dev.handoff.lab.LabKafka;
import io.confluent.parallelconsumer.ParallelConsumerOptions;
import io.confluent.parallelconsumer.ParallelStreamProcessor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;

/**
 * The two candidate engines of a stage's consumer (ADR 0001), on the same broker, the same records and the same
 * work: common's {@link KeyedEventLoop} and Confluent's Parallel Consumer in key-ordered mode, each with K workers.
 * Two workloads: N hosts whose work takes a fixed time (an activation; ideal N × time ÷ K), and N hosts with no work
 * at all (the engine's own cost). Each record is decoded and validated by the contract's codec in both engines.
 * Prints a table; asserts nothing.
 */
public final class ConsumerEngines {
    private static final int PARTITIONS = 6;

    private final EventCodec codec = new EventCodec();
    private final String bootstrap;
    private final Producer<String, byte[]> producer;

    private ConsumerEngines(String bootstrap) {
        this.bootstrap = bootstrap;
        // loading only: one request in flight keeps the order without the idempotent producer's sequence state
        this.producer = new KafkaProducer<>(LabKafka.asAdmin(KafkaSettings.producer(
                bootstrap,
                "engines",
                Map.of(
                        "enable.idempotence", false,
                        "max.in.flight.requests.per.connection", 1,
                        "linger.ms", 5,
                        "delivery.timeout.ms", 120_000,
                        "request.timeout.ms", 30_000))));
    }

    public static void main(String[] args) throws Exception {
        int hosts = Integer.getInteger("handoff.bench.hosts", 1000);
        int k = Integer.getInteger("handoff.bench.concurrency", 16);
        long workMillis = Long.getLong("handoff.bench.work-ms", 50);
        LabKafka kafka = LabKafka.shared();
        ConsumerEngines bench = new ConsumerEngines(kafka.bootstrapServers());
        List<String> lines = new ArrayList<>();
        lines.add(String.format(
                Locale.ROOT,
                "Stage consumer engines: %d hosts, %d partitions, K = %d, Kafka %s",
                hosts,
                PARTITIONS,
                k,
                org.apache.kafka.common.utils.AppInfoParser.getVersion()));
        lines.add(String.format(
                Locale.ROOT,
                "%-34s %14s %14s %16s",
                "engine / workload",
                "all done (median)",
                "ideal",
                "hosts per second"));
        int rounds = Integer.getInteger("handoff.bench.rounds", 3);
        for (long work : new long[] {workMillis, 0}) {
            for (String engine : List.of("KeyedEventLoop", "ParallelConsumer")) {
                List<Double> seconds = new ArrayList<>();
                String failure = null;
                for (int round = 0; round < rounds && failure == null; round++) {
                    String topic = bench.topic(kafka, hosts);
                    try {
                        seconds.add((engine.equals("KeyedEventLoop")
                                        ? bench.keyed(topic, hosts, k, work)
                                        : bench.parallelConsumer(topic, hosts, k, work))
                                / 1e9);
                    } catch (Exception | LinkageError e) {
                        failure = e.toString();
                    }
                }
                String label = engine + ", work " + work + " ms";
                if (failure != null) {
                    lines.add(String.format(Locale.ROOT, "%-34s failed: %s", label, failure));
                    continue;
                }
                java.util.Collections.sort(seconds);
                double median = seconds.get(seconds.size() / 2);
                lines.add(String.format(
                        Locale.ROOT,
                        "%-34s %12.2f s %12.2f s %16.0f   (rounds: %s)",
                        label,
                        median,
                        hosts * work / 1000.0 / k,
                        hosts / median,
                        seconds.stream()
                                .map(x -> String.format(Locale.ROOT, "%.2f", x))
                                .toList()));
            }
        }
        lines.forEach(System.out::println);
        bench.producer.close(Duration.ofSeconds(5));
        kafka.close();
        System.exit(0);
    }

    /** A new topic holding one trigger for each of {@code hosts} hosts. */
    private String topic(LabKafka kafka, int hosts) throws Exception {
        String topic = "handoff.replay.engines-" + UUID.randomUUID().toString().substring(0, 8);
        kafka.admin()
                .createTopics(List.of(new NewTopic(topic, PARTITIONS, (short) 1)))
                .all()
                .get(30, TimeUnit.SECONDS);
        List<java.util.concurrent.Future<?>> sent = new ArrayList<>();
        for (int i = 0; i < hosts; i++) {
            String host = String.format(Locale.ROOT, "edge-%04d", i);
            EventEnvelope e = codec.newEvent(
                    EventType.CONVERGENCE_STARTED,
                    "/handoff/bench",
                    host,
                    UUID.randomUUID().toString(),
                    null,
                    new StageStarted(host, "converge", EventType.COMMIT_PUSHED.type(), null, null));
            sent.add(producer.send(codec.encode(topic, e)));
        }
        for (var f : sent) {
            f.get(30, TimeUnit.SECONDS);
        }
        return topic;
    }

    private long keyed(String topic, int hosts, int k, long work) throws Exception {
        CountDownLatch done = new CountDownLatch(hosts);
        String group = "engines-" + UUID.randomUUID();
        long start = System.nanoTime();
        KeyedEventLoop loop = new KeyedEventLoop(
                group,
                new KafkaConsumer<>(KafkaSettings.consumer(
                        bootstrap, group, group, LabKafka.adminSecurity(bootstrap), KeyedEventLoop.CONSUMER_SETTINGS)),
                List.of(topic),
                codec,
                new DeadLetters(producer, group),
                KeyedEventLoop.Settings.of(k),
                (host, waiting) -> {
                    if (work > 0) {
                        Thread.sleep(work);
                    }
                    waiting.forEach(e -> done.countDown());
                },
                (record, why) -> {});
        Thread t = new Thread(loop, group);
        t.setDaemon(true);
        t.start();
        try {
            if (!done.await(10, TimeUnit.MINUTES)) {
                throw new IllegalStateException(done.getCount() + " hosts not done after 10 minutes");
            }
            return System.nanoTime() - start;
        } finally {
            loop.close();
        }
    }

    private long parallelConsumer(String topic, int hosts, int k, long work) throws Exception {
        CountDownLatch done = new CountDownLatch(hosts);
        AtomicInteger invalid = new AtomicInteger();
        String group = "engines-" + UUID.randomUUID();
        long start = System.nanoTime();
        KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(
                KafkaSettings.consumer(bootstrap, group, group, LabKafka.adminSecurity(bootstrap), Map.of()));
        ParallelStreamProcessor<String, byte[]> pc =
                ParallelStreamProcessor.createEosStreamProcessor(ParallelConsumerOptions.<String, byte[]>builder()
                        .ordering(ParallelConsumerOptions.ProcessingOrder.KEY)
                        .maxConcurrency(k)
                        .consumer(consumer)
                        .commitMode(ParallelConsumerOptions.CommitMode.PERIODIC_CONSUMER_SYNC)
                        // its reflective check of enable.auto.commit does not know kafka-clients 4.0's consumer
                        .ignoreReflectiveAccessExceptionsForAutoCommitDisabledCheck(true)
                        .build());
        try {
            pc.subscribe(List.of(topic));
            pc.poll(context -> {
                try {
                    codec.decode(context.getSingleConsumerRecord());
                } catch (RuntimeException | dev.handoff.common.serde.InvalidEventException e) {
                    invalid.incrementAndGet();
                }
                if (work > 0) {
                    try {
                        Thread.sleep(work);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException(e);
                    }
                }
                done.countDown();
            });
            if (!done.await(10, TimeUnit.MINUTES)) {
                throw new IllegalStateException(done.getCount() + " hosts not done after 10 minutes");
            }
            if (invalid.get() > 0) {
                throw new IllegalStateException(invalid.get() + " records did not decode");
            }
            return System.nanoTime() - start;
        } finally {
            pc.close();
        }
    }
}
