package dev.handoff.common.stage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.handoff.common.event.EventType;
import dev.handoff.common.event.Stage;
import dev.handoff.common.event.Topics;
import dev.handoff.common.event.v1.CommitPushed;
import dev.handoff.common.event.v1.StageStarted;
import dev.handoff.common.messaging.ReceivedEvent;
import dev.handoff.common.serde.EventCodec;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Newest commit wins among the triggers that waited for one host. */
class SupersedingTest {
    private static final String RUNTIME = "ops/nix-k3s-edge-cluster";
    private static final String NIXOS = "ops/infrastructure-nixos";
    private final EventCodec codec = new EventCodec();
    private long offset;

    @Test
    void ofTwoPushesOfOneRepositoryTheNewerRunsAndTheOlderIsSupersededByIt() {
        // Given
        ReceivedEvent older = push(RUNTIME, "converge", "a");
        ReceivedEvent newer = push(RUNTIME, "converge", "b");

        // When
        Superseding.Plan plan = Superseding.plan(Stage.CONVERGE, List.of(older, newer));

        // Then
        assertThat(plan.run()).containsExactly(newer);
        assertThat(plan.superseded()).containsExactly(new Superseding.Superseded(older.event(), newer.event()));
    }

    @Test
    void pushesOfOtherRepositoriesOtherStagesAndEventsTheStageIgnoresAllPassInOrder() {
        // Given
        ReceivedEvent runtime = push(RUNTIME, "converge", "a");
        ReceivedEvent nixos = push(NIXOS, "converge", "b");
        ReceivedEvent infraPush = push("ops/edge-cluster-infra", "infra", "c");
        ReceivedEvent infraPush2 = push("ops/edge-cluster-infra", "infra", "d");
        ReceivedEvent started = received(
                Topics.COMMITS,
                codec.newEvent(
                        EventType.CONVERGENCE_STARTED,
                        "/handoff/converge-service",
                        "cloud-edge-1",
                        UUID.randomUUID().toString(),
                        null,
                        new StageStarted("cloud-edge-1", "converge", "schedule", null, null)));

        // When
        Superseding.Plan plan =
                Superseding.plan(Stage.CONVERGE, List.of(runtime, infraPush, nixos, started, infraPush2));

        // Then
        assertThat(plan.superseded()).isEmpty();
        assertThat(plan.run()).containsExactly(runtime, infraPush, nixos, started, infraPush2);
    }

    @Test
    void anOperatorsReplayIsNeverSupersededNorSupersedesAnything() {
        // Given
        ReceivedEvent pushed = push(RUNTIME, "converge", "a");
        ReceivedEvent replayOfOlder = received(
                Topics.replay(Stage.CONVERGE), push(RUNTIME, "converge", "0").event());
        ReceivedEvent newest = push(RUNTIME, "converge", "b");

        // When
        Superseding.Plan plan = Superseding.plan(Stage.CONVERGE, List.of(pushed, replayOfOlder, newest));

        // Then
        assertThat(plan.run()).containsExactly(replayOfOlder, newest);
        assertThat(plan.superseded()).extracting(s -> s.older()).containsExactly(pushed.event());
    }

    private ReceivedEvent push(String repository, String stage, String commitChar) {
        return received(
                Topics.COMMITS,
                codec.newEvent(
                        EventType.COMMIT_PUSHED,
                        "/handoff/control-service",
                        "cloud-edge-1",
                        UUID.randomUUID().toString(),
                        null,
                        new CommitPushed(
                                "cloud-edge-1",
                                repository,
                                "refs/heads/main",
                                "main",
                                "0".repeat(40),
                                commitChar.repeat(40),
                                stage,
                                "https://forge.test/" + repository + ".git",
                                null,
                                "alice",
                                UUID.randomUUID().toString(),
                                1,
                                null)));
    }

    private ReceivedEvent received(String topic, dev.handoff.common.event.EventEnvelope e) {
        return new ReceivedEvent(e, topic, 0, offset++, 0);
    }
}
