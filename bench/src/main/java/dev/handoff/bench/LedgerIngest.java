package dev.handoff.bench;

import dev.handoff.common.messaging.KafkaSettings;
import dev.handoff.lab.LabDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * Ledger ingest rate: pre-built events produced straight to their topics as fast as one producer with Handoff's
 * settings can, while the ledger's consumer group's committed offsets are read every 100 ms (Kafka's admin API)
 * until they reach the end of every partition written: the ledger commits an offset only after the transaction that
 * stored the records before it. {@code select count(*) from event} then confirms that every event is a row. (Counting
 * the rows every 100 ms, as this bench once did, scans a table growing to 100,000 rows ten times a second: a load on
 * PostgreSQL of its own, taken from the ledger it measures.)
 */
final class LedgerIngest {
    private static final Duration POLL = Duration.ofMillis(100);
    private static final Duration DEADLINE = Duration.ofMinutes(5);
    /** control-service's default {@code handoff.ledger.consumer-group}. */
    static final String LEDGER_GROUP = "handoff-ledger";

    private final String bootstrapServers;
    private final LabDatabase database;

    /**
     * The figures of one ingest run.
     *
     * @param events events produced
     * @param before rows in {@code event} before
     * @param after rows in {@code event} at the end
     * @param produceNanos first send → last acknowledgement
     * @param totalNanos first send → the poll that saw every event stored
     */
    record Result(int events, long before, long after, long produceNanos, long totalNanos) {
        double eventsPerSecond() {
            return events / (totalNanos / 1e9);
        }
    }

    LedgerIngest(String bootstrapServers, LabDatabase database) {
        this.bootstrapServers = bootstrapServers;
        this.database = database;
    }

    Result run(List<ProducerRecord<String, byte[]>> records, Progress progress)
            throws SQLException, InterruptedException {
        try (Connection c = database.connect();
                Statement s = c.createStatement()) {
            long before = count(s);
            long target = before + records.size();
            CountDownLatch acked = new CountDownLatch(records.size());
            Map<TopicPartition, Long> ends = new ConcurrentHashMap<>();
            AtomicReference<Exception> sendError = new AtomicReference<>();
            long start;
            long produced;
            try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(KafkaSettings.producer(
                    bootstrapServers, "bench-ingest", dev.handoff.lab.LabKafka.adminSecurity(bootstrapServers)))) {
                // connect and fetch metadata of every topic before the clock starts
                records.stream().map(ProducerRecord::topic).distinct().forEach(producer::partitionsFor);
                start = System.nanoTime();
                for (ProducerRecord<String, byte[]> r : records) {
                    producer.send(r, (metadata, error) -> {
                        if (error != null) {
                            sendError.compareAndSet(null, error);
                        } else {
                            ends.merge(
                                    new TopicPartition(metadata.topic(), metadata.partition()),
                                    metadata.offset() + 1,
                                    Math::max);
                        }
                        acked.countDown();
                    });
                }
                producer.flush();
                if (!acked.await(DEADLINE.toSeconds(), TimeUnit.SECONDS)) {
                    throw new BenchException(
                            "ingest: Kafka did not acknowledge every event within " + DEADLINE.toMinutes() + " min");
                }
                produced = System.nanoTime() - start;
            }
            if (sendError.get() != null) {
                throw new BenchException("ingest: Kafka refused an event: " + sendError.get(), sendError.get());
            }
            progress.say(String.format(
                    java.util.Locale.ROOT,
                    "ingest: %,d events produced in %.2f s; waiting for the ledger",
                    records.size(),
                    produced / 1e9));
            long deadline = start + DEADLINE.toNanos();
            long lastReport = System.nanoTime();
            try (Admin admin = Admin.create(adminSettings())) {
                while (true) {
                    Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(LEDGER_GROUP)
                            .partitionsToOffsetAndMetadata()
                            .get(10, TimeUnit.SECONDS);
                    long at = System.nanoTime();
                    long behind = 0;
                    for (Map.Entry<TopicPartition, Long> end : ends.entrySet()) {
                        OffsetAndMetadata done = committed.get(end.getKey());
                        behind += Math.max(0, end.getValue() - (done == null ? 0 : done.offset()));
                    }
                    if (behind == 0) {
                        long now = count(s);
                        if (now >= target) {
                            return new Result(records.size(), before, now, produced, at - start);
                        }
                        throw new BenchException("ingest: the ledger committed every offset but stored only "
                                + (now - before) + " of " + records.size() + " events");
                    }
                    if (at > deadline) {
                        throw new BenchException("ingest: the ledger was still " + behind + " events behind "
                                + DEADLINE.toMinutes() + " min after the first send");
                    }
                    if (at - lastReport > TimeUnit.SECONDS.toNanos(10)) {
                        progress.say(String.format(
                                java.util.Locale.ROOT,
                                "ingest: %,d of %,d stored after %.0f s",
                                records.size() - behind,
                                records.size(),
                                (at - start) / 1e9));
                        lastReport = at;
                    }
                    Thread.sleep(POLL.toMillis());
                }
            } catch (ExecutionException | TimeoutException e) {
                throw new BenchException("ingest: cannot read the ledger's committed offsets: " + e, e);
            }
        }
    }

    private Map<String, Object> adminSettings() {
        Map<String, Object> settings = new HashMap<>(dev.handoff.lab.LabKafka.adminSecurity(bootstrapServers));
        settings.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        settings.put(AdminClientConfig.CLIENT_ID_CONFIG, "bench-ingest-progress");
        return settings;
    }

    private static long count(Statement s) throws SQLException {
        try (ResultSet rs = s.executeQuery("select count(*) from event")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Where progress lines go. */
    @FunctionalInterface
    interface Progress {
        void say(String line);
    }
}
