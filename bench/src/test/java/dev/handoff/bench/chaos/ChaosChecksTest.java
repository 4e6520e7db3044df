package dev.handoff.bench.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import dev.handoff.bench.chaos.ChaosChecks.Invariant;
import dev.handoff.bench.chaos.ChaosChecks.Violation;
import dev.handoff.bench.chaos.ChaosModel.Committed;
import dev.handoff.bench.chaos.ChaosModel.DeadLetter;
import dev.handoff.bench.chaos.ChaosModel.Delivery;
import dev.handoff.bench.chaos.ChaosModel.Fault;
import dev.handoff.bench.chaos.ChaosModel.FaultKind;
import dev.handoff.bench.chaos.ChaosModel.LedgerDeployment;
import dev.handoff.bench.chaos.ChaosModel.LedgerStage;
import dev.handoff.bench.chaos.ChaosModel.Observation;
import dev.handoff.bench.chaos.ChaosModel.TableComparison;
import dev.handoff.bench.chaos.ChaosModel.TopicRecord;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The invariant checks on crafted observations: a clean run holds every one, and each way of breaking one is seen. */
class ChaosChecksTest {
    private static final Instant T0 = Instant.parse("2026-12-07T06:00:00Z");
    private static final String HOST = "cloud-edge-1";
    private static final String DEP = "11111111-1111-1111-1111-111111111111";

    /** A run: one 202 delivery whose deployment went commit → converge → workload → backup, everything consistent. */
    private static final class Run {
        final List<Delivery> deliveries = new ArrayList<>();
        final Map<String, LedgerDeployment> deployments = new LinkedHashMap<>();
        final List<TopicRecord> records = new ArrayList<>();
        final List<DeadLetter> deadLetters = new ArrayList<>();
        final List<Committed> committed = new ArrayList<>();
        final List<Fault> faults = new ArrayList<>();
        Optional<List<TableComparison>> rebuild =
                Optional.of(List.of(new TableComparison("event", 7, 7, List.of(), List.of(), 0)));
        Map<String, Integer> extraIds = new HashMap<>();
        private int n;

        Run() {
            deliveries.add(new Delivery("ops/nix-k3s-edge-cluster", "abcdef0123", 202, List.of(DEP), T0, "HTTP 202"));
            deployments.put(DEP, deployment(DEP, "succeeded", "backup verified"));
            String pushed = add("handoff.commits", "handoff.commit.pushed", DEP, null, 0, Map.of("stage", "converge"));
            String started = add("handoff.convergence", "handoff.convergence.started", DEP, pushed, 1, Map.of());
            String converged = add(
                    "handoff.convergence", "handoff.convergence.completed", DEP, pushed, 20, Map.of("generation", "2"));
            add("handoff.workload", "handoff.workload.started", DEP, converged, 21, Map.of());
            String verified = add("handoff.workload", "handoff.workload.completed", DEP, converged, 25, Map.of());
            add("handoff.backup", "handoff.backup.started", DEP, verified, 26, Map.of());
            add("handoff.backup", "handoff.backup.completed", DEP, verified, 30, Map.of());
            assertThat(started).isNotNull();
            for (String t : List.of("handoff.commits", "handoff.convergence", "handoff.workload", "handoff.backup")) {
                long end = records.stream().filter(r -> r.topic().equals(t)).count();
                committed.add(new Committed("handoff-ledger", t, 0, end));
            }
            committed.add(new Committed("handoff-converge", "handoff.commits", 0, 1));
            committed.add(new Committed("handoff-workload", "handoff.convergence", 0, 2));
            committed.add(new Committed("handoff-backup", "handoff.workload", 0, 2));
        }

        String add(String topic, String type, String deployment, String cause, int second, Map<String, String> data) {
            String id = String.format("00000000-0000-0000-0000-%012d", ++n);
            long offset = records.stream().filter(r -> r.topic().equals(topic)).count();
            records.add(new TopicRecord(
                    topic, 0, offset, id, type, HOST, deployment, cause, T0.plusSeconds(second), true, data));
            return id;
        }

        Observation observation() {
            Map<String, Integer> ids = records.stream()
                    .filter(TopicRecord::valid)
                    .collect(Collectors.toMap(TopicRecord::id, r -> 1, (a, b) -> a));
            ids.putAll(extraIds);
            Map<String, Integer> pushed = new HashMap<>();
            records.stream()
                    .filter(r -> "handoff.commit.pushed".equals(r.type()))
                    .forEach(r -> pushed.merge(r.deploymentId(), 1, Integer::sum));
            return new Observation(
                    deliveries, deployments, ids, pushed, records, deadLetters, committed, faults, rebuild);
        }
    }

    private static LedgerDeployment deployment(String id, String status, String result) {
        return new LedgerDeployment(
                id, HOST, status, result, Map.of("converge", new LedgerStage("converge", "completed", null)));
    }

    private static Set<Invariant> broken(Observation o) {
        return ChaosChecks.check(o).stream().map(Violation::invariant).collect(Collectors.toSet());
    }

    @Test
    void aConsistentRunHoldsEveryInvariant() {
        assertThat(ChaosChecks.check(new Run().observation())).isEmpty();
    }

    @Test
    void aDoubledCompletionIsAStageRunTwice() {
        // Given the converge stage completing the same deployment a second time, under a new event id
        Run run = new Run();
        run.add("handoff.convergence", "handoff.convergence.completed", DEP, null, 40, Map.of("generation", "3"));

        // Then
        List<Violation> v = ChaosChecks.check(run.observation());
        assertThat(v).extracting(Violation::invariant).containsExactly(Invariant.STAGE_COMPLETES_ONCE);
        assertThat(v.get(0).text()).contains("converge completed 2 times");
    }

    @Test
    void backupCompletesOncePerRecoveryContract() {
        // Given backup completing the deployment's two contracts, each once
        Run run = new Run();
        run.records.removeIf(r -> r.type().equals("handoff.backup.completed"));
        run.add("handoff.backup", "handoff.backup.completed", DEP, null, 30, Map.of("contract", "runtime"));
        run.add("handoff.backup", "handoff.backup.completed", DEP, null, 30, Map.of("contract", "infra-state"));
        assertThat(ChaosChecks.stageCompletesOnce(run.observation())).isEmpty();

        // When one contract completes again under a new id, the stage ran twice
        run.add("handoff.backup", "handoff.backup.completed", DEP, null, 45, Map.of("contract", "runtime"));
        assertThat(ChaosChecks.stageCompletesOnce(run.observation()))
                .singleElement()
                .satisfies(x -> assertThat(x.text())
                        .contains("backup completed 2 times")
                        .contains("runtime"));
    }

    @Test
    void anEventIdStoredTwiceOrNotAtAllIsSeen() {
        Run twice = new Run();
        twice.extraIds.put("00000000-0000-0000-0000-000000000001", 2);
        assertThat(broken(twice.observation())).containsExactly(Invariant.EVENT_IDS_ONCE);

        Run lost = new Run();
        Observation o = lost.observation();
        o.ledgerEventIds().remove("00000000-0000-0000-0000-000000000007");
        assertThat(ChaosChecks.eventIdsOnce(o)).hasSize(1);
    }

    @Test
    void aDeploymentStuckRunningIsNotFinal() {
        // Given the acknowledged deployment still running in the ledger (its push stayed at commit)
        Run run = new Run();
        run.deployments.put(DEP, deployment(DEP, "running", null));

        List<Violation> v = ChaosChecks.ackedOnceFinal(run.observation());
        assertThat(v).singleElement().satisfies(x -> assertThat(x.text()).contains("is running, not final"));
    }

    @Test
    void anAcknowledgedDeploymentMissingFromTheLedgerOrFailedWithoutAReasonIsSeen() {
        Run missing = new Run();
        missing.deliveries.add(new Delivery(
                "ops/edge-cluster-infra",
                "0123456789",
                202,
                List.of("22222222-2222-2222-2222-222222222222"),
                T0,
                "HTTP 202"));
        assertThat(ChaosChecks.ackedOnceFinal(missing.observation()))
                .singleElement()
                .satisfies(x -> assertThat(x.text()).contains("not in the ledger"));

        Run noReason = new Run();
        noReason.deployments.put(DEP, deployment(DEP, "failed", " "));
        assertThat(ChaosChecks.ackedOnceFinal(noReason.observation()))
                .singleElement()
                .satisfies(x -> assertThat(x.text()).contains("without a reason"));

        Run notAccepted = new Run();
        notAccepted.deliveries.add(new Delivery("ops/edge-cluster-infra", "", 0, List.of(), T0, "no answer"));
        assertThat(ChaosChecks.ackedOnceFinal(notAccepted.observation())).isEmpty();
    }

    @Test
    void aDeadLetterThatWasAValidEventIsSeen() {
        Run run = new Run();
        run.deadLetters.add(new DeadLetter(
                "handoff.commits.dlq", 0, "handoff-ledger", "schema-violation", "handoff.commits", 0, 9, false));
        assertThat(ChaosChecks.check(run.observation())).isEmpty();

        run.deadLetters.add(new DeadLetter(
                "handoff.commits.dlq", 1, "handoff-converge", "schema-violation", "handoff.commits", 0, 0, true));
        assertThat(broken(run.observation())).containsExactly(Invariant.DLQ_ONLY_INVALID);
    }

    @Test
    void aRebuiltLedgerThatDiffersOrIsMissingIsSeen() {
        Run run = new Run();
        run.rebuild = Optional.of(List.of(LedgerRebuild.compare(
                "deployment", Map.of("(a,running)", 1, "(b,failed)", 1), Map.of("(a,succeeded)", 1, "(b,failed)", 1))));
        List<Violation> v = ChaosChecks.check(run.observation());
        assertThat(v).extracting(Violation::invariant).containsExactly(Invariant.REBUILD_EQUAL);
        assertThat(v.get(0).text()).contains("2 differ").contains("(a,running)").contains("(a,succeeded)");

        run.rebuild = Optional.empty();
        assertThat(broken(run.observation())).containsExactly(Invariant.REBUILD_EQUAL);
    }

    @Test
    void anOffsetCommittedPastAnUnhandledTriggerIsSeen() {
        // Given a second push whose converge group committed past it, with no converge event caused by it
        Run run = new Run();
        String dep2 = "33333333-3333-3333-3333-333333333333";
        String pushed =
                run.add("handoff.commits", "handoff.commit.pushed", dep2, null, 50, Map.of("stage", "converge"));
        run.committed.replaceAll(
                c -> c.group().equals("handoff-ledger") && c.topic().equals("handoff.commits")
                        ? new Committed("handoff-ledger", "handoff.commits", 0, 2)
                        : c);
        run.committed.removeIf(c -> c.group().equals("handoff-converge"));
        run.committed.add(new Committed("handoff-converge", "handoff.commits", 0, 2));
        run.deliveries.add(new Delivery("ops/nix-k3s-edge-cluster", "0123456789", 202, List.of(dep2), T0, "HTTP 202"));
        run.deployments.put(dep2, deployment(dep2, "running", null));

        List<Violation> v = ChaosChecks.offsetsHandled(run.observation());
        assertThat(v)
                .singleElement()
                .satisfies(x -> assertThat(x.text())
                        .contains("group handoff-converge committed handoff.commits/0 at 2 past handoff.commit.pushed "
                                + pushed));

        // a committed offset that stops before it is not past it; a push of another stage is none of converge's
        run.committed.removeIf(c -> c.group().equals("handoff-converge"));
        run.committed.add(new Committed("handoff-converge", "handoff.commits", 0, 1));
        assertThat(ChaosChecks.offsetsHandled(run.observation())).isEmpty();
    }

    @Test
    void theLedgerGroupCommittedPastARecordItDoesNotHoldUnlessItDeadLetteredIt() {
        Run run = new Run();
        run.records.add(new TopicRecord("handoff.commits", 0, 1, null, null, HOST, null, null, T0, false, Map.of()));
        run.committed.replaceAll(
                c -> c.group().equals("handoff-ledger") && c.topic().equals("handoff.commits")
                        ? new Committed("handoff-ledger", "handoff.commits", 0, 2)
                        : c);
        assertThat(ChaosChecks.offsetsHandled(run.observation())).hasSize(1);

        run.deadLetters.add(new DeadLetter(
                "handoff.commits.dlq", 0, "handoff-ledger", "missing-header", "handoff.commits", 0, 1, false));
        assertThat(ChaosChecks.offsetsHandled(run.observation())).isEmpty();
    }

    @Test
    void twoConvergeRunsOfOneHostAtOnceBreakTheHostLockUnlessTheFirstWorkerWasKilled() {
        // Given a second deployment's converge run starting while the first one's is under way
        Run run = new Run();
        String dep2 = "44444444-4444-4444-4444-444444444444";
        run.add("handoff.convergence", "handoff.convergence.started", dep2, null, 10, Map.of());
        run.add("handoff.convergence", "handoff.convergence.completed", dep2, null, 35, Map.of());
        assertThat(ChaosChecks.hostLock(run.observation()))
                .singleElement()
                .satisfies(
                        x -> assertThat(x.text()).contains("started at 2026-12-07T06:00:10Z while the run of " + DEP));

        // When converge-service was killed between the first start and the second, the first worker held nothing
        run.faults.add(new Fault(
                FaultKind.KILL,
                "converge-service",
                "during key staging",
                T0.plusSeconds(5),
                T0.plusSeconds(8),
                Optional.of(T0.plusSeconds(9))));
        assertThat(ChaosChecks.hostLock(run.observation())).isEmpty();
    }

    @Test
    void aHostPartitionedDuringActivationMustEndConfirmedOrRolledBackAndConvergeAgain() {
        // Given the edge host partitioned during the converge run, which then failed without rolling back
        Run run = new Run();
        run.records.removeIf(r -> r.type().equals("handoff.convergence.completed"));
        run.add(
                "handoff.convergence",
                "handoff.convergence.failed",
                DEP,
                null,
                20,
                Map.of("rolledBack", "false", "reason", "activation-timeout"));
        run.faults.add(new Fault(
                FaultKind.PARTITION,
                HOST,
                "during activation",
                T0.plusSeconds(5),
                T0.plusSeconds(15),
                Optional.of(T0.plusSeconds(16))));

        List<Violation> v = ChaosChecks.partitionedHostSafe(run.observation());
        assertThat(v).extracting(Violation::text).anySatisfy(t -> assertThat(t).contains("without rolling back"));
        assertThat(v).extracting(Violation::text).anySatisfy(t -> assertThat(t).contains("did not converge again"));

        // When it had rolled back and a later run converged the host, the partition was survived
        Run safe = new Run();
        safe.records.removeIf(r -> r.type().equals("handoff.convergence.completed"));
        safe.add("handoff.convergence", "handoff.convergence.failed", DEP, null, 20, Map.of("rolledBack", "true"));
        String dep2 = "55555555-5555-5555-5555-555555555555";
        safe.add("handoff.convergence", "handoff.convergence.started", dep2, null, 40, Map.of());
        safe.add("handoff.convergence", "handoff.convergence.completed", dep2, null, 60, Map.of());
        safe.faults.addAll(run.faults);
        assertThat(ChaosChecks.partitionedHostSafe(safe.observation())).isEmpty();
    }

    @Test
    void aDeploymentLeftAtCommitIsBlamedOnTheLastFaultBeforeIt() {
        // Given a push acknowledged after PostgreSQL came back, which never left commit, and a kill long after
        Run run = new Run();
        String dep2 = "77777777-7777-7777-7777-777777777777";
        run.add("handoff.commits", "handoff.commit.pushed", dep2, null, 100, Map.of("stage", "converge"));
        run.deliveries.add(new Delivery("ops/nix-k3s-edge-cluster", "0123456789", 202, List.of(dep2), T0, "HTTP 202"));
        run.deployments.put(dep2, deployment(dep2, "running", null));
        run.faults.add(new Fault(
                FaultKind.POSTGRES,
                "postgres",
                "with a stage run under way",
                T0.plusSeconds(60),
                T0.plusSeconds(70),
                Optional.of(T0.plusSeconds(75))));
        run.faults.add(new Fault(
                FaultKind.KILL,
                "backup-service",
                "during a restic rehearsal",
                T0.plusSeconds(400),
                T0.plusSeconds(410),
                Optional.of(T0.plusSeconds(420))));
        Observation o = run.observation();

        var byKind = ChaosChecks.byKind(o, ChaosChecks.check(o));

        assertThat(byKind.get(FaultKind.POSTGRES).get(Invariant.ACKED_ONCE_FINAL))
                .isFalse();
        assertThat(byKind.get(FaultKind.KILL).get(Invariant.ACKED_ONCE_FINAL)).isTrue();
    }

    @Test
    void aViolationCountsAgainstTheFaultKindsThatTouchedItsDeployment() {
        // Given a stuck deployment that ran while a broker stop happened, and a partition long after it
        Run run = new Run();
        run.deployments.put(DEP, deployment(DEP, "running", null));
        run.faults.add(new Fault(
                FaultKind.BROKER,
                "kafka",
                "with a stage run under way",
                T0.plusSeconds(10),
                T0.plusSeconds(20),
                Optional.of(T0.plusSeconds(22))));
        run.faults.add(new Fault(
                FaultKind.PARTITION,
                HOST,
                "during activation",
                T0.plusSeconds(500),
                T0.plusSeconds(520),
                Optional.of(T0.plusSeconds(530))));
        String dep2 = "66666666-6666-6666-6666-666666666666";
        run.add("handoff.convergence", "handoff.convergence.started", dep2, null, 490, Map.of());
        run.add("handoff.convergence", "handoff.convergence.completed", dep2, null, 600, Map.of());
        Observation o = run.observation();

        var byKind = ChaosChecks.byKind(o, ChaosChecks.check(o));

        assertThat(byKind.get(FaultKind.BROKER).get(Invariant.ACKED_ONCE_FINAL)).isFalse();
        assertThat(byKind.get(FaultKind.PARTITION).get(Invariant.ACKED_ONCE_FINAL))
                .isTrue();
        assertThat(byKind.get(FaultKind.PARTITION)).containsEntry(Invariant.PARTITIONED_HOST_SAFE, true);
        assertThat(byKind.get(FaultKind.BROKER)).doesNotContainKey(Invariant.PARTITIONED_HOST_SAFE);
    }
}
