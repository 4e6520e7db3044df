package dev.handoff.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.handoff.common.event.EventEnvelope;
import dev.handoff.common.event.EventType;
import dev.handoff.common.event.Stage;
import dev.handoff.common.event.v1.Backup;
import dev.handoff.common.event.v1.CommitPushed;
import dev.handoff.common.serde.EventCodec;
import dev.handoff.common.serde.InvalidEventException;
import dev.handoff.common.stage.StageEvents;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/** What an operator reads on {@code /q/metrics} after a stage published its events, without Quarkus or Kafka. */
class StageMetricsTest {
    private static final String HOST = "cloud-edge-1";

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final StageMetrics metrics = new StageMetrics(registry);
    private final EventCodec codec = new EventCodec();
    private final StageEvents secrets = new StageEvents(Stage.SECRETS, "/handoff/secrets-service", codec);

    @Test
    void aRunFromStartedToFailedIsCountedAndTimedUnderItsStageAndResult() {
        // Given
        EventEnvelope started = secrets.started(null, HOST, "ops/infrastructure-secrets", "a1b2c3");
        metrics.published(List.of(started));

        // When
        metrics.published(List.of(secrets.failed(started, HOST, "missing-recipient", "no key", false, List.of())));

        // Then
        assertThat(runs("secrets", "failed")).isEqualTo(1);
        assertThat(runs("secrets", "completed")).isZero();
        Timer duration = registry.find("handoff.stage.duration")
                .tags("stage", "secrets", "result", "failed")
                .timer();
        assertThat(duration).isNotNull();
        assertThat(duration.count()).isEqualTo(1);
        assertThat(duration.totalTime(TimeUnit.NANOSECONDS)).isPositive();
    }

    @Test
    void aRunThatPublishesFactsAndAFailureTogetherCountsOnceAsFailed() {
        // Given: a backup run whose first contract holds and whose second is broken
        StageEvents backup = new StageEvents(Stage.BACKUP, "/handoff/backup-service", codec);
        EventEnvelope started = backup.started(null, HOST, null, null);
        metrics.published(List.of(started));
        Backup runtime = new Backup(HOST, "runtime", "/srv/restic", Instant.now(), 60, 86_400, List.of(), "ok", null);

        // When
        metrics.published(List.of(
                backup.completed(started, HOST, runtime),
                backup.failed(started, HOST, "backup-stale", "too old", true, List.of())));

        // Then
        assertThat(runs("backup", "failed")).isEqualTo(1);
        assertThat(runs("backup", "completed")).isZero();
        assertThat(registry.find("handoff.stage.duration")
                        .tags("stage", "backup")
                        .timers())
                .singleElement()
                .satisfies(t -> assertThat(t.getId().getTag("result")).isEqualTo("failed"));
    }

    @Test
    void aSupersededTriggerIsCountedButNotTimedAndOtherEventsAreNotRuns() {
        // Given
        EventEnvelope older = push("a1");
        EventEnvelope newer = push("b2");

        // When
        metrics.published(List.of(older, secrets.superseded(older, HOST, newer)));

        // Then
        assertThat(runs("secrets", "superseded")).isEqualTo(1);
        assertThat(registry.find("handoff.stage.duration").timers()).isEmpty();
        assertThat(registry.find("handoff.stage.runs").counters()).hasSize(1);
    }

    @Test
    void hostLockWaitsAreTimedPerStage() {
        // When
        metrics.hostLockWaits("converge").waited(Duration.ofSeconds(3));

        // Then
        Timer waits =
                registry.find("handoff.host.lock.wait").tag("stage", "converge").timer();
        assertThat(waits).isNotNull();
        assertThat(waits.totalTime(TimeUnit.SECONDS)).isEqualTo(3.0);
    }

    @Test
    void deadLettersAreCountedByTopicAndReason() {
        // When
        metrics.deadLettered(
                new ConsumerRecord<>("handoff.commits", 0, 7, HOST, new byte[0]),
                new InvalidEventException(InvalidEventException.Reason.MISSING_HEADER, "ce_type is missing"));

        // Then
        Counter counted = registry.find("handoff.dead.letters")
                .tags("topic", "handoff.commits", "reason", "missing-header")
                .counter();
        assertThat(counted).isNotNull();
        assertThat(counted.count()).isEqualTo(1);
    }

    @Test
    void theLagGaugeReadsTheNewestLoopOfItsGroup() {
        // Given: a loop that is 5 records behind, then a restarted one that is 2 behind
        metrics.watchLag("secrets-service", List.of("handoff.commits"), topic -> 5);
        metrics.watchLag("secrets-service", List.of("handoff.commits"), topic -> 2);

        // Then
        assertThat(registry.get("handoff.consumer.lag")
                        .tags("group", "secrets-service", "topic", "handoff.commits")
                        .gauge()
                        .value())
                .isEqualTo(2.0);
    }

    @Test
    void aHostDriftIsAGaugeOfItsOwnAndNotARun() {
        // Given: converge-service's watch reported the host drifted from its last convergence
        EventEnvelope drifted = codec.newEvent(
                EventType.CONVERGENCE_DRIFTED,
                "/handoff/converge-service",
                HOST,
                "5b0f6c1e-2d3a-4e5f-8a9b-0c1d2e3f4a5b",
                null,
                new dev.handoff.common.event.v1.ConvergenceDrifted(
                        HOST,
                        "ops/nix-k3s-edge-cluster",
                        "a".repeat(40),
                        "5b0f6c1e-2d3a-4e5f-8a9b-0c1d2e3f4a5b",
                        Instant.now(),
                        List.of(new dev.handoff.common.event.v1.ConvergenceDrifted.Difference(
                                "generation", "12", "11")),
                        "report",
                        null,
                        HOST + " no longer runs what Handoff converged"));
        boolean[] standing = {true};

        // When
        metrics.published(List.of(drifted));
        metrics.hostDrifted(HOST, () -> standing[0] ? 1 : 0);

        // Then
        assertThat(registry.find("handoff.stage.runs").counters()).isEmpty();
        assertThat(registry.get("handoff.host.drifted")
                        .tags("host", HOST)
                        .gauge()
                        .value())
                .isEqualTo(1);

        // When the host converges again
        standing[0] = false;

        // Then
        assertThat(registry.get("handoff.host.drifted")
                        .tags("host", HOST)
                        .gauge()
                        .value())
                .isZero();
    }

    @Test
    void theBackupAgeGrowsFromTheNewestVerifiedSnapshotAndShowsTheContractsMaximum() {
        // When
        metrics.backupVerified(HOST, "runtime", Instant.now().minusSeconds(3_600), Duration.ofHours(26));

        // Then
        double age = registry.get("handoff.backup.age")
                .tags("host", HOST, "contract", "runtime")
                .gauge()
                .value();
        assertThat(age).isCloseTo(3_600, within(60.0));
        assertThat(registry.get("handoff.backup.max.age")
                        .tags("host", HOST, "contract", "runtime")
                        .gauge()
                        .value())
                .isEqualTo(26 * 3_600.0);

        // When a newer snapshot is verified
        metrics.backupVerified(HOST, "runtime", Instant.now(), Duration.ofHours(26));

        // Then
        assertThat(registry.get("handoff.backup.age")
                        .tags("host", HOST, "contract", "runtime")
                        .gauge()
                        .value())
                .isLessThan(60);
    }

    private double runs(String stage, String result) {
        Counter c = registry.find("handoff.stage.runs")
                .tags("stage", stage, "result", result)
                .counter();
        return c == null ? 0 : c.count();
    }

    private EventEnvelope push(String after) {
        return codec.newEvent(
                EventType.COMMIT_PUSHED,
                "/handoff/control-service",
                HOST,
                java.util.UUID.randomUUID().toString(),
                null,
                new CommitPushed(
                        HOST,
                        "ops/infrastructure-secrets",
                        "refs/heads/main",
                        "main",
                        "0000",
                        after,
                        "secrets",
                        null,
                        null,
                        "operator",
                        "delivery-" + after,
                        1,
                        null));
    }
}
