package dev.handoff.common.messaging;

import dev.handoff.common.serde.EventCodec;
import dev.handoff.common.serde.InvalidEventException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.jboss.logging.Logger;

/**
 * A stage's consumer: works on up to {@code concurrency} keys (hosts) at once, never on one key twice at once, and
 * commits a partition's offset only up to its first unfinished record.
 *
 * <p>One thread polls: it decodes and validates each record (an invalid one goes to the dead-letter topic and counts
 * as done), queues the valid ones per key (the event's subject, the host) in arrival order, and hands a key whose
 * work is not running to a worker thread together with <em>every</em> event waiting for that key, so that the handler
 * can run the newest and record the others as superseded. A failing handler is retried with back-off while other
 * keys go on. When more than {@code maxWaiting} events wait, the loop pauses its partitions (and keeps polling, so the
 * group never evicts it while long runs last).
 *
 * <p>Offsets: for each partition the committed offset is its first unfinished record, and the commit's metadata lists
 * which records after it are unfinished too ({@link Progress#metadata()}). A consumer that takes the partition over
 * (after a crash or a rebalance) skips the records the metadata says are done, so a crash in the middle of a
 * concurrent batch re-runs only the unfinished work and loses none. The same technique as Confluent's Parallel
 * Consumer (docs/adr/0001-plain-kafka-clients.md says why this loop and not that library).
 */
public final class KeyedEventLoop implements Runnable, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(KeyedEventLoop.class);
    private static final Duration POLL = Duration.ofMillis(200);
    /** The first wait after the consumer itself failed; it doubles up to 30 s while the failures go on. */
    private static final Duration FIRST_RETRY = Duration.ofSeconds(1);

    private static final long COMMIT_EVERY_MS = 100;
    private static final int PARALLEL_DECODE_THRESHOLD = 64;
    /** Kafka's default {@code offset.metadata.max.bytes} is 4096; stay well below it. */
    static final int METADATA_LIMIT = 3000;

    /**
     * Consumer settings a keyed loop's consumer needs on top of {@link KafkaSettings#consumer}: the cooperative sticky
     * assignor, so a rebalance revokes only the partitions that move (an eager one would revoke every partition and
     * make each replica wait for all its running work).
     */
    public static final Map<String, Object> CONSUMER_SETTINGS = Map.of(
            org.apache.kafka.clients.consumer.ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG,
            org.apache.kafka.clients.consumer.CooperativeStickyAssignor.class.getName());

    /** Runs the work of one key; returning marks every given event done. Throwing retries the same events. */
    @FunctionalInterface
    public interface KeyHandler {
        /**
         * @param key the events' subject (their host)
         * @param waiting every event that waited for this key, in the order they were read (oldest first)
         */
        void handle(String key, List<ReceivedEvent> waiting) throws Exception;
    }

    /** How the loop works. */
    public record Settings(int concurrency, int maxWaiting, Duration revokeGrace, Duration stopGrace) {
        public Settings {
            if (concurrency < 1) {
                throw new IllegalArgumentException("concurrency must be at least 1, got " + concurrency);
            }
            if (maxWaiting < concurrency) {
                throw new IllegalArgumentException(
                        "maxWaiting (" + maxWaiting + ") must be at least the concurrency (" + concurrency + ")");
            }
        }

        /** {@code concurrency} keys at once, up to 4,096 waiting events (at least 4 per worker). */
        public static Settings of(int concurrency) {
            return new Settings(
                    concurrency, Math.max(4096, 4 * concurrency), Duration.ofSeconds(30), Duration.ofSeconds(10));
        }
    }

    private final String name;
    private final Consumer<String, byte[]> consumer;
    private final List<String> topics;
    private final EventCodec codec;
    private final DeadLetters deadLetters;
    private final KeyHandler handler;
    private final EventConsumerLoop.DeadLetterListener deadLetterListener;
    private final Settings settings;
    private final ExecutorService workers;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final CountDownLatch closing = new CountDownLatch(1);
    private final RecordIntake intake;
    private final AtomicInteger retrying = new AtomicInteger();

    private final Object lock = new Object();
    // guarded by lock
    private final Map<TopicPartition, Progress> progress = new HashMap<>();
    private final LinkedHashMap<String, ArrayDeque<ReceivedEvent>> waiting = new LinkedHashMap<>();
    private final Set<String> busy = new HashSet<>();
    private int queued;
    private int peakBusy;
    // poll thread only
    private final Map<TopicPartition, OffsetAndMetadata> committed = new HashMap<>();
    private long lastCommit;
    private volatile boolean healthy;
    private volatile String lastError;

    public KeyedEventLoop(
            String name,
            Consumer<String, byte[]> consumer,
            Collection<String> topics,
            EventCodec codec,
            DeadLetters deadLetters,
            Settings settings,
            KeyHandler handler,
            EventConsumerLoop.DeadLetterListener deadLetterListener) {
        this.name = name;
        this.consumer = consumer;
        this.topics = List.copyOf(topics);
        this.codec = codec;
        this.deadLetters = deadLetters;
        this.settings = settings;
        this.handler = handler;
        this.deadLetterListener = deadLetterListener;
        this.intake = new RecordIntake(name, codec, deadLetters, deadLetterListener);
        AtomicInteger n = new AtomicInteger();
        this.workers = Executors.newFixedThreadPool(settings.concurrency(), r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public void run() {
        try {
            consumer.subscribe(topics, new Rebalance());
            int failures = 0;
            Duration backoff = FIRST_RETRY;
            while (running.get()) {
                try {
                    ConsumerRecords<String, byte[]> records = consumer.poll(POLL);
                    if (!records.isEmpty()) {
                        accept(records);
                    }
                    throttle();
                    commit(false);
                    healthy = retrying.get() == 0;
                    failures = 0;
                    backoff = FIRST_RETRY;
                } catch (WakeupException | org.apache.kafka.common.errors.InterruptException e) {
                    throw e;
                } catch (KafkaException e) {
                    // the consumer recovers at its next poll: a failed poll returned nothing, and what a failed commit
                    // held stays in progress for the next one (or for the partition's next owner, which reads it again)
                    healthy = false;
                    lastError = e.toString();
                    backoff = RecordIntake.consumerFailed(name, e, ++failures, backoff, closing);
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
            running.set(false);
            boolean interrupted = Thread.interrupted();
            try {
                finish();
            } finally {
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
                stopped.countDown();
            }
        }
    }

    /** On the way out: let running work end (within the grace), commit what is done, leave the group. */
    private void finish() {
        workers.shutdown();
        try {
            if (!workers.awaitTermination(settings.stopGrace().toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warnf("%s: work still running after %s; it will run again elsewhere", name, settings.stopGrace());
                workers.shutdownNow();
            }
        } catch (InterruptedException e) {
            workers.shutdownNow();
        }
        try {
            commit(true);
        } catch (RuntimeException e) {
            LOG.warnf("%s: the last commit failed (%s); unfinished and unconfirmed work runs again", name, e);
        }
        consumer.close(Duration.ofSeconds(5));
    }

    private void accept(ConsumerRecords<String, byte[]> records) throws InterruptedException {
        List<ConsumerRecord<String, byte[]>> polled = new ArrayList<>(records.count());
        records.forEach(polled::add);
        Object[] decoded = new Object[polled.size()];
        IntStream range = IntStream.range(0, polled.size());
        (polled.size() >= PARALLEL_DECODE_THRESHOLD ? range.parallel() : range)
                .forEach(i -> decoded[i] = intake.decode(polled.get(i)));
        for (int i = 0; i < polled.size(); i++) {
            ConsumerRecord<String, byte[]> r = polled.get(i);
            TopicPartition tp = new TopicPartition(r.topic(), r.partition());
            boolean todo;
            synchronized (lock) {
                Progress p = progress.computeIfAbsent(tp, t -> new Progress());
                todo = p.see(r.offset());
            }
            if (!todo) {
                continue;
            }
            if (decoded[i] instanceof ReceivedEvent event) {
                synchronized (lock) {
                    waiting.computeIfAbsent(key(event), k -> new ArrayDeque<>()).add(event);
                    queued++;
                }
            } else {
                deadLetter(r, (InvalidEventException) decoded[i]);
                synchronized (lock) {
                    Progress p = progress.get(tp);
                    if (p != null) {
                        p.done(r.offset());
                    }
                }
            }
        }
        synchronized (lock) {
            dispatch();
        }
    }

    private static String key(ReceivedEvent event) {
        String subject = event.event().subject();
        return subject == null ? "" : subject;
    }

    /** Hands waiting keys to free workers, oldest waiting key first. Holds the lock. */
    private void dispatch() {
        Iterator<Map.Entry<String, ArrayDeque<ReceivedEvent>>> it =
                waiting.entrySet().iterator();
        while (busy.size() < settings.concurrency() && it.hasNext() && running.get()) {
            Map.Entry<String, ArrayDeque<ReceivedEvent>> entry = it.next();
            String key = entry.getKey();
            if (busy.contains(key)) {
                continue;
            }
            List<ReceivedEvent> events = List.copyOf(entry.getValue());
            it.remove();
            busy.add(key);
            peakBusy = Math.max(peakBusy, busy.size());
            for (ReceivedEvent e : events) {
                Progress p = progress.get(new TopicPartition(e.topic(), e.partition()));
                if (p != null) {
                    p.running++;
                }
            }
            try {
                workers.execute(() -> work(key, events));
            } catch (java.util.concurrent.RejectedExecutionException stopping) {
                // the loop is stopping: the events stay unfinished and run again after a restart
                busy.remove(key);
                for (ReceivedEvent e : events) {
                    Progress p = progress.get(new TopicPartition(e.topic(), e.partition()));
                    if (p != null) {
                        p.running--;
                    }
                }
                return;
            }
        }
    }

    private void work(String key, List<ReceivedEvent> events) {
        boolean done = false;
        Duration backoff = Duration.ofMillis(200);
        boolean counted = false;
        try {
            while (running.get()) {
                try {
                    handler.handle(key, events);
                    done = true;
                    break;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                } catch (Exception e) {
                    lastError = e.toString();
                    if (!counted) {
                        retrying.incrementAndGet();
                        counted = true;
                    }
                    healthy = false;
                    LOG.errorf(
                            e,
                            "%s: handling %d event(s) of %s failed, retrying in %d ms: %s",
                            name,
                            events.size(),
                            key,
                            backoff.toMillis(),
                            e.getMessage());
                    if (stopped.await(backoff.toMillis(), TimeUnit.MILLISECONDS) || !running.get()) {
                        break;
                    }
                    backoff = RecordIntake.longer(backoff);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException | Error e) {
            lastError = e.toString();
            LOG.errorf(e, "%s: the work of %s ended abnormally; it runs again after a restart", name, key);
        } finally {
            if (counted && retrying.decrementAndGet() == 0 && done) {
                lastError = null;
            }
            synchronized (lock) {
                for (ReceivedEvent e : events) {
                    Progress p = progress.get(new TopicPartition(e.topic(), e.partition()));
                    if (p != null) {
                        p.running--;
                        if (done) {
                            p.done(e.offset());
                        }
                    }
                }
                queued -= events.size();
                busy.remove(key);
                lock.notifyAll();
                dispatch();
            }
        }
    }

    /** Pauses reading while too many events wait; resumes once half of them are done. Poll thread only. */
    private void throttle() {
        int waitingNow;
        synchronized (lock) {
            waitingNow = queued;
        }
        Set<TopicPartition> assigned = consumer.assignment();
        if (waitingNow >= settings.maxWaiting()) {
            consumer.pause(assigned);
        } else if (waitingNow < settings.maxWaiting() / 2 && !consumer.paused().isEmpty()) {
            consumer.resume(consumer.paused());
        }
    }

    /** Commits each partition up to its first unfinished record, with the unfinished ones after it. Poll thread. */
    private void commit(boolean now) {
        long time = System.currentTimeMillis();
        if (!now && time - lastCommit < COMMIT_EVERY_MS) {
            return;
        }
        lastCommit = time;
        Map<TopicPartition, OffsetAndMetadata> next = new HashMap<>();
        synchronized (lock) {
            for (Map.Entry<TopicPartition, Progress> e : progress.entrySet()) {
                OffsetAndMetadata om = e.getValue().commitPoint();
                if (om != null && !om.equals(committed.get(e.getKey()))) {
                    next.put(e.getKey(), om);
                }
            }
        }
        if (next.isEmpty()) {
            return;
        }
        try {
            consumer.commitSync(next);
        } catch (WakeupException e) {
            if (running.get()) {
                throw e;
            }
            // close() woke the consumer during the commit (a wakeup fires once): commit, then stop
            consumer.commitSync(next);
            committed.putAll(next);
            throw e;
        }
        committed.putAll(next);
    }

    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            if (partitions.isEmpty()) {
                return;
            }
            Map<TopicPartition, OffsetAndMetadata> known = consumer.committed(new HashSet<>(partitions));
            synchronized (lock) {
                for (TopicPartition tp : partitions) {
                    OffsetAndMetadata om = known.get(tp);
                    progress.put(tp, Progress.resume(om));
                    if (om != null) {
                        committed.put(tp, om);
                    } else {
                        committed.remove(tp);
                    }
                }
            }
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            if (partitions.isEmpty()) {
                return;
            }
            long deadline = System.nanoTime() + settings.revokeGrace().toNanos();
            synchronized (lock) {
                drop(partitions);
                try {
                    while (partitions.stream().anyMatch(tp -> {
                        Progress p = progress.get(tp);
                        return p != null && p.running > 0;
                    })) {
                        long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                        if (left <= 0) {
                            LOG.warnf(
                                    "%s: work of revoked partitions still running after %s; its records run again"
                                            + " on their new owner",
                                    name, settings.revokeGrace());
                            break;
                        }
                        lock.wait(left);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            try {
                commit(true);
            } catch (RuntimeException e) {
                LOG.warnf("%s: committing revoked partitions failed (%s); their new owner re-runs them", name, e);
            }
            synchronized (lock) {
                partitions.forEach(progress::remove);
                partitions.forEach(committed::remove);
            }
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            synchronized (lock) {
                drop(partitions);
                partitions.forEach(progress::remove);
                partitions.forEach(committed::remove);
            }
        }

        /** Forgets the waiting (not running) events of {@code partitions}: their new owner reads them again. */
        private void drop(Collection<TopicPartition> partitions) {
            Iterator<Map.Entry<String, ArrayDeque<ReceivedEvent>>> it =
                    waiting.entrySet().iterator();
            while (it.hasNext()) {
                ArrayDeque<ReceivedEvent> events = it.next().getValue();
                int before = events.size();
                events.removeIf(e -> partitions.contains(new TopicPartition(e.topic(), e.partition())));
                queued -= before - events.size();
                if (events.isEmpty()) {
                    it.remove();
                }
            }
        }
    }

    private void deadLetter(ConsumerRecord<String, byte[]> r, InvalidEventException why) throws InterruptedException {
        intake.deadLetter(r, why, running::get, stopped, error -> lastError = error);
    }

    /** Whether the loop is polling and no work is being retried. */
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

    /** How many events wait for a worker (their key's work is running or every worker is busy). */
    public int waiting() {
        synchronized (lock) {
            return waiting.values().stream().mapToInt(ArrayDeque::size).sum();
        }
    }

    /** How many keys are being worked on now. */
    public int working() {
        synchronized (lock) {
            return busy.size();
        }
    }

    /** The most keys that were worked on at once since the loop started. */
    public int peakConcurrency() {
        synchronized (lock) {
            return peakBusy;
        }
    }

    @Override
    public void close() {
        if (running.compareAndSet(true, false)) {
            closing.countDown();
            consumer.wakeup();
        }
        try {
            if (!stopped.await(settings.stopGrace().toMillis() + 10_000, TimeUnit.MILLISECONDS)) {
                LOG.warnf("%s did not stop in time", name);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * One partition's progress: the records read and not yet done. Records are read in offset order, so the first
     * unfinished offset is where a new owner must start; the later unfinished ones travel in the commit's metadata.
     */
    static final class Progress {
        private static final String FORMAT = "hk1";
        /** Unfinished offsets, read or (after a take-over) still to be read again. */
        private final java.util.TreeSet<Long> unfinished = new java.util.TreeSet<>();
        /** Offsets below this that are not unfinished are done (from the previous owner's commit). */
        private long doneBelow;
        /** One past the highest offset read, or -1 before the first. */
        private long next = -1;
        /** Unfinished offsets inherited from the previous owner that have not been read again yet. */
        private final java.util.TreeSet<Long> inherited = new java.util.TreeSet<>();

        int running;

        static Progress resume(OffsetAndMetadata om) {
            Progress p = new Progress();
            if (om == null) {
                return p;
            }
            p.next = om.offset();
            p.doneBelow = om.offset();
            String meta = om.metadata();
            if (meta == null || !meta.startsWith(FORMAT + ":")) {
                return p;
            }
            try {
                String[] parts = meta.split(":", 3);
                long upTo = Long.parseLong(parts[1]);
                java.util.BitSet bits = java.util.BitSet.valueOf(
                        java.util.Base64.getUrlDecoder().decode(parts[2]));
                if (upTo < om.offset()) {
                    return p;
                }
                p.doneBelow = upTo;
                p.next = upTo;
                // the committed offset itself is unfinished; so is every offset whose bit is set
                p.inherited.add(om.offset());
                for (int i = bits.nextSetBit(0); i >= 0; i = bits.nextSetBit(i + 1)) {
                    p.inherited.add(om.offset() + i);
                }
                p.unfinished.addAll(p.inherited);
            } catch (RuntimeException malformed) {
                p.doneBelow = om.offset();
                p.next = om.offset();
                p.inherited.clear();
                p.unfinished.clear();
            }
            return p;
        }

        /** Records that {@code offset} was read; whether it still has to be handled. */
        boolean see(long offset) {
            // records come in offset order: an inherited offset below this one is gone (retention) and never comes
            while (!inherited.isEmpty() && inherited.first() < offset) {
                unfinished.remove(inherited.pollFirst());
            }
            boolean inheritedUnfinished = inherited.remove(offset);
            next = Math.max(next, offset + 1);
            if (offset < doneBelow && !inheritedUnfinished) {
                return false;
            }
            unfinished.add(offset);
            return true;
        }

        void done(long offset) {
            unfinished.remove(offset);
        }

        /** The offset and metadata to commit, or null before anything was read or inherited. */
        OffsetAndMetadata commitPoint() {
            if (next < 0) {
                return null;
            }
            if (unfinished.isEmpty()) {
                return new OffsetAndMetadata(next);
            }
            long first = unfinished.first();
            if (next - first > 6L * METADATA_LIMIT) {
                // too many to list: commit only the first unfinished offset; what is done after it runs again
                return new OffsetAndMetadata(first, "");
            }
            java.util.BitSet bits = new java.util.BitSet();
            for (long o : unfinished) {
                bits.set((int) (o - first));
            }
            String meta = FORMAT + ":" + next + ":"
                    + java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(bits.toByteArray());
            return new OffsetAndMetadata(first, meta.length() <= METADATA_LIMIT ? meta : "");
        }
    }
}
