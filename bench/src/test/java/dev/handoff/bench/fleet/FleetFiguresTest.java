package dev.handoff.bench.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class FleetFiguresTest {
    private static final Instant PUSH = Instant.parse("2026-12-06T20:00:00Z");

    @Test
    void timesThePushFromTheFirstPushedRecordToTheLastBackupVerified() {
        // Given three hosts deployed one after another, each stage waiting 10 ms for its trigger and running 1 s
        Map<String, Instant> records = new HashMap<>();
        List<HostDeployment> deployments = List.of(
                chain("fleet-0001", 0, records, true),
                chain("fleet-0002", 1_000, records, true),
                chain("fleet-0003", 2_000, records, true));

        // When
        FleetFigures figures = FleetFigures.of(deployments, records);

        // Then: the last host's backup completes 2 s (its start) + 3 × (10 ms + 1 s) after the push
        assertThat(figures.untilAllVerified()).contains(Duration.ofMillis(2_000 + 3 * 1_010));
        assertThat(figures.untilAllFinal()).contains(Duration.ofMillis(5_030));
        assertThat(figures.succeeded()).isEqualTo(3);
        assertThat(figures.perMinute()).hasValueSatisfying(r -> assertThat(r).isCloseTo(3 * 60 / 5.03, within()));
        FleetFigures.StageFigures converge = figures.stages().get(0);
        assertThat(converge.stage()).isEqualTo("converge");
        // converge's trigger is each host's commit.pushed record, written when the webhook was accepted (at PUSH)
        assertThat(converge.queueWait().orElseThrow().p50()).isEqualTo(1_010_000);
        assertThat(converge.queueWait().orElseThrow().p99()).isEqualTo(2_010_000);
        assertThat(converge.runTime().orElseThrow().p50()).isEqualTo(1_000_000);
        FleetFigures.StageFigures backup = figures.stages().get(2);
        assertThat(backup.queueWait().orElseThrow().max()).isEqualTo(10_000);
        assertThat(backup.triggersWithoutRecord()).isZero();
    }

    @Test
    void aFailedHostIsCountedWithItsReasonAndTheFleetIsNotAllVerified() {
        // Given one host verified and one whose converge failed, the failed one's trigger record not read
        Map<String, Instant> records = new HashMap<>();
        HostDeployment ok = chain("fleet-0001", 0, records, true);
        HostDeployment failed = chain("fleet-0002", 0, new HashMap<>(), false);

        // When
        FleetFigures figures = FleetFigures.of(List.of(ok, failed), records);

        // Then
        assertThat(figures.succeeded()).isEqualTo(1);
        assertThat(figures.failed()).isEqualTo(1);
        assertThat(figures.failures()).containsExactly("fleet-0002: converge: activation-failed");
        assertThat(figures.untilAllVerified()).isEmpty();
        // the failed host's pushed record was not read either: its event's own time, 1 ms earlier, stands in
        assertThat(figures.untilAllFinal()).contains(Duration.ofMillis(3_031));
        // its converge wait was measured from the commit.pushed event's own time
        assertThat(figures.stages().get(0).triggersWithoutRecord()).isEqualTo(1);
        assertThat(figures.stages().get(1).queueWait().orElseThrow().count()).isEqualTo(1);
    }

    @Test
    void theTablePutsTheTargetsBesideTheFigures() {
        // Given an instant run of three hosts and a raw Kafka hop of 4 ms
        Map<String, Instant> records = new HashMap<>();
        FleetFigures figures = FleetFigures.of(
                List.of(chain("fleet-0001", 0, records, true), chain("fleet-0002", 0, records, true)), records);
        FleetReport report = new FleetReport(
                "Handoff fleet benchmark, test",
                new FleetSettings(2, Duration.ZERO, 16),
                figures,
                Optional.of(dev.handoff.bench.Latencies.of(new long[] {4_000, 4_000, 9_000})),
                List.of(
                        new PeakRss("lab launcher", 1, 600 * 1024),
                        new PeakRss("control-service", 2, 180 * 1024),
                        new PeakRss("converge-service", 3, 210 * 1024)),
                "idle 50%",
                List.of("load average before: 1.00 1.00 1.00"));

        // When
        String table = report.render();

        // Then
        assertThat(table)
                .contains("2 hosts, activation 0s, concurrency 16 per stage")
                .containsPattern("push → every host's backup verified +3\\.03 s +< 6 min at 1,000 hosts × 5 s +—")
                .containsPattern("deployments per minute \\(final\\) +40 +≥ 6,000 \\(instant activation\\) +no")
                .containsPattern(
                        "converge overhead \\(trigger → started\\) +p50 10.00 ms .*p50 ≤ 2 × raw p50 = 8.00 ms +no")
                .containsPattern("peak RSS control-service \\(pid 2\\) +180.0 MiB +≤ 200 MiB +yes")
                .containsPattern("peak RSS converge-service \\(pid 3\\) +210.0 MiB +≤ 200 MiB +no")
                .containsPattern("peak RSS, sum \\(6 services \\+ launcher\\) +990.0 MiB +≤ 1.5 GiB +yes")
                .contains("load average before: 1.00 1.00 1.00");
    }

    /**
     * A host's runtime deployment: pushed at PUSH, converge starting {@code startMillis} later (its slot came free),
     * then each stage 10 ms after its trigger, running 1 s; or converge failing.
     */
    private static HostDeployment chain(String host, long startMillis, Map<String, Instant> records, boolean succeeds) {
        List<LedgerEvent> events = new ArrayList<>();
        String pushed = host + "-pushed";
        // the record's timestamp is the producer's; the event's own time was set a moment before
        events.add(new LedgerEvent(pushed, "handoff.commit.pushed", PUSH.minusMillis(1), null));
        records.put(pushed, PUSH);
        Instant t = PUSH.plusMillis(startMillis);
        String trigger = pushed;
        for (String word : List.of("convergence", "workload", "backup")) {
            Instant started = t.plusMillis(10);
            Instant ended = started.plusSeconds(1);
            events.add(
                    new LedgerEvent(host + "-" + word + "-started", "handoff." + word + ".started", started, trigger));
            String outcome = host + "-" + word + (succeeds ? "-completed" : "-failed");
            events.add(new LedgerEvent(
                    outcome, "handoff." + word + (succeeds ? ".completed" : ".failed"), ended, trigger));
            if (!succeeds) {
                return new HostDeployment(host, host, "failed", "converge: activation-failed", events);
            }
            records.put(outcome, ended);
            trigger = outcome;
            t = ended;
        }
        return new HostDeployment(host, host, "succeeded", null, events);
    }

    private static org.assertj.core.data.Offset<Double> within() {
        return org.assertj.core.data.Offset.offset(0.01);
    }
}
