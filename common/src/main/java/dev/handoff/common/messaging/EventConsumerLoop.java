package dev.handoff.common.messaging;

import dev.handoff.common.serde.EventCodec;
import dev.handoff.common.serde.InvalidEventException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.jboss.logging.Logger;

/**
 * Reads events in batches: each record is decoded and validated; invalid ones go to the dead-letter topic and the
 * stream goes on; valid ones go to the handler; offsets are committed only after the handler returned. A failing
 * handler is retried with back-off and the batch is never skipped, so nothing is lost. A large poll is handled in
 * chunks of {@value #CHUNK} records, in order, each committed once handled, the next one decoded meanwhile.
 */
public final class EventConsumerLoop implements Runnable, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(EventConsumerLoop.class);
    private static final Duration POLL = Duration.ofMillis(200);
    /** The first wait after the consumer itself failed; it doubles up to 30 s while the failures go on. */
    private static final Duration FIRST_RETRY = Duration.ofSeconds(1);

    private static final int PARALLEL_DECODE_THRESHOLD = 64;
    /** Records handled (one handler call, one commit) at a time within a large poll. */
    private static final int CHUNK = 1_000;

    /** Handles one batch of valid events; throwing makes the loop retry the same batch. */
    @FunctionalInterface
    public interface BatchHandler {
        void handle(List<ReceivedEvent> batch) throws Exception;
    }

    /** Told about records routed to a dead-letter topic (metrics). */
    @FunctionalInterface
    public interface DeadLetterListener {
        void deadLettered(ConsumerRecord<String, byte[]> record, InvalidEventException why);
    }

    private final String name;
    private final Consumer<String, byte[]> consumer;
    private final Collection<String> topics;
    private final EventCodec codec;
    private final DeadLetters deadLetters;
    private final BatchHandler handler;
    private final DeadLetterListener deadLetterListener;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final CountDownLatch closing = new CountDownLatch(1);
    private final RecordIntake intake;
    private volatile boolean healthy;
    private volatile String lastError;

    public EventConsumerLoop(
            String name,
            Consumer<String, byte[]> consumer,
            Collection<String> topics,
            EventCodec codec,
            DeadLetters deadLetters,
            BatchHandler handler,
            DeadLetterListener deadLetterListener) {
        this.name = name;
        this.consumer = consumer;
        this.topics = List.copyOf(topics);
        this.codec = codec;
        this.deadLetters = deadLetters;
        this.handler = handler;
        this.deadLetterListener = deadLetterListener;
        this.intake = new RecordIntake(name, codec, deadLetters, deadLetterListener);
    }

    @Override
    public void run() {
        try {
            consumer.subscribe(topics);
            int failures = 0;
            Duration backoff = FIRST_RETRY;
            while (running.get()) {
                try {
                    ConsumerRecords<String, byte[]> records = consumer.poll(POLL);
                    if (!records.isEmpty()) {
                        processBatch(records);
                    }
                    healthy = true;
                    failures = 0;
                    backoff = FIRST_RETRY;
                } catch (WakeupException | org.apache.kafka.common.errors.InterruptException e) {
                    throw e;
                } catch (KafkaException e) {
                    healthy = false;
                    lastError = e.toString();
                    backoff = RecordIntake.consumerFailed(name, e, ++failures, backoff, closing);
                    rewindToCommitted();
                }
            }
        } catch (WakeupException e) {
            if (running.get()) {
                lastError = "consumer woken up unexpectedly";
                LOG.errorf("%s: %s", name, lastError);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            lastError = e.toString();
            LOG.errorf(e, "%s stopped: %s", name, e.getMessage());
        } finally {
            healthy = false;
            // an interrupted thread cannot close the consumer cleanly (it would not leave the group, and the next
            // member waits for the session timeout): clear the flag for the close, then restore it
            boolean interrupted = Thread.interrupted();
            try {
                consumer.close(Duration.ofSeconds(5));
            } finally {
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
                stopped.countDown();
            }
        }
    }

    private void processBatch(ConsumerRecords<String, byte[]> records) throws InterruptedException {
        List<ConsumerRecord<String, byte[]>> polled = new ArrayList<>(records.count());
        records.forEach(polled::add);
        if (polled.size() < PARALLEL_DECODE_THRESHOLD) {
            Object[] decoded = new Object[polled.size()];
            for (int i = 0; i < decoded.length; i++) {
                decoded[i] = intake.decode(polled.get(i));
            }
            processChunk(polled, decoded);
            return;
        }
        // Decoding (JSON Schema validation) is most of a large batch's CPU, storing it mostly another process's
        // (the database's): chunk i+1 is decoded on the other cores while chunk i is handled, and only two chunks'
        // events are in memory at a time.
        List<List<ConsumerRecord<String, byte[]>>> chunks = new ArrayList<>();
        for (int from = 0; from < polled.size(); from += CHUNK) {
            chunks.add(polled.subList(from, Math.min(polled.size(), from + CHUNK)));
        }
        Decoding next = new Decoding(chunks.get(0));
        for (int i = 0; i < chunks.size(); i++) {
            Object[] decoded = next.await();
            next = i + 1 < chunks.size() ? new Decoding(chunks.get(i + 1)) : null;
            processChunk(chunks.get(i), decoded);
        }
    }

    /**
     * The decoding of a chunk, in order: started on the common pool's threads at once; {@link #await} has the
     * calling thread decode what is left, so no core waits while records remain.
     */
    private final class Decoding {
        private final List<ConsumerRecord<String, byte[]>> chunk;
        private final Object[] decoded;
        private final AtomicInteger claimed = new AtomicInteger();
        private final CountDownLatch done;

        Decoding(List<ConsumerRecord<String, byte[]>> chunk) {
            this.chunk = chunk;
            this.decoded = new Object[chunk.size()];
            this.done = new CountDownLatch(chunk.size());
            for (int w = 0; w < ForkJoinPool.getCommonPoolParallelism(); w++) {
                ForkJoinPool.commonPool().execute(this::work);
            }
        }

        private void work() {
            for (int i = claimed.getAndIncrement(); i < decoded.length; i = claimed.getAndIncrement()) {
                try {
                    decoded[i] = intake.decode(chunk.get(i));
                } catch (Error e) {
                    decoded[i] = e;
                } finally {
                    done.countDown();
                }
            }
        }

        /** Each record as a valid event or why it is not one. */
        Object[] await() throws InterruptedException {
            work();
            done.await();
            for (Object d : decoded) {
                if (d instanceof Error e) {
                    throw e;
                }
            }
            return decoded;
        }
    }

    /** Dead-letters the chunk's invalid records, hands the valid ones to the handler until it succeeds, commits. */
    private void processChunk(List<ConsumerRecord<String, byte[]>> polled, Object[] decoded)
            throws InterruptedException {
        List<ReceivedEvent> valid = new ArrayList<>(polled.size());
        Map<TopicPartition, OffsetAndMetadata> next = new HashMap<>();
        for (int i = 0; i < polled.size(); i++) {
            ConsumerRecord<String, byte[]> r = polled.get(i);
            if (decoded[i] instanceof ReceivedEvent event) {
                valid.add(event);
            } else {
                deadLetter(r, (InvalidEventException) decoded[i]);
            }
            next.put(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1));
        }
        Duration backoff = Duration.ofMillis(200);
        while (true) {
            try {
                if (!valid.isEmpty()) {
                    handler.handle(valid);
                }
                lastError = null;
                break;
            } catch (InterruptedException e) {
                throw e;
            } catch (Exception e) {
                lastError = e.toString();
                healthy = false;
                LOG.errorf(
                        e,
                        "%s: handling %d event(s) failed, retrying in %d ms: %s",
                        name,
                        valid.size(),
                        backoff.toMillis(),
                        e.getMessage());
                if (!running.get() || stopped.await(backoff.toMillis(), TimeUnit.MILLISECONDS)) {
                    throw new InterruptedException("stopped while retrying a batch");
                }
                keepGroupMembership();
                backoff = RecordIntake.longer(backoff);
            }
        }
        try {
            consumer.commitSync(next);
        } catch (WakeupException e) {
            if (running.get()) {
                throw e;
            }
            // close() woke the consumer while it committed a batch that is already handled: commit it (a wakeup
            // fires once) so that a restart does not handle it again, then stop
            consumer.commitSync(next);
            throw e;
        }
    }

    /**
     * After a failed poll or commit, reads again from the committed offsets: a commit that failed in the middle of a
     * polled batch leaves the consumer's position past records not yet handled. Subscribing anew drops the positions;
     * the group's next assignment starts each partition at its committed offset (handling is idempotent by event id).
     */
    private void rewindToCommitted() {
        try {
            consumer.unsubscribe();
            consumer.subscribe(topics);
        } catch (KafkaException e) {
            LOG.debugf("%s: re-subscribing failed (%s); the next poll tries again", name, e);
        }
    }

    /** While a batch is retried, keep polling paused partitions so the group does not evict us. */
    private void keepGroupMembership() {
        var assigned = consumer.assignment();
        consumer.pause(assigned);
        try {
            // a rebalance inside this poll may assign partitions that are not paused: rewind what it returned
            ConsumerRecords<String, byte[]> stray = consumer.poll(Duration.ZERO);
            for (TopicPartition tp : stray.partitions()) {
                consumer.seek(tp, stray.records(tp).get(0).offset());
            }
        } finally {
            var stillAssigned = new java.util.HashSet<>(assigned);
            stillAssigned.retainAll(consumer.assignment());
            consumer.resume(stillAssigned);
        }
    }

    private void deadLetter(ConsumerRecord<String, byte[]> r, InvalidEventException why) throws InterruptedException {
        intake.deadLetter(r, why, running::get, stopped, error -> lastError = error);
    }

    /** Whether the loop is polling and its last batch succeeded. */
    public boolean healthy() {
        return healthy && running.get();
    }

    /** The last error, or null. */
    public String lastError() {
        return lastError;
    }

    /**
     * How many records of {@code topic} the loop is behind, by its consumer's own metrics; 0 when it holds none of the
     * topic's partitions. Safe to call from any thread.
     */
    public double lag(String topic) {
        return ConsumerLag.of(consumer, topic);
    }

    /** The topics the loop reads. */
    public List<String> topics() {
        return List.copyOf(topics);
    }

    @Override
    public void close() {
        if (running.compareAndSet(true, false)) {
            closing.countDown();
            consumer.wakeup();
        }
        try {
            if (!stopped.await(10, TimeUnit.SECONDS)) {
                LOG.warnf("%s did not stop within 10 s", name);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
