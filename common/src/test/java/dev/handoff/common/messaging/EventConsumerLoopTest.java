package dev.handoff.common.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import dev.handoff.common.contract.Samples;
import dev.handoff.common.event.EventEnvelope;
import dev.handoff.common.event.EventType;
import dev.handoff.common.event.Topics;
import dev.handoff.common.serde.EventCodec;
import dev.handoff.common.serde.InvalidEventException;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class EventConsumerLoopTest {
    private static final TopicPartition P0 = new TopicPartition(Topics.COMMITS, 0);
    private static final TopicPartition P1 = new TopicPartition(Topics.COMMITS, 1);
    private static final String ID_ON_P1 = "00000000-0000-4000-8000-00000000000b";

    private final EventCodec codec = new EventCodec();
    private final Map<TopicPartition, Long> committed = new ConcurrentHashMap<>();
    private final CountDownLatch commits = new CountDownLatch(1);
    private final CommitRecordingConsumer consumer = new CommitRecordingConsumer();
    private final MockProducer<String, byte[]> producer =
            new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer());
    private final List<String> handled = Collections.synchronizedList(new ArrayList<>());
    private final List<String> deadLettered = Collections.synchronizedList(new ArrayList<>());
    private EventConsumerLoop loop;

    /**
     * A MockConsumer that keeps a log like a broker (a seek re-delivers from the log; MockConsumer alone forgets
     * records once polled) and remembers what was committed.
     */
    private final class CommitRecordingConsumer extends MockConsumer<String, byte[]> {
        private final Map<TopicPartition, List<ConsumerRecord<String, byte[]>>> log = new ConcurrentHashMap<>();

        CommitRecordingConsumer() {
            super("earliest");
        }

        @Override
        public synchronized void addRecord(ConsumerRecord<String, byte[]> record) {
            log.computeIfAbsent(new TopicPartition(record.topic(), record.partition()), tp -> new ArrayList<>())
                    .add(record);
            super.addRecord(record);
        }

        @Override
        public synchronized void seek(TopicPartition partition, long offset) {
            super.seek(partition, offset);
            for (ConsumerRecord<String, byte[]> r : log.getOrDefault(partition, List.of())) {
                if (r.offset() >= offset) {
                    super.addRecord(r);
                }
            }
        }

        @Override
        public synchronized void commitSync(Map<TopicPartition, OffsetAndMetadata> offsets) {
            super.commitSync(offsets);
            offsets.forEach((tp, o) -> committed.put(tp, o.offset()));
            commits.countDown();
        }
    }

    @AfterEach
    void stop() {
        if (loop != null) {
            loop.close();
        }
    }

    private void start(EventConsumerLoop.BatchHandler handler) {
        loop = new EventConsumerLoop(
                "test-loop",
                consumer,
                List.of(Topics.COMMITS),
                codec,
                new DeadLetters(producer, "test-group"),
                handler,
                (record, why) -> deadLettered.add(why.reasonCode()));
        Thread thread = new Thread(loop, "event-consumer-loop-test");
        thread.setDaemon(true);
        thread.start();
    }

    private ConsumerRecord<String, byte[]> event(TopicPartition tp, long offset, String id)
            throws InvalidEventException {
        EventEnvelope e = new EventEnvelope(
                id,
                "/handoff/control-service",
                EventType.COMMIT_PUSHED.type(),
                "cloud-edge-1",
                OffsetDateTime.parse("2025-11-24T09:12:44Z"),
                EventType.COMMIT_PUSHED.dataSchema(1),
                null,
                null,
                null,
                Samples.read("/samples/commit.pushed/v1/edge-cluster-infra-main.json"));
        ProducerRecord<String, byte[]> sent = codec.encode(e);
        return new ConsumerRecord<>(
                tp.topic(),
                tp.partition(),
                offset,
                0L,
                TimestampType.CREATE_TIME,
                -1,
                -1,
                sent.key(),
                sent.value(),
                sent.headers(),
                Optional.empty());
    }

    @Test
    void invalidRecordsGoToTheDeadLetterTopicAndTheStreamGoesOn() throws Exception {
        // Given a valid event, a record that is not JSON and another valid event
        ConsumerRecord<String, byte[]> first = event(P0, 0, "00000000-0000-4000-8000-000000000001");
        ConsumerRecord<String, byte[]> valid = event(P0, 2, "00000000-0000-4000-8000-000000000003");
        ConsumerRecord<String, byte[]> template = event(P0, 1, "00000000-0000-4000-8000-000000000002");
        ConsumerRecord<String, byte[]> broken = new ConsumerRecord<>(
                P0.topic(),
                0,
                1,
                0L,
                TimestampType.CREATE_TIME,
                -1,
                -1,
                template.key(),
                "{oops".getBytes(StandardCharsets.UTF_8),
                template.headers(),
                Optional.empty());
        consumer.updateBeginningOffsets(Map.of(P0, 0L));
        consumer.schedulePollTask(() -> {
            consumer.rebalance(List.of(P0));
            consumer.addRecord(first);
            consumer.addRecord(broken);
            consumer.addRecord(valid);
        });

        // When
        start(batch -> batch.forEach(r -> handled.add(r.event().id())));

        // Then
        assertThat(commits.await(10, TimeUnit.SECONDS)).as("offsets committed").isTrue();
        assertThat(handled)
                .containsExactly("00000000-0000-4000-8000-000000000001", "00000000-0000-4000-8000-000000000003");
        assertThat(deadLettered).containsExactly("unreadable-body");
        assertThat(producer.history()).extracting(ProducerRecord::topic).containsExactly("handoff.commits.dlq");
        assertThat(committed).containsEntry(P0, 3L);
    }

    @Test
    void aRecordWhoseDeploymentIdIsAPathGoesToTheDeadLetterTopicAndTheStreamGoesOn() throws Exception {
        // Given a valid event, one whose ce_deploymentid leads out of a work folder, and another valid event
        ConsumerRecord<String, byte[]> first = event(P0, 0, "00000000-0000-4000-8000-000000000001");
        ConsumerRecord<String, byte[]> template = event(P0, 1, "00000000-0000-4000-8000-000000000002");
        ConsumerRecord<String, byte[]> valid = event(P0, 2, "00000000-0000-4000-8000-000000000003");
        template.headers().remove(EventCodec.H_DEPLOYMENTID);
        template.headers().add(EventCodec.H_DEPLOYMENTID, "../../state".getBytes(StandardCharsets.UTF_8));
        consumer.updateBeginningOffsets(Map.of(P0, 0L));
        consumer.schedulePollTask(() -> {
            consumer.rebalance(List.of(P0));
            consumer.addRecord(first);
            consumer.addRecord(template);
            consumer.addRecord(valid);
        });

        // When
        start(batch -> batch.forEach(r -> handled.add(r.event().id())));

        // Then
        assertThat(commits.await(10, TimeUnit.SECONDS)).as("offsets committed").isTrue();
        assertThat(handled)
                .containsExactly("00000000-0000-4000-8000-000000000001", "00000000-0000-4000-8000-000000000003");
        assertThat(deadLettered).containsExactly("bad-header");
        assertThat(producer.history()).singleElement().satisfies(dlq -> {
            assertThat(dlq.topic()).isEqualTo("handoff.commits.dlq");
            assertThat(new String(
                            dlq.headers().lastHeader(DeadLetters.H_MESSAGE).value(), StandardCharsets.UTF_8))
                    .contains("ce_deploymentid")
                    .contains("'../../state'");
        });
        assertThat(committed).containsEntry(P0, 3L);
    }

    @Test
    void aLargePollIsHandledInOrderInChunksEachCommittedAndItsInvalidRecordsDeadLettered() throws Exception {
        // Given 2,500 records on one partition (more than two chunks), one of them not JSON
        int count = 2_500;
        int brokenAt = 1_234;
        List<String> expected = new ArrayList<>();
        List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String id = String.format("00000000-0000-4000-8000-%012d", i);
            ConsumerRecord<String, byte[]> r = event(P0, i, id);
            if (i == brokenAt) {
                r = new ConsumerRecord<>(
                        P0.topic(),
                        0,
                        i,
                        0L,
                        TimestampType.CREATE_TIME,
                        -1,
                        -1,
                        r.key(),
                        "{oops".getBytes(StandardCharsets.UTF_8),
                        r.headers(),
                        Optional.empty());
            } else {
                expected.add(id);
            }
            records.add(r);
        }
        consumer.updateBeginningOffsets(Map.of(P0, 0L));
        consumer.schedulePollTask(() -> {
            consumer.rebalance(List.of(P0));
            records.forEach(consumer::addRecord);
        });
        CountDownLatch all = new CountDownLatch(1);
        List<Integer> batchSizes = Collections.synchronizedList(new ArrayList<>());

        // When
        start(batch -> {
            batchSizes.add(batch.size());
            batch.forEach(r -> handled.add(r.event().id()));
            if (handled.size() == count - 1) {
                all.countDown();
            }
        });

        // Then: every valid event once, in order, in more than one handler call; the last offset committed
        assertThat(all.await(30, TimeUnit.SECONDS))
                .as("every valid event handled")
                .isTrue();
        assertThat(handled).containsExactlyElementsOf(expected);
        assertThat(batchSizes).hasSizeGreaterThan(1);
        assertThat(deadLettered).containsExactly("unreadable-body");
        loop.close();
        assertThat(committed).containsEntry(P0, (long) count);
    }

    @Test
    void recordsPolledWhileAFailingBatchIsRetriedAreNotLost() throws Exception {
        // Given a handler that fails once, and a rebalance that assigns a new partition with a record
        // while the loop keeps its group membership during the retry
        ConsumerRecord<String, byte[]> onP0 = event(P0, 0, "00000000-0000-4000-8000-00000000000a");
        ConsumerRecord<String, byte[]> onP1 = event(P1, 0, ID_ON_P1);
        consumer.updateBeginningOffsets(Map.of(P0, 0L, P1, 0L));
        consumer.schedulePollTask(() -> {
            consumer.rebalance(List.of(P0));
            consumer.addRecord(onP0);
        });
        AtomicInteger calls = new AtomicInteger();
        CountDownLatch secondSeen = new CountDownLatch(1);

        // When
        start(batch -> {
            if (calls.getAndIncrement() == 0) {
                consumer.schedulePollTask(() -> {
                    consumer.rebalance(List.of(P0, P1));
                    consumer.addRecord(onP1);
                });
                throw new IllegalStateException("ledger database is down");
            }
            batch.forEach(r -> handled.add(r.event().id()));
            if (handled.contains(ID_ON_P1)) {
                secondSeen.countDown();
            }
        });

        // Then
        assertThat(secondSeen.await(10, TimeUnit.SECONDS))
                .as("the record of the newly assigned partition reached the handler; handled: %s", handled)
                .isTrue();
        assertThat(handled).containsExactly("00000000-0000-4000-8000-00000000000a", ID_ON_P1);
    }

    @Test
    void aConsumerThatFailsGoesOnPollingAndReadsAgainFromTheCommittedOffsets() throws Exception {
        // Given: the broker refuses the first poll (as while its ACLs are being restored), after which the group
        // assigns the partition again, with two records on it
        ConsumerRecord<String, byte[]> first = event(P0, 0, "00000000-0000-4000-8000-0000000000c1");
        ConsumerRecord<String, byte[]> second = event(P0, 1, "00000000-0000-4000-8000-0000000000c2");
        consumer.updateBeginningOffsets(Map.of(P0, 0L));
        consumer.schedulePollTask(() -> consumer.rebalance(List.of(P0)));
        consumer.schedulePollTask(() -> {
            consumer.rebalance(List.of(P0));
            consumer.addRecord(first);
            consumer.addRecord(second);
        });
        consumer.setPollException(
                new org.apache.kafka.common.errors.TopicAuthorizationException(java.util.Set.of(Topics.COMMITS)));

        // When
        start(batch -> batch.forEach(r -> handled.add(r.event().id())));

        // Then: the loop did not stop: it polled again, handled both records once and committed them
        assertThat(commits.await(20, TimeUnit.SECONDS)).as("offsets committed").isTrue();
        assertThat(handled)
                .containsExactly("00000000-0000-4000-8000-0000000000c1", "00000000-0000-4000-8000-0000000000c2");
        assertThat(committed).containsEntry(P0, 2L);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!loop.healthy() && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertThat(loop.healthy())
                .as("healthy again; last error %s", loop.lastError())
                .isTrue();
    }
}
