package dev.handoff.control.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.handoff.common.event.EventEnvelope;
import dev.handoff.common.event.Stage;
import dev.handoff.common.serde.Json;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class ReplayPlanTest {
    private static final int MAX = 10_000;

    @Test
    void aRangeWithinThePartitionAndTheMaximumIsAccepted() throws ReplayRefused {
        // Given
        ReplayRequest request = new ReplayRequest("workload", "handoff.convergence", 1, 10L, null, null);

        // When
        Stage stage = ReplayPlan.checkShape(request);
        ReplayPlan.Checked checked = ReplayPlan.checkRange(stage, request, 3, 5, 10_010, MAX);

        // Then: no toOffset means up to the last record
        assertThat(checked.toOffset()).isEqualTo(10_009);
        assertThat(checked.span()).isEqualTo(MAX);
    }

    @Test
    void oneRecordMoreThanTheMaximumIsRefusedWithWhereToSplit() {
        // Given
        ReplayRequest request = new ReplayRequest("workload", "handoff.convergence", 1, 10L, 10_010L, null);

        // When / Then
        assertThatThrownBy(() -> ReplayPlan.checkRange(Stage.WORKLOAD, request, 3, 0, 20_000, MAX))
                .isInstanceOfSatisfying(ReplayRefused.class, e -> {
                    assertThat(e.reason()).isEqualTo("too-many-records");
                    assertThat(e.getMessage())
                            .isEqualTo("offsets 10 to 10010 are 10001 records; a replay takes at most 10000");
                    assertThat(e.fix()).isEqualTo("replay offsets 10 to 10009 first, then continue from 10010");
                });
    }

    @Test
    void offsetsBeforeTheBeginningOrPastTheEndAreRefused() {
        // Given: a partition holding offsets 100..199 (older ones deleted by retention)
        ReplayRequest early = new ReplayRequest("backup", "handoff.workload", 0, 99L, null, null);
        ReplayRequest late = new ReplayRequest("backup", "handoff.workload", 0, 150L, 200L, null);
        ReplayRequest backwards = new ReplayRequest("backup", "handoff.workload", 0, 150L, 149L, null);

        // When / Then
        for (ReplayRequest r : new ReplayRequest[] {early, late, backwards}) {
            assertThatThrownBy(() -> ReplayPlan.checkRange(Stage.BACKUP, r, 3, 100, 200, MAX))
                    .isInstanceOfSatisfying(
                            ReplayRefused.class, e -> assertThat(e.reason()).isEqualTo("offset-out-of-range"));
        }
    }

    @Test
    void theSameReplayAndOriginalGiveTheSameCopyAndOneDeploymentPerOriginalDeployment() {
        // Given
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        EventEnvelope started = original("e1", "d1");
        EventEnvelope completed = original("e2", "d1");
        String replay = ReplayPlan.replayId("alice", "key-1");

        // When
        EventEnvelope a = ReplayPlan.copy(replay, completed, now);
        EventEnvelope b = ReplayPlan.copy(ReplayPlan.replayId("alice", "key-1"), completed, now.plusSeconds(5));
        EventEnvelope other = ReplayPlan.copy(ReplayPlan.replayId("bob", "key-1"), completed, now);

        // Then
        assertThat(a.id()).isEqualTo(b.id()).isNotEqualTo(completed.id());
        assertThat(a.deploymentId())
                .isEqualTo(ReplayPlan.copy(replay, started, now).deploymentId())
                .isNotEqualTo("d1")
                .isNotEqualTo(other.deploymentId());
        assertThat(a.replayOf()).isEqualTo("e2");
        assertThat(a.causationId()).isEqualTo(replay);
        assertThat(a.data()).isEqualTo(completed.data());
        assertThat(ReplayPlan.replayId("alice", null)).isNotEqualTo(ReplayPlan.replayId("alice", null));
    }

    private static EventEnvelope original(String id, String deployment) {
        return new EventEnvelope(
                id,
                "/handoff/secrets-service",
                "handoff.secret-facts.completed",
                "cloud-edge-1",
                OffsetDateTime.now(ZoneOffset.UTC),
                "https://handoff.dev/schemas/secret-facts.completed/v1",
                deployment,
                "cause",
                null,
                Json.mapper().createObjectNode().put("host", "cloud-edge-1"));
    }
}
