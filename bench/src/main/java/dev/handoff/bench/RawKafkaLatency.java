package dev.handoff.bench;

import dev.handoff.common.messaging.KafkaSettings;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.WakeupException;

/**
 * Produce → consume latency of plain Kafka on the broker the ledger uses, with Handoff's own client settings: the
 * producer of {@link KafkaSettings#producer} (acks=all, idempotent) without linger, as control-service's producer
 * sends the webhook's events, and the consumer of {@link KafkaSettings#consumer} with nothing changed (read_committed,
 * default fetch.max.wait.ms), polled the way the ledger polls (200 ms). This is the floor under the webhook → ledger
 * figure.
 */
public final class RawKafkaLatency {
    /** The ledger's poll timeout (EventConsumerLoop). */
    private static final Duration POLL = Duration.ofMillis(200);

    private static final Duration DEADLINE = Duration.ofSeconds(60);

    private final String bootstrapServers;
    private final String topic;
    private final Map<String, Object> security;

    /** Against a lab broker of this JVM, logged in as its admin. */
    RawKafkaLatency(String bootstrapServers, String topic) {
        this(bootstrapServers, topic, dev.handoff.lab.LabKafka.adminSecurity(bootstrapServers));
    }

    /**
     * Against any broker, e.g. a lab broker in another process.
     *
     * @param security the clients' login settings (the lab's admin: {@code LabKafkaUsers.clientSecurity("admin")})
     */
    public RawKafkaLatency(String bootstrapServers, String topic, Map<String, Object> security) {
        this.bootstrapServers = bootstrapServers;
        this.topic = topic;
        this.security = Map.copyOf(security);
    }

    /**
     * Sends {@code warmup + count} records of {@code size} bytes one after another (each acknowledged before the next
     * is sent), {@code perSecond} a second, and measures receive − send time of the last {@code count}.
     *
     * @return latencies in microseconds
     */
    public Latencies run(int warmup, int count, int size, double perSecond) throws InterruptedException {
        int total = warmup + count;
        long[] sentAt = new long[total];
        long[] receivedAt = new long[total];
        CountDownLatch received = new CountDownLatch(total);
        CountDownLatch assigned = new CountDownLatch(1);
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicReference<Throwable> consumerError = new AtomicReference<>();

        KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(KafkaSettings.consumer(
                bootstrapServers, "bench-raw-" + UUID.randomUUID(), "bench-raw-consumer", security));
        Thread poller = new Thread(
                () -> {
                    try {
                        consumer.subscribe(List.of(topic));
                        while (running.get()) {
                            var records = consumer.poll(POLL);
                            long now = System.nanoTime();
                            if (!consumer.assignment().isEmpty()) {
                                assigned.countDown();
                            }
                            for (ConsumerRecord<String, byte[]> r : records) {
                                int seq = ByteBuffer.wrap(r.value()).getInt();
                                if (seq >= 0 && seq < total && receivedAt[seq] == 0) {
                                    receivedAt[seq] = now;
                                    received.countDown();
                                }
                            }
                        }
                    } catch (WakeupException e) {
                        // closing
                    } catch (RuntimeException e) {
                        consumerError.set(e);
                        assigned.countDown();
                    } finally {
                        consumer.close(Duration.ofSeconds(5));
                    }
                },
                "bench-raw-consumer");
        poller.start();
        Map<String, Object> producerSettings = new HashMap<>(security);
        producerSettings.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        try (KafkaProducer<String, byte[]> producer =
                new KafkaProducer<>(KafkaSettings.producer(bootstrapServers, "bench-raw-producer", producerSettings))) {
            if (!assigned.await(DEADLINE.toSeconds(), TimeUnit.SECONDS) || consumerError.get() != null) {
                throw new BenchException("the raw Kafka consumer got no partitions of " + topic, consumerError.get());
            }
            Pacer pacer = new Pacer(perSecond);
            for (int i = 0; i < total; i++) {
                byte[] value = new byte[size];
                ByteBuffer.wrap(value).putInt(i);
                pacer.awaitTurn(i);
                sentAt[i] = System.nanoTime();
                producer.send(new ProducerRecord<>(topic, "bench-host", value)).get(30, TimeUnit.SECONDS);
            }
            if (!received.await(DEADLINE.toSeconds(), TimeUnit.SECONDS)) {
                throw new BenchException("raw Kafka: only " + (total - received.getCount()) + " of " + total
                        + " records were consumed within " + DEADLINE.toSeconds() + " s");
            }
        } catch (ExecutionException | TimeoutException e) {
            throw new BenchException("raw Kafka: the broker did not acknowledge a record: " + e.getMessage(), e);
        } finally {
            running.set(false);
            consumer.wakeup();
            poller.join(10_000);
        }
        if (consumerError.get() != null) {
            throw new BenchException("raw Kafka: the consumer failed: " + consumerError.get(), consumerError.get());
        }
        long[] micros = new long[count];
        for (int i = 0; i < count; i++) {
            micros[i] = TimeUnit.NANOSECONDS.toMicros(receivedAt[warmup + i] - sentAt[warmup + i]);
        }
        return Latencies.of(micros);
    }
}
