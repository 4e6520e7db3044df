package dev.handoff.support;

import dev.handoff.common.event.EventEnvelope;
import dev.handoff.common.event.EventType;
import dev.handoff.common.event.Stage;
import dev.handoff.common.lock.HostLock;
import dev.handoff.common.messaging.EventPublisher;
import dev.handoff.common.serde.InvalidEventException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.DoubleSupplier;
import java.util.function.ToDoubleFunction;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Every metric a stage service exposes on {@code /q/metrics}, named in one place (docs/operators.md, "Metrics and
 * alerts", lists them and the alerts built on them).
 *
 * <p>A run's result and duration come from the events the stage publishes ({@link #published}, the
 * {@link EventPublisher.Listener} of the service's publisher), so they count exactly what the ledger shows: a run
 * starts with {@code <stage>.started} and ends with {@code completed}, {@code failed} or {@code waiting} under the same
 * deployment and host; a trigger that never ran ends with {@code superseded}. Labels stay bounded: stage, result,
 * topic, dead-letter reason and consumer group; only the backup age and the drift gauges carry a host.
 */
@ApplicationScoped
public class StageMetrics implements EventPublisher.Listener {
    /** Buckets for a run: seconds for a check, minutes for an apply or a rebuild. */
    static final Duration[] RUN_BUCKETS = durations(1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600);
    /** Buckets for the wait for a host lock: none usually, a whole run of the same host at worst. */
    static final Duration[] LOCK_BUCKETS = durations(0.01, 0.1, 1, 10, 60, 300, 900, 1800, 3600);
    /** Runs whose start is remembered while they last; a run cut short by a crash is forgotten oldest first. */
    static final int RUNNING_LIMIT = 10_000;

    /** The verbs that start or end a run; other events of a stage's topic are counted elsewhere, if at all. */
    static final java.util.Set<String> RUN_VERBS =
            java.util.Set.of("started", "completed", "failed", "waiting", "superseded");

    private final MeterRegistry registry;
    private final Map<Run, Long> running = new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Run, Long> eldest) {
            return size() > RUNNING_LIMIT;
        }
    };
    private final Map<String, ToDoubleFunction<String>> lagSources = new ConcurrentHashMap<>();

    private final Map<BackupContract, Instant> newestBackups = new ConcurrentHashMap<>();
    private final Map<BackupContract, Duration> maxBackupAges = new ConcurrentHashMap<>();
    private final Map<String, Double> lastWatchRounds = new ConcurrentHashMap<>();

    private record Run(Stage stage, String deployment, String host) {}

    private record BackupContract(String host, String contract) {}

    public StageMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /** Counts the runs that {@code events} (published together, acknowledged) start or end. */
    @Override
    public void published(List<EventEnvelope> events) {
        long now = System.nanoTime();
        Map<Run, String> ended = new LinkedHashMap<>();
        for (EventEnvelope e : events) {
            Optional<EventType> type = EventType.byType(e.type());
            Optional<Stage> stage = type.flatMap(StageMetrics::stageOf);
            if (stage.isEmpty()) {
                continue;
            }
            String verb = verb(type.get());
            if (!RUN_VERBS.contains(verb)) {
                // convergence.drifted is a watch's finding, not a run's start or end
                continue;
            }
            Run run = new Run(stage.get(), e.deploymentId(), e.subject());
            if (verb.equals("started")) {
                synchronized (running) {
                    running.put(run, now);
                }
            } else {
                ended.merge(run, verb, StageMetrics::weightier);
            }
        }
        for (Map.Entry<Run, String> e : ended.entrySet()) {
            ended(e.getKey(), e.getValue(), now);
        }
    }

    private void ended(Run run, String result, long now) {
        Counter.builder("handoff.stage.runs")
                .description("Stage runs by result: completed, failed, waiting (for the host to come back),"
                        + " superseded (a newer trigger ran instead)")
                .tag("stage", run.stage().id())
                .tag("result", result)
                .register(registry)
                .increment();
        if (result.equals("superseded")) {
            return;
        }
        Long started;
        synchronized (running) {
            started = result.equals("waiting") ? running.get(run) : running.remove(run);
        }
        if (started == null) {
            return;
        }
        Timer.builder("handoff.stage.duration")
                .description("How long a stage's run took, from its started event to its result")
                .tag("stage", run.stage().id())
                .tag("result", result)
                .serviceLevelObjectives(RUN_BUCKETS)
                .minimumExpectedValue(RUN_BUCKETS[0])
                .maximumExpectedValue(RUN_BUCKETS[RUN_BUCKETS.length - 1])
                .register(registry)
                .record(Duration.ofNanos(now - started));
    }

    /** Of two results of one run published together, the one that tells: a failure over facts, facts over waiting. */
    private static String weightier(String a, String b) {
        List<String> order = List.of("failed", "completed", "waiting", "superseded");
        int ia = order.indexOf(a);
        int ib = order.indexOf(b);
        return ia >= 0 && (ib < 0 || ia <= ib) ? a : b;
    }

    private static Optional<Stage> stageOf(EventType type) {
        return Arrays.stream(Stage.values())
                .filter(s -> s.outputTopic().equals(type.topic()))
                .findFirst();
    }

    private static String verb(EventType type) {
        String name = type.shortName();
        return name.substring(name.lastIndexOf('.') + 1);
    }

    /** Records how long {@code stage}'s run waited for its host's lock: the {@link HostLock.Waits} of its lock. */
    public HostLock.Waits hostLockWaits(String stage) {
        Timer timer = Timer.builder("handoff.host.lock.wait")
                .description("How long a run waited for its host's lock (another run of the same host held it)")
                .tag("stage", stage)
                .serviceLevelObjectives(LOCK_BUCKETS)
                .minimumExpectedValue(LOCK_BUCKETS[0])
                .maximumExpectedValue(LOCK_BUCKETS[LOCK_BUCKETS.length - 1])
                .register(registry);
        return timer::record;
    }

    /** Counts a record sent to its dead-letter topic: the {@code DeadLetterListener} of a consumer loop. */
    public void deadLettered(ConsumerRecord<String, byte[]> record, InvalidEventException why) {
        Counter.builder("handoff.dead.letters")
                .description("Records that were not valid events, sent to <topic>.dlq, by topic and reason")
                .tag("topic", record.topic())
                .tag("reason", why.reasonCode())
                .register(registry)
                .increment();
    }

    /**
     * Exposes how far consumer group {@code group} is behind on each of {@code topics}, as {@code lag} tells per
     * topic. A later call for the same group (a restarted loop) replaces the source.
     */
    public void watchLag(String group, Collection<String> topics, ToDoubleFunction<String> lag) {
        lagSources.put(group, lag);
        for (String topic : topics) {
            Gauge.builder("handoff.consumer.lag", () -> {
                        ToDoubleFunction<String> source = lagSources.get(group);
                        return source == null ? Double.NaN : source.applyAsDouble(topic);
                    })
                    .description("Records of the topic not yet read by the consumer group (this replica's partitions)")
                    .baseUnit("records")
                    .tag("group", group)
                    .tag("topic", topic)
                    .strongReference(true)
                    .register(registry);
        }
    }

    /** Exposes the number of destructive plans waiting for an operator's decision (infra-service). */
    public void pendingApprovals(DoubleSupplier pending) {
        Gauge.builder("handoff.approvals.pending", pending, DoubleSupplier::getAsDouble)
                .description("Runs waiting for an operator to approve or reject a destructive plan")
                .strongReference(true)
                .register(registry);
    }

    /**
     * Records the newest verified backup of one recovery contract of a host (backup-service, once its
     * {@code backup.completed} is published): from then on the host and contract have {@code handoff_backup_age_seconds}
     * (growing until a newer backup is verified) and, beside it, the contract's maximum age.
     */
    public void backupVerified(String host, String contract, Instant newestSnapshot, Duration maxAge) {
        BackupContract key = new BackupContract(host, contract);
        maxBackupAges.put(key, maxAge);
        if (newestBackups.put(key, newestSnapshot) != null) {
            return; // the gauges read the maps: registered once per host and contract
        }
        Gauge.builder("handoff.backup.age", key, k -> {
                    Instant newest = newestBackups.get(k);
                    return newest == null ? Double.NaN : (System.currentTimeMillis() - newest.toEpochMilli()) / 1000.0;
                })
                .description("Age of the newest verified backup of the host's recovery contract")
                .baseUnit("seconds")
                .tag("host", host)
                .tag("contract", contract)
                .strongReference(true)
                .register(registry);
        Gauge.builder("handoff.backup.max.age", key, k -> maxBackupAges.get(k).toSeconds())
                .description("The recovery contract's maximum backup age (handoff.yaml)")
                .baseUnit("seconds")
                .tag("host", host)
                .tag("contract", contract)
                .strongReference(true)
                .register(registry);
    }

    /** Exposes whether the read-back found the host changed outside OpenTofu (1) or matching its facts (0). */
    public void driftDetected(String host, DoubleSupplier detected) {
        Gauge.builder("handoff.drift.detected", detected, DoubleSupplier::getAsDouble)
                .description("1 while the host's cloud resources differ from its last cloud facts, else 0")
                .tag("host", host)
                .strongReference(true)
                .register(registry);
    }

    /**
     * Exposes whether converge-service's watch found the host no longer running what Handoff last converged there (1
     * while a reported {@code convergence.drifted} stands) or running it (0).
     */
    public void hostDrifted(String host, DoubleSupplier drifted) {
        Gauge.builder("handoff.host.drifted", drifted, DoubleSupplier::getAsDouble)
                .description("1 while the host no longer runs what Handoff last converged there (a reported"
                        + " convergence.drifted stands), else 0")
                .tag("host", host)
                .strongReference(true)
                .register(registry);
    }

    /**
     * Counts one round of {@code stage}'s scheduled check ({@code dev.handoff.support.watch}) by result: {@code quiet}
     * (nothing new found, nothing published), {@code reported} (something published) or {@code failed} (a host could
     * not be checked); and marks when the stage's last round ended.
     */
    public void watchRound(String stage, String result) {
        Counter.builder("handoff.watch.rounds")
                .description("Rounds of a stage's scheduled check by result: quiet (nothing new), reported (published"
                        + " a finding or a scheduled run), failed (a host could not be checked)")
                .tag("stage", stage)
                .tag("result", result)
                .register(registry)
                .increment();
        if (lastWatchRounds.put(stage, System.currentTimeMillis() / 1000.0) != null) {
            return; // the gauge reads the map: registered once per stage
        }
        Gauge.builder("handoff.watch.last.round.timestamp", stage, s -> lastWatchRounds.getOrDefault(s, Double.NaN))
                .description("When the stage's scheduled check last ended a round (Unix time)")
                .baseUnit("seconds")
                .tag("stage", stage)
                .strongReference(true)
                .register(registry);
    }

    private static Duration[] durations(double... seconds) {
        return Arrays.stream(seconds)
                .mapToObj(s -> Duration.ofMillis(Math.round(s * 1000)))
                .toArray(Duration[]::new);
    }
}
