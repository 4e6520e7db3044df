package dev.handoff.bench;

import dev.handoff.common.messaging.KafkaSettings;
import dev.handoff.lab.LabDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Ledger ingest rate: pre-built events produced straight to their topics as fast as one producer with Handoff's
 * settings can, while {@code select count(*) from event} is polled every 100 ms until every one is stored.
 */
final class LedgerIngest {
    private static final Duration POLL = Duration.ofMillis(100);
    private static final Duration DEADLINE = Duration.ofMinutes(5);

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
            while (true) {
                long now = count(s);
                long at = System.nanoTime();
                if (now >= target) {
                    return new Result(records.size(), before, now, produced, at - start);
                }
                if (at > deadline) {
                    throw new BenchException("ingest: the ledger stored only " + (now - before) + " of "
                            + records.size() + " events within " + DEADLINE.toMinutes() + " min of the first send");
                }
                if (at - lastReport > TimeUnit.SECONDS.toNanos(10)) {
                    progress.say(String.format(
                            java.util.Locale.ROOT,
                            "ingest: %,d of %,d stored after %.0f s",
                            now - before,
                            records.size(),
                            (at - start) / 1e9));
                    lastReport = at;
                }
                Thread.sleep(POLL.toMillis());
            }
        }
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
