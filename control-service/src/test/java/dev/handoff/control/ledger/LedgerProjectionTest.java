package dev.handoff.control.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import dev.handoff.common.event.EventEnvelope;
import dev.handoff.common.event.EventType;
import dev.handoff.common.event.v1.CommitPushed;
import dev.handoff.common.event.v1.CommitStale;
import dev.handoff.common.event.v1.StageFailed;
import dev.handoff.common.event.v1.StageStarted;
import dev.handoff.common.event.v1.StageSuperseded;
import dev.handoff.common.event.v1.StageWaiting;
import dev.handoff.common.messaging.ReceivedEvent;
import dev.handoff.common.serde.EventCodec;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class LedgerProjectionTest {
    private final EventCodec codec = new EventCodec();
    private static final OffsetDateTime T0 = OffsetDateTime.of(2026, 11, 25, 10, 0, 0, 0, ZoneOffset.UTC);

    private ReceivedEvent at(EventType type, Record payload, OffsetDateTime time) {
        EventEnvelope e = codec.newEvent(type, "/handoff/test", "cloud-edge-1", "dep-1", null, payload);
        e = new EventEnvelope(
                e.id(),
                e.source(),
                e.type(),
                e.subject(),
                time,
                e.dataSchema(),
                e.deploymentId(),
                null,
                null,
                e.data());
        return new ReceivedEvent(e, type.topic(), 0, 0, 0);
    }

    @Test
    void aDriftOfTheHostIsRecordedWithoutChangingTheDeploymentOrItsStages() {
        // Given: a convergence that completed, and later the watch's report that the host left it
        String commit = "a".repeat(40);
        var completed = at(
                EventType.CONVERGENCE_COMPLETED,
                new dev.handoff.common.event.v1.Convergence(
                        "cloud-edge-1",
                        "ops/nix-k3s-edge-cluster",
                        commit,
                        "/nix/store/x48gzfjghm8dl5lsn801qhsdkcbplzsx-nixos-system-cloud-edge-1",
                        12,
                        commit,
                        "fc885833-f67d-47bd-8394-bd147b33f007",
                        false,
                        dev.handoff.common.event.v1.Convergence.AccessPhase.STEADY,
                        List.of(new dev.handoff.common.event.v1.Convergence.Check("current-system", true, "ok"))),
                T0);
        var drifted = at(
                EventType.CONVERGENCE_DRIFTED,
                new dev.handoff.common.event.v1.ConvergenceDrifted(
                        "cloud-edge-1",
                        "ops/nix-k3s-edge-cluster",
                        commit,
                        "5b0f6c1e-2d3a-4e5f-8a9b-0c1d2e3f4a5b",
                        T0.plusHours(1).toInstant(),
                        List.of(new dev.handoff.common.event.v1.ConvergenceDrifted.Difference(
                                "generation", "12", "11")),
                        "report",
                        null,
                        "cloud-edge-1 no longer runs what Handoff converged"),
                T0.plusHours(1));

        // When: folded with the completion, in either order, and alone
        for (List<ReceivedEvent> batch : List.of(List.of(completed, drifted), List.of(drifted, completed))) {
            LedgerProjection p = LedgerProjection.of(batch);

            // Then: the deployment and its converge stage are as the completion left them
            var d = p.deployments().iterator().next();
            assertThat(d.status).isEqualTo(LedgerProjection.Status.RUNNING);
            assertThat(d.updatedAt).isEqualTo(T0);
            assertThat(p.stages()).singleElement().satisfies(s -> {
                assertThat(s.stage).isEqualTo("converge");
                assertThat(s.status).isEqualTo("completed");
            });
        }
        assertThat(LedgerProjection.of(List.of(drifted)).deployments()).isEmpty();
    }

    @Test
    void aFailureAfterAStartFailsTheDeploymentWhateverTheArrivalOrder() {
        // Given
        var started = at(
                EventType.CLOUD_FACTS_STARTED,
                new StageStarted(
                        "cloud-edge-1", "infra", "handoff.commit.pushed", "ops/edge-cluster-infra", "a".repeat(40)),
                T0);
        var failed = at(
                EventType.CLOUD_FACTS_FAILED,
                new StageFailed("cloud-edge-1", "infra", "drift", "publicIp differs", false, List.of()),
                T0.plusSeconds(30));

        // When: delivered in either order
        for (List<ReceivedEvent> batch : List.of(List.of(started, failed), List.of(failed, started))) {
            LedgerProjection p = LedgerProjection.of(batch);

            // Then
            var d = p.deployments().iterator().next();
            assertThat(d.status).isEqualTo(LedgerProjection.Status.FAILED);
            assertThat(d.result).isEqualTo("infra: drift — publicIp differs");
            assertThat(d.startedAt).isEqualTo(T0);
            assertThat(d.finishedAt).isEqualTo(T0.plusSeconds(30));
            assertThat(d.repository).isEqualTo("ops/edge-cluster-infra");
            var s = p.stages().iterator().next();
            assertThat(s.stage).isEqualTo("infra");
            assertThat(s.status).isEqualTo("failed");
            assertThat(s.startedAt).isEqualTo(T0);
            assertThat(s.finishedAt).isEqualTo(T0.plusSeconds(30));
        }
    }

    @Test
    void theDeploymentNamesThePushedCommitWhateverArrivedFirst() {
        // Given an infra deployment's push and its secrets stage's start, which names the secrets repository and its
        // head: a ledger catching up (a new group, a restart with lag) reads the topics in any order (#18, found by
        // bench/run-chaos: the rebuilt ledger named the secrets repository for infra deployments)
        String pushedCommit = "a".repeat(40);
        var pushed = at(
                EventType.COMMIT_PUSHED,
                new CommitPushed(
                        "cloud-edge-1",
                        "ops/edge-cluster-infra",
                        "refs/heads/main",
                        "main",
                        "0".repeat(40),
                        pushedCommit,
                        "infra",
                        "https://forge.test/ops/edge-cluster-infra.git",
                        null,
                        "alice",
                        "delivery-1",
                        1,
                        null),
                T0);
        var secrets = at(
                EventType.SECRET_FACTS_STARTED,
                new StageStarted(
                        "cloud-edge-1",
                        "secrets",
                        "handoff.cloud-facts.completed",
                        "ops/infrastructure-secrets",
                        "b".repeat(40)),
                T0.plusSeconds(40));

        // When: folded in either order
        for (List<ReceivedEvent> batch : List.of(List.of(pushed, secrets), List.of(secrets, pushed))) {
            var d = LedgerProjection.of(batch).deployments().iterator().next();

            // Then the deployment is the push's
            assertThat(d.repository).isEqualTo("ops/edge-cluster-infra");
            assertThat(d.commit).isEqualTo(pushedCommit);
            assertThat(d.firstStage).isEqualTo("infra");
        }
    }

    @Test
    void aDeploymentWhoseNewestEventIsCommitStaleIsStaleWithItsMessage() {
        // Given: a commit deployed once, then its push re-sent after a newer commit was deployed
        String a = "a".repeat(40);
        var pushed = at(
                EventType.COMMIT_PUSHED,
                new CommitPushed(
                        "cloud-edge-1",
                        "ops/edge-cluster-infra",
                        "refs/heads/main",
                        "main",
                        "0".repeat(40),
                        a,
                        "infra",
                        "https://forge.test/ops/edge-cluster-infra.git",
                        null,
                        "alice",
                        "delivery-1",
                        1,
                        null),
                T0);
        var stale = at(
                EventType.COMMIT_STALE,
                new CommitStale(
                        "cloud-edge-1",
                        "ops/edge-cluster-infra",
                        "main",
                        a,
                        "b".repeat(40),
                        "b".repeat(40),
                        CommitStale.NOT_A_DESCENDANT,
                        "commit " + a + " is not deployed: it would roll the host back",
                        "delivery-2"),
                T0.plusSeconds(3600));

        // When
        LedgerProjection p = LedgerProjection.of(List.of(pushed, stale));

        // Then
        var d = p.deployments().iterator().next();
        assertThat(d.status).isEqualTo(LedgerProjection.Status.STALE);
        assertThat(d.status.id()).isEqualTo("stale");
        assertThat(d.result).isEqualTo("stale: commit " + a + " is not deployed: it would roll the host back");
        assertThat(d.commit).isEqualTo(a);
        assertThat(d.firstStage).isEqualTo("infra");
        assertThat(d.finishedAt).isEqualTo(T0.plusSeconds(3600));
        var s = p.stages().iterator().next();
        assertThat(s.stage).isEqualTo("commit");
        assertThat(s.status).isEqualTo("stale");
        assertThat(s.reason).startsWith("stale: commit " + a);
    }

    @Test
    void aTriggerThatANewerOneSupersededEndsItsDeploymentAsSupersededAndAWaitingStageShowsWhy() {
        // Given: a runtime push that converge did not run because a newer one waited too
        String a = "a".repeat(40);
        String b = "b".repeat(40);
        var pushed = at(
                EventType.COMMIT_PUSHED,
                new CommitPushed(
                        "cloud-edge-1",
                        "ops/nix-k3s-edge-cluster",
                        "refs/heads/main",
                        "main",
                        "0".repeat(40),
                        a,
                        "converge",
                        "https://forge.test/ops/nix-k3s-edge-cluster.git",
                        null,
                        "alice",
                        "delivery-1",
                        1,
                        null),
                T0);
        var waiting = at(
                EventType.CONVERGENCE_WAITING,
                new StageWaiting(
                        "cloud-edge-1",
                        "converge",
                        "cloud-facts",
                        null,
                        T0.plusMinutes(30).toInstant(),
                        "converge waits for the cloud facts of cloud-edge-1"),
                T0.plusSeconds(1));
        var superseded = at(
                EventType.CONVERGENCE_SUPERSEDED,
                new StageSuperseded(
                        "cloud-edge-1",
                        "converge",
                        EventType.COMMIT_PUSHED.type(),
                        "ops/nix-k3s-edge-cluster",
                        a,
                        "5d0c3a57-6f1e-4c59-9d1e-2a9b3c4d5e6f",
                        null,
                        b,
                        "converge did not run commit " + a + ": a newer trigger (commit " + b + ") was waiting"),
                T0.plusSeconds(2));

        // When
        LedgerProjection whileWaiting = LedgerProjection.of(List.of(pushed, waiting));
        LedgerProjection after = LedgerProjection.of(List.of(superseded, waiting, pushed));

        // Then
        var w = whileWaiting.deployments().iterator().next();
        assertThat(w.status).isEqualTo(LedgerProjection.Status.RUNNING);
        var waitingStep = whileWaiting.stages().stream()
                .filter(s -> s.stage.equals("converge"))
                .findFirst()
                .orElseThrow();
        assertThat(waitingStep.status).isEqualTo("waiting");
        assertThat(waitingStep.reason).contains("cloud facts");
        var d = after.deployments().iterator().next();
        assertThat(d.status.id()).isEqualTo("superseded");
        assertThat(d.result).startsWith("converge: superseded").contains(b);
        assertThat(d.finishedAt).isEqualTo(T0.plusSeconds(2));
        var step = after.stages().stream()
                .filter(s -> s.stage.equals("converge"))
                .findFirst()
                .orElseThrow();
        assertThat(step.status).isEqualTo("superseded");
        assertThat(step.finishedAt).isEqualTo(T0.plusSeconds(2));
    }

    @Test
    void eventsWithoutDeploymentAreStoredButNotProjected() {
        EventEnvelope e = codec.newEvent(
                EventType.CLOUD_FACTS_STARTED,
                "/handoff/test",
                "cloud-edge-1",
                null,
                null,
                new StageStarted("cloud-edge-1", "infra", "schedule", null, null));
        assertThat(LedgerProjection.of(List.of(new ReceivedEvent(e, "t", 0, 0, 0)))
                        .deployments())
                .isEmpty();
    }
}
