package dev.handoff.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.handoff.common.event.EventEnvelope;
import dev.handoff.common.event.EventType;
import dev.handoff.common.event.Stage;
import dev.handoff.common.event.Topics;
import dev.handoff.common.messaging.DeadLetters;
import dev.handoff.common.messaging.EventConsumerLoop;
import dev.handoff.common.messaging.EventPublisher;
import dev.handoff.common.messaging.KafkaSettings;
import dev.handoff.common.messaging.ReceivedEvent;
import dev.handoff.common.serde.EventCodec;
import dev.handoff.common.serde.Json;
import dev.handoff.lab.LabKafka;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The scaling rule of docs/deploy.md on a real broker: two replicas of one stage (two {@link EventConsumerLoop}s in
 * one consumer group) share a topic with {@link LabKafka#PARTITIONS} partitions keyed by host. Work for many hosts is
 * spread over both, no host is ever handled by both at once, every event is handled, in order per host — also when
 * one replica stops in the middle of a batch.
 */
class StageScalingTest {
    private static final int HOSTS = 24;
    private static final Duration WAIT = Duration.ofSeconds(60);

    private final LabKafka kafka = LabKafka.shared();
    // A real stage input topic of the lab, keyed by host; only this test's events (causation = run) are counted.
    private final String topic = Topics.CLOUD_FACTS;
    private final String run = UUID.randomUUID().toString();
    private final String group = "scaling-test-stage-" + UUID.randomUUID();
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final List<EventConsumerLoop> loops = new CopyOnWriteArrayList<>();
    private final Work work = new Work();
    private final List<String> deadLettered = new CopyOnWriteArrayList<>();
    private EventPublisher publisher;

    @BeforeEach
    void createTopicAndPublisher() {
        publisher = new EventPublisher(
                new KafkaProducer<>(KafkaSettings.producer(
                        kafka.bootstrapServers(), "scaling-test", kafka.clientSecurity(LabKafka.ADMIN))),
                new EventCodec());
    }

    @AfterEach
    void stop() {
        loops.forEach(EventConsumerLoop::close);
        threads.shutdownNow();
        publisher.close();
    }

    @Test
    void twoReplicasShareTheHostsAndNeverHandleOneHostAtTheSameTime() {
        // Given two replicas of a stage in one group, each holding some of the partitions, and a handler that stays
        // inside its first batch until both replicas are busy at the same moment
        startReplica("replica-a");
        startReplica("replica-b");
        awaitMembersWithPartitions(2);
        work.holdFirstBatchUntilBothAreBusy();

        // When events for many hosts are published, several per host
        List<EventEnvelope> published = publishRounds(4);

        // Then every event is handled exactly once, work went to both replicas, and they really ran side by side
        awaitAllHandled(published);
        assertThat(work.handlings()).hasSize(published.size());
        assertThat(work.hostsOf("replica-a")).isNotEmpty();
        assertThat(work.hostsOf("replica-b")).isNotEmpty();
        assertThat(work.bothWereBusyAtOnce())
                .as("both replicas were inside a batch at the same moment")
                .isTrue();
        // and no host was ever handled by the two replicas at once, or by both at all while neither stopped
        assertThat(work.concurrentHandlingsOfOneHost()).isEmpty();
        assertThat(work.hostsOf("replica-a")).doesNotContainAnyElementsOf(work.hostsOf("replica-b"));
        // and each host's events were handled in the order they were published
        assertThat(work.firstHandlingOrderPerHost()).isEqualTo(orderPerHost(published));
    }

    @Test
    void whenOneReplicaStopsMidBatchTheOtherTakesItsHostsWithoutOverlapOrLoss() {
        // Given two replicas sharing the partitions, and replica B that will be stopped inside a batch
        startReplica("replica-a");
        EventConsumerLoop replicaB = startReplica("replica-b");
        awaitMembersWithPartitions(2);
        CountDownLatch bInsideBatch = new CountDownLatch(1);
        CountDownLatch releaseB = new CountDownLatch(1);
        work.pauseInsideNextBatchOf("replica-b", bInsideBatch, releaseB);

        // When events for many hosts are published and B is stopped while it is handling some of them
        List<EventEnvelope> first = publishRounds(2);
        await().atMost(WAIT).until(() -> bInsideBatch.getCount() == 0);
        var stopping = threads.submit(replicaB::close);
        List<EventEnvelope> second = publishRounds(2);
        releaseB.countDown();
        await().atMost(WAIT).until(stopping::isDone);
        List<EventEnvelope> published = new ArrayList<>(first);
        published.addAll(second);

        // Then replica A handles everything that is left, B's hosts included
        awaitAllHandled(published);
        assertThat(work.hostsOf("replica-a")).containsAll(work.hostsOf("replica-b"));
        // and no host was handled by both at once, even while the partitions moved
        assertThat(work.concurrentHandlingsOfOneHost()).isEmpty();
        // and an event is handled twice only if B handled it in the batch it could not commit before stopping
        Map<String, Long> counts = work.countsById();
        Set<String> repeated = new LinkedHashSet<>();
        counts.forEach((id, n) -> {
            if (n > 1) {
                repeated.add(id);
            }
        });
        assertThat(counts.values()).allSatisfy(n -> assertThat(n).isBetween(1L, 2L));
        assertThat(work.idsHandledBy("replica-b")).containsAll(repeated);
        // and each host's events were first handled in the order they were published
        assertThat(work.firstHandlingOrderPerHost()).isEqualTo(orderPerHost(published));
    }

    private EventConsumerLoop startReplica(String name) {
        KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(KafkaSettings.consumer(
                kafka.bootstrapServers(),
                group,
                name,
                LabKafka.asAdmin(Map.of(
                        "bootstrap.servers",
                        kafka.bootstrapServers(),
                        "max.poll.records",
                        10,
                        "session.timeout.ms",
                        10_000,
                        "heartbeat.interval.ms",
                        500))));
        DeadLetters deadLetters = new DeadLetters(
                new KafkaProducer<>(KafkaSettings.producer(
                        kafka.bootstrapServers(), name + "-dlq", kafka.clientSecurity(LabKafka.ADMIN))),
                group);
        EventConsumerLoop loop = new EventConsumerLoop(
                name,
                consumer,
                List.of(topic),
                new EventCodec(),
                deadLetters,
                batch -> work.handle(name, ofThisRun(batch)),
                (r, why) -> deadLettered.add(why.getMessage()));
        loops.add(loop);
        threads.submit(loop);
        return loop;
    }

    private void awaitMembersWithPartitions(int members) {
        try (Admin admin = kafka.admin()) {
            // until the first member joins, Kafka 4 answers that the group does not exist
            await().atMost(WAIT)
                    .ignoreExceptionsMatching(StageScalingTest::groupNotFoundYet)
                    .until(() -> {
                        ConsumerGroupDescription description = admin.describeConsumerGroups(List.of(group))
                                .describedGroups()
                                .get(group)
                                .get(10, TimeUnit.SECONDS);
                        Collection<MemberDescription> all = description.members();
                        return all.size() == members
                                && all.stream()
                                        .allMatch(m -> !m.assignment()
                                                .topicPartitions()
                                                .isEmpty());
                    });
        }
    }

    private static boolean groupNotFoundYet(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof org.apache.kafka.common.errors.GroupIdNotFoundException) {
                return true;
            }
        }
        return false;
    }

    /** Publishes one event per host per round, round after round; returns them in publication order. */
    private List<EventEnvelope> publishRounds(int rounds) {
        List<EventEnvelope> events = new ArrayList<>();
        EventType type = EventType.of(Stage.INFRA, "started");
        for (int round = 0; round < rounds; round++) {
            for (int h = 0; h < HOSTS; h++) {
                String host = "edge-%02d".formatted(h);
                ObjectNode data = Json.mapper().createObjectNode();
                data.put("host", host).put("stage", "infra").put("triggerType", "handoff.commit.pushed");
                EventEnvelope event = new EventEnvelope(
                        UUID.randomUUID().toString(),
                        "/handoff/scaling-test",
                        type.type(),
                        host,
                        OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MICROS),
                        type.dataSchema(type.currentVersion()),
                        UUID.randomUUID().toString(),
                        run,
                        null,
                        data);
                events.add(event);
            }
        }
        try {
            for (EventEnvelope event : events) {
                publisher.publish(topic, event).get(10, TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            throw new AssertionError("cannot publish to " + topic + ": " + e, e);
        }
        return events;
    }

    /** Waits until every one of {@code events} was handled; a dead-lettered event fails at once with its reason. */
    private void awaitAllHandled(List<EventEnvelope> events) {
        await().atMost(WAIT).until(() -> {
            assertThat(deadLettered).as("events sent to the dead-letter topic").isEmpty();
            return work.handledIds().containsAll(ids(events));
        });
    }

    private List<ReceivedEvent> ofThisRun(List<ReceivedEvent> batch) {
        return batch.stream().filter(r -> run.equals(r.event().causationId())).toList();
    }

    private static Set<String> ids(List<EventEnvelope> events) {
        Set<String> ids = new LinkedHashSet<>();
        events.forEach(e -> ids.add(e.id()));
        return ids;
    }

    private static Map<String, List<String>> orderPerHost(List<EventEnvelope> events) {
        Map<String, List<String>> order = new LinkedHashMap<>();
        for (EventEnvelope e : events) {
            order.computeIfAbsent(e.subject(), h -> new ArrayList<>()).add(e.id());
        }
        return sortedByHost(order);
    }

    private static Map<String, List<String>> sortedByHost(Map<String, List<String>> byHost) {
        Map<String, List<String>> sorted = new LinkedHashMap<>();
        byHost.keySet().stream().sorted().forEach(h -> sorted.put(h, byHost.get(h)));
        return sorted;
    }

    /**
     * The stage's work as the handler records it: which replica handled which host's event, and the interval during
     * which each replica held each host (from the start of the batch that carried the host to its end, latch waits
     * included — the "work").
     */
    private static final class Work {
        private final List<Handling> handlings = new CopyOnWriteArrayList<>();
        private final List<Interval> intervals = new CopyOnWriteArrayList<>();
        private final Set<String> busy = ConcurrentHashMap.newKeySet();
        private final AtomicInteger mostBusyAtOnce = new AtomicInteger();
        private volatile CountDownLatch bothBusy;
        private volatile String pausedReplica;
        private volatile CountDownLatch pausedSignal;
        private volatile CountDownLatch pausedRelease;

        /** The first batch of each replica waits (at most 30 s) until the other replica is inside a batch too. */
        void holdFirstBatchUntilBothAreBusy() {
            bothBusy = new CountDownLatch(2);
        }

        /** The next batch of {@code replica} signals {@code inside} and waits for {@code release} halfway through. */
        void pauseInsideNextBatchOf(String replica, CountDownLatch inside, CountDownLatch release) {
            pausedSignal = inside;
            pausedRelease = release;
            pausedReplica = replica;
        }

        void handle(String replica, List<ReceivedEvent> batch) throws InterruptedException {
            if (batch.isEmpty()) {
                return;
            }
            long start = System.nanoTime();
            busy.add(replica);
            mostBusyAtOnce.accumulateAndGet(busy.size(), Math::max);
            try {
                CountDownLatch both = bothBusy;
                if (both != null && both.getCount() > 0) {
                    both.countDown();
                    both.await(30, TimeUnit.SECONDS);
                    mostBusyAtOnce.accumulateAndGet(busy.size(), Math::max);
                }
                for (int i = 0; i < batch.size(); i++) {
                    if (replica.equals(pausedReplica) && i == batch.size() / 2) {
                        pausedReplica = null;
                        pausedSignal.countDown();
                        pausedRelease.await(30, TimeUnit.SECONDS);
                    }
                    EventEnvelope event = batch.get(i).event();
                    handlings.add(new Handling(replica, event.subject(), event.id(), System.nanoTime()));
                }
            } finally {
                busy.remove(replica);
                long end = System.nanoTime();
                Set<String> hosts = new LinkedHashSet<>();
                batch.forEach(r -> hosts.add(r.event().subject()));
                hosts.forEach(host -> intervals.add(new Interval(replica, host, start, end)));
            }
        }

        List<Handling> handlings() {
            return List.copyOf(handlings);
        }

        Set<String> handledIds() {
            return collect(h -> true, Handling::eventId);
        }

        Set<String> hostsOf(String replica) {
            return collect(h -> h.replica().equals(replica), Handling::host);
        }

        Set<String> idsHandledBy(String replica) {
            return collect(h -> h.replica().equals(replica), Handling::eventId);
        }

        Map<String, Long> countsById() {
            Map<String, Long> counts = new LinkedHashMap<>();
            handlings.forEach(h -> counts.merge(h.eventId(), 1L, Long::sum));
            return counts;
        }

        /** Every pair of intervals in which two replicas held the same host at overlapping times. */
        List<String> concurrentHandlingsOfOneHost() {
            List<String> overlaps = new ArrayList<>();
            List<Interval> all = List.copyOf(intervals);
            for (int i = 0; i < all.size(); i++) {
                for (int j = i + 1; j < all.size(); j++) {
                    Interval a = all.get(i);
                    Interval b = all.get(j);
                    if (a.host().equals(b.host())
                            && !a.replica().equals(b.replica())
                            && a.start() < b.end()
                            && b.start() < a.end()) {
                        overlaps.add(a.host() + ": " + a.replica() + " and " + b.replica() + " at once");
                    }
                }
            }
            return overlaps;
        }

        boolean bothWereBusyAtOnce() {
            return mostBusyAtOnce.get() >= 2;
        }

        Map<String, List<String>> firstHandlingOrderPerHost() {
            Map<String, List<String>> order = new LinkedHashMap<>();
            Set<String> seen = new LinkedHashSet<>();
            handlings.stream()
                    .sorted(Comparator.comparingLong(Handling::atNanos))
                    .filter(h -> seen.add(h.eventId()))
                    .forEach(h -> order.computeIfAbsent(h.host(), x -> new ArrayList<>())
                            .add(h.eventId()));
            return sortedByHost(order);
        }

        private <T> Set<T> collect(Predicate<Handling> filter, Function<Handling, T> field) {
            Set<T> values = new LinkedHashSet<>();
            handlings.stream().filter(filter).map(field).forEach(values::add);
            return values;
        }
    }

    /** The interval during which one replica held one host. */
    private record Interval(String replica, String host, long start, long end) {}

    /** One event handled by one replica. */
    private record Handling(String replica, String host, String eventId, long atNanos) {}
}
