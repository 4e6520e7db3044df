package dev.handoff.bench.hostile;

import dev.handoff.common.event.Topics;
import dev.handoff.common.messaging.DeadLetters;
import dev.handoff.common.messaging.EventConsumerLoop;
import dev.handoff.common.messaging.KafkaSettings;
import dev.handoff.common.serde.EventCodec;
import dev.handoff.common.serde.InvalidEventException;
import dev.handoff.lab.LabKafka;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;

/**
 * The records end to end: published as the lab's admin to a replay-style test topic of the lab broker (the codec
 * accepts every event type on {@code handoff.replay.*}), read by common's {@link EventConsumerLoop} with
 * {@link DeadLetters}. Checks that the loop's thread survives, every valid record reaches the handler, every invalid
 * one reaches the DLQ with the reason the codec gives it, and nothing else is published anywhere.
 */
public final class BrokerPass {
    static final String TOPIC = "handoff.replay.hostile-suite";
    private static final int MAX_RECORD_BYTES = 900 * 1024;

    private BrokerPass() {}

    /** Runs the pass with {@code inputs} on {@code kafka}; the tally counts what the loop did with each record. */
    public static EntryPoint run(LabKafka kafka, List<Hostile<HostileRecord>> inputs) throws Exception {
        EntryPoint tally = new EntryPoint("records through the broker");
        String dlq = Topics.deadLetter(TOPIC);
        kafka.createTopics(List.of(TOPIC, dlq));
        Map<String, Object> admin = kafka.clientSecurity(LabKafka.ADMIN);
        EventCodec codec = new EventCodec();
        Map<Long, Verdict> expected = new HashMap<>();
        int tooLarge = 0;
        Map<TopicPartition, Long> before;
        try (Admin client = kafka.admin()) {
            before = endOffsets(client);
        }
        try (KafkaProducer<String, byte[]> producer =
                new KafkaProducer<>(KafkaSettings.producer(kafka.bootstrapServers(), "hostile-suite", admin))) {
            for (Hostile<HostileRecord> input : inputs) {
                HostileRecord r = input.value();
                if (r.size() > MAX_RECORD_BYTES) {
                    tooLarge++;
                    continue;
                }
                long offset = producer.send(new ProducerRecord<>(TOPIC, 0, r.key(), r.value(), r.headers()))
                        .get()
                        .offset();
                Verdict verdict;
                try {
                    codec.decode(r.received(TOPIC, 0, offset));
                    verdict = Verdict.accepted();
                } catch (InvalidEventException e) {
                    verdict = Verdict.refused(e.reasonCode(), e.getMessage());
                } catch (RuntimeException e) {
                    verdict = Verdict.refused("decode-failed", e.toString());
                }
                expected.put(offset, verdict);
            }
        }
        tally.note(tooLarge + " records over " + MAX_RECORD_BYTES / 1024 + " KiB not sent (the codec probe has them)");

        AtomicInteger handled = new AtomicInteger();
        AtomicInteger deadLettered = new AtomicInteger();
        long invalid = expected.values().stream()
                .filter(v -> v.outcome() == Verdict.Outcome.REFUSED)
                .count();
        try (KafkaProducer<String, byte[]> dlqProducer = new KafkaProducer<>(
                        KafkaSettings.producer(kafka.bootstrapServers(), "hostile-suite-dlq", admin));
                EventConsumerLoop loop = new EventConsumerLoop(
                        "hostile-suite",
                        new KafkaConsumer<>(KafkaSettings.consumer(
                                kafka.bootstrapServers(),
                                "hostile-suite-" + System.nanoTime(),
                                "hostile-suite",
                                admin)),
                        List.of(TOPIC),
                        codec,
                        new DeadLetters(dlqProducer, "hostile-suite"),
                        batch -> handled.addAndGet(batch.size()),
                        (record, why) -> deadLettered.incrementAndGet())) {
            Thread thread = new Thread(loop, "hostile-suite-loop");
            thread.start();
            long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            while (handled.get() + deadLettered.get() < expected.size() && System.nanoTime() < deadline) {
                if (!thread.isAlive()) {
                    break;
                }
                Thread.sleep(100);
            }
            if (!thread.isAlive()) {
                tally.problem("the consumer loop's thread died: " + loop.lastError());
            }
            if (loop.lastError() != null) {
                tally.problem("the consumer loop reports an error: " + loop.lastError());
            }
        }
        tally.note(handled.get() + " handled, " + deadLettered.get() + " dead-lettered of " + expected.size()
                + " sent (" + invalid + " invalid)");
        if (handled.get() != expected.size() - invalid) {
            tally.problem(
                    "the handler got " + handled.get() + " events; " + (expected.size() - invalid) + " were valid");
        }
        Map<Long, String> reasons = readDeadLetters(kafka, dlq, deadLettered.get());
        for (Map.Entry<Long, Verdict> e : expected.entrySet()) {
            Verdict want = e.getValue();
            String got = reasons.get(e.getKey());
            if (want.outcome() == Verdict.Outcome.REFUSED && got == null) {
                tally.record("offset " + e.getKey(), Verdict.escaped("not-dead-lettered", want.reason()));
            } else if (want.outcome() == Verdict.Outcome.ACCEPTED && got != null) {
                tally.record("offset " + e.getKey(), Verdict.escaped("valid-dead-lettered", got));
            } else if (got != null && !got.equals(want.reason())) {
                tally.record(
                        "offset " + e.getKey(), Verdict.escaped("dlq-reason-differs", got + " != " + want.reason()));
            } else {
                tally.record(
                        "offset " + e.getKey(), got == null ? Verdict.accepted() : Verdict.refused("dlq: " + got, ""));
            }
        }
        try (Admin client = kafka.admin()) {
            Map<TopicPartition, Long> after = endOffsets(client);
            Set<String> changed = after.entrySet().stream()
                    .filter(e -> !e.getValue().equals(before.getOrDefault(e.getKey(), 0L)))
                    .map(e -> e.getKey().topic())
                    .collect(Collectors.toCollection(java.util.TreeSet::new));
            changed.remove(TOPIC);
            changed.remove(dlq);
            if (!changed.isEmpty()) {
                tally.problem("records were published to " + changed + " (only " + dlq + " may grow)");
            }
            tally.note("topics written besides the test topic: " + (changed.isEmpty() ? "only its DLQ" : changed));
        }
        return tally;
    }

    /** The end offset of every partition of every topic on the broker. */
    public static Map<TopicPartition, Long> endOffsets(Admin admin) throws Exception {
        Set<String> topics = admin.listTopics().names().get();
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        admin.describeTopics(topics)
                .allTopicNames()
                .get()
                .forEach((name, d) -> d.partitions()
                        .forEach(p -> request.put(new TopicPartition(name, p.partition()), OffsetSpec.latest())));
        Map<TopicPartition, Long> out = new HashMap<>();
        admin.listOffsets(request).all().get().forEach((tp, info) -> out.put(tp, info.offset()));
        return out;
    }

    private static Map<Long, String> readDeadLetters(LabKafka kafka, String dlq, int expected) {
        Map<Long, String> reasons = new HashMap<>();
        Map<String, Object> settings = KafkaSettings.consumer(
                kafka.bootstrapServers(),
                "hostile-suite-dlq-reader",
                "hostile-suite",
                kafka.clientSecurity(LabKafka.ADMIN));
        settings.put("isolation.level", "read_uncommitted");
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(settings)) {
            List<TopicPartition> partitions = consumer.partitionsFor(dlq).stream()
                    .map(p -> new TopicPartition(dlq, p.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (reasons.size() < expected && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    reasons.put(Long.parseLong(header(r, DeadLetters.H_OFFSET)), header(r, DeadLetters.H_REASON));
                }
            }
        }
        return reasons;
    }

    private static String header(ConsumerRecord<String, byte[]> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null ? "" : new String(h.value(), StandardCharsets.UTF_8);
    }
}
