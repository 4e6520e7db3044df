package dev.handoff.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.handoff.common.event.EventEnvelope;
import dev.handoff.common.event.EventType;
import dev.handoff.common.event.Stage;
import dev.handoff.common.event.v1.CommitPushed;
import dev.handoff.common.messaging.DeadLetters;
import dev.handoff.common.messaging.KafkaSettings;
import dev.handoff.common.messaging.KeyedEventLoop;
import dev.handoff.common.messaging.ReceivedEvent;
import dev.handoff.common.serde.EventCodec;
import dev.handoff.common.serde.Json;
import dev.handoff.common.stage.Superseding;
import dev.handoff.lab.LabKafka;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The stage consumer of a fleet ({@link KeyedEventLoop}) against the lab's real Kafka broker: K hosts at once, one
 * host never twice at once, offsets never past unfinished work, a crash that re-runs only the unfinished hosts, and
 * newest commit wins.
 */
class KeyedEventLoopTest {
    private static final Duration PATIENCE = Duration.ofSeconds(60);

    private final EventCodec codec = new EventCodec();
    private final LabKafka kafka = LabKafka.shared();
    private final String bootstrap = kafka.bootstrapServers();
    private final String run = UUID.randomUUID().toString().substring(0, 8);
    /** A topic of its own with one partition (any event type may be on a replay channel's name). */
    private final String topic = "handoff.replay.keyed-" + run;

    private final String group = "keyed-test-" + run;
    private final Producer<String, byte[]> producer =
            new KafkaProducer<>(LabKafka.asAdmin(KafkaSettings.producer(bootstrap, "keyed-test", Map.of())));
    private final List<KeyedEventLoop> loops = new ArrayList<>();

    @BeforeEach
    void topic() throws Exception {
        kafka.admin()
                .createTopics(List.of(new NewTopic(topic, 1, (short) 1)))
                .all()
                .get(30, TimeUnit.SECONDS);
    }

    @AfterEach
    void close() {
        loops.forEach(KeyedEventLoop::close);
        producer.close(Duration.ofSeconds(5));
    }

    @Test
    void worksOnKHostsAtOnceAndNeverOnOneHostTwiceAtOnce() throws Exception {
        // Given: 12 hosts with two triggers each, and a stage that works on 4 hosts at once
        int k = 4;
        List<String> hosts = hosts(12);
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger mostAtOnce = new AtomicInteger();
        Map<String, AtomicInteger> perHost = new ConcurrentHashMap<>();
        List<String> twiceAtOnce = Collections.synchronizedList(new ArrayList<>());
        List<String> handled = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch gate = new CountDownLatch(1);
        KeyedEventLoop loop = start(k, (host, waiting) -> {
            if (perHost.computeIfAbsent(host, h -> new AtomicInteger()).incrementAndGet() > 1) {
                twiceAtOnce.add(host);
            }
            mostAtOnce.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            try {
                // every worker holds its host until K hosts were worked on at once
                gate.await(60, TimeUnit.SECONDS);
                waiting.forEach(e -> handled.add(e.event().id()));
            } finally {
                inFlight.decrementAndGet();
                perHost.get(host).decrementAndGet();
            }
        });

        // When
        List<String> ids = new ArrayList<>();
        for (int round = 0; round < 2; round++) {
            for (String host : hosts) {
                ids.add(publish(push(host, sha(round, host))));
            }
        }
        await().atMost(PATIENCE).until(() -> inFlight.get() == k);
        gate.countDown();

        // Then
        await().atMost(PATIENCE).until(() -> handled.size() == ids.size());
        assertThat(handled).containsExactlyInAnyOrderElementsOf(ids);
        assertThat(mostAtOnce.get()).isEqualTo(k);
        assertThat(loop.peakConcurrency()).isEqualTo(k);
        assertThat(twiceAtOnce).isEmpty();
    }

    @Test
    void theOffsetNeverPassesUnfinishedWorkAndACrashReRunsOnlyTheUnfinishedHosts() throws Exception {
        // Given: 10 hosts; the first one's run does not finish before the crash, the other nine do
        List<String> hosts = hosts(10);
        String stuck = hosts.get(0);
        List<String> firstRun = Collections.synchronizedList(new ArrayList<>());
        KeyedEventLoop first = start(4, (host, waiting) -> {
            if (host.equals(stuck)) {
                new CountDownLatch(1).await(); // until the crash interrupts it
            }
            firstRun.add(host);
        });
        for (String host : hosts) {
            publish(push(host, sha(0, host)));
        }
        await().atMost(PATIENCE).until(() -> firstRun.size() == 9);
        OffsetAndMetadata whileRunning = awaitCommit(o -> o.metadata().startsWith("hk1:"));

        // When: the service dies with the stuck host's run unfinished
        first.close();
        OffsetAndMetadata afterCrash = committed();

        // Then: the committed offset is the unfinished record's, never past it
        assertThat(whileRunning.offset()).isZero();
        assertThat(afterCrash.offset()).isZero();
        assertThat(firstRun).doesNotContain(stuck);

        // And: the next start runs the unfinished host, and only it
        List<String> secondRun = Collections.synchronizedList(new ArrayList<>());
        start(4, (host, waiting) -> secondRun.add(host));
        await().atMost(PATIENCE).until(() -> committed().offset() == hosts.size());
        assertThat(secondRun).containsExactly(stuck);
    }

    @Test
    void ofTheTriggersThatWaitedForAHostOnlyTheNewestRunsAndTheOthersAreSuperseded() throws Exception {
        // Given: a stage busy with commit 1 of a host while commits 2 and 3 of it arrive
        String host = hosts(1).get(0);
        CountDownLatch busy = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<String> ran = Collections.synchronizedList(new ArrayList<>());
        List<Superseding.Superseded> superseded = Collections.synchronizedList(new ArrayList<>());
        KeyedEventLoop loop = start(4, (h, waiting) -> {
            // the stage reads pushes from handoff.commits; this test's topic stands in for it
            Superseding.Plan plan = Superseding.plan(Stage.CONVERGE, asCommits(waiting));
            superseded.addAll(plan.superseded());
            for (ReceivedEvent e : plan.run()) {
                ran.add(e.event().data().path("after").asText());
                busy.countDown();
                release.await(60, TimeUnit.SECONDS);
            }
        });
        publish(push(host, sha(1, host)));
        busy.await(60, TimeUnit.SECONDS);

        // When
        publish(push(host, sha(2, host)));
        publish(push(host, sha(3, host)));
        await().atMost(PATIENCE).until(() -> loop.waiting() == 2);
        release.countDown();

        // Then
        await().atMost(PATIENCE).until(() -> ran.size() == 2);
        assertThat(ran).containsExactly(sha(1, host), sha(3, host));
        assertThat(superseded).hasSize(1);
        assertThat(superseded.get(0).older().data().path("after").asText()).isEqualTo(sha(2, host));
        assertThat(superseded.get(0).newer().data().path("after").asText()).isEqualTo(sha(3, host));
    }

    @Test
    void aConsumerRefusedForAWhileGoesOnPollingAndRunsWhatArrivedMeanwhile() throws Exception {
        // Given: a consumer the broker refuses for its first polls (as while a restarted broker restores its ACLs)
        AtomicInteger refusals = new AtomicInteger(3);
        List<String> ran = Collections.synchronizedList(new ArrayList<>());
        String name = "keyed-" + run + "-refused";
        KeyedEventLoop loop = new KeyedEventLoop(
                name,
                new KafkaConsumer<String, byte[]>(KafkaSettings.consumer(
                        bootstrap, group, name, LabKafka.adminSecurity(bootstrap), KeyedEventLoop.CONSUMER_SETTINGS)) {
                    @Override
                    public org.apache.kafka.clients.consumer.ConsumerRecords<String, byte[]> poll(Duration timeout) {
                        if (refusals.getAndDecrement() > 0) {
                            throw new org.apache.kafka.common.errors.TopicAuthorizationException(
                                    java.util.Set.of(topic));
                        }
                        return super.poll(timeout);
                    }
                },
                List.of(topic),
                codec,
                new DeadLetters(producer, group),
                new KeyedEventLoop.Settings(2, 4096, Duration.ofSeconds(5), Duration.ofSeconds(2)),
                (host, waiting) -> ran.add(host),
                (record, why) -> {});
        loops.add(loop);
        Thread t = new Thread(loop, name);
        t.setDaemon(true);
        t.start();
        String host = hosts(1).get(0);

        // When: a trigger arrives while it is refused
        publish(push(host, sha(0, host)));

        // Then: the loop did not stop: once the broker lets it, the trigger runs once and is committed
        await().atMost(PATIENCE).until(() -> committed() != null && committed().offset() == 1);
        assertThat(ran).containsExactly(host);
        assertThat(refusals.get()).isNegative();
        await().atMost(PATIENCE).until(loop::healthy);
    }

    private List<ReceivedEvent> asCommits(List<ReceivedEvent> waiting) {
        return waiting.stream()
                .map(e -> new ReceivedEvent(
                        e.event(), dev.handoff.common.event.Topics.COMMITS, e.partition(), e.offset(), e.timestamp()))
                .toList();
    }

    private KeyedEventLoop start(int concurrency, KeyedEventLoop.KeyHandler handler) {
        String name = "keyed-" + run + "-" + loops.size();
        KeyedEventLoop loop = new KeyedEventLoop(
                name,
                new KafkaConsumer<>(KafkaSettings.consumer(
                        bootstrap, group, name, LabKafka.adminSecurity(bootstrap), KeyedEventLoop.CONSUMER_SETTINGS)),
                List.of(topic),
                codec,
                new DeadLetters(producer, group),
                new KeyedEventLoop.Settings(concurrency, 4096, Duration.ofSeconds(5), Duration.ofSeconds(2)),
                handler,
                (record, why) -> {});
        Thread t = new Thread(loop, name);
        t.setDaemon(true);
        t.start();
        loops.add(loop);
        return loop;
    }

    private OffsetAndMetadata awaitCommit(java.util.function.Predicate<OffsetAndMetadata> what) {
        return await().atMost(PATIENCE).until(this::committed, o -> o != null && what.test(o));
    }

    private OffsetAndMetadata committed() throws Exception {
        return kafka.admin()
                .listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata()
                .get(30, TimeUnit.SECONDS)
                .get(new TopicPartition(topic, 0));
    }

    private String publish(EventEnvelope event) throws Exception {
        producer.send(codec.encode(topic, event)).get(30, TimeUnit.SECONDS);
        return event.id();
    }

    private EventEnvelope push(String host, String after) throws Exception {
        ObjectNode data;
        try (InputStream in = getClass()
                .getResourceAsStream("/samples/commit.pushed/v1/nix-k3s-edge-cluster-sha256-new-branch.json")) {
            data = (ObjectNode) Json.mapper().readTree(in);
        }
        data.put("host", host);
        data.put("after", after);
        data.put("stage", Stage.CONVERGE.id());
        CommitPushed payload = Json.mapper().treeToValue(data, CommitPushed.class);
        return codec.newEvent(
                EventType.COMMIT_PUSHED,
                "/handoff/control-service",
                host,
                UUID.randomUUID().toString(),
                null,
                payload);
    }

    private List<String> hosts(int n) {
        List<String> hosts = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            hosts.add("edge-" + run + "-" + i);
        }
        return hosts;
    }

    private static String sha(int round, String host) {
        return String.format("%040x", new java.math.BigInteger(1, (round + "/" + host).getBytes()))
                .substring(0, 40);
    }
}
