package dev.handoff.support.watch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.handoff.support.StageMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** A stage's scheduled check as an operator sees it: every host checked, every round counted, without Quarkus. */
class WatchRoundsTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final WatchRounds rounds = new WatchRounds(new StageMetrics(registry));

    /** A watch over three hosts: {@code broken} cannot be checked, {@code drifted} has a finding to publish. */
    private static class Hosts implements Watch {
        final List<String> checked = new ArrayList<>();
        final Set<String> drifted;
        final Set<String> broken;

        Hosts(Set<String> drifted, Set<String> broken) {
            this.drifted = drifted;
            this.broken = broken;
        }

        @Override
        public String stage() {
            return "workload";
        }

        @Override
        public Collection<String> hosts() {
            return List.of("edge-a", "edge-b", "edge-c");
        }

        @Override
        public boolean check(String host) {
            checked.add(host);
            if (broken.contains(host)) {
                throw new IllegalStateException(host + ": ssh-unreachable");
            }
            return drifted.contains(host);
        }
    }

    @Test
    void oneHostThatCannotBeCheckedDoesNotStopTheRoundAndTheRoundCountsAsFailed() {
        // Given
        Hosts watch = new Hosts(Set.of("edge-c"), Set.of("edge-a"));

        // When
        Round round = rounds.run(watch);

        // Then: the hosts after the broken one were checked, and the finding of edge-c was reported
        assertThat(watch.checked).containsExactly("edge-a", "edge-b", "edge-c");
        assertThat(round.reported()).containsExactly("edge-c");
        assertThat(round.failed()).containsOnlyKeys("edge-a");
        assertThat(round.failed().get("edge-a")).contains("ssh-unreachable");
        assertThat(round.result()).isEqualTo("failed");
        assertThat(rounds("workload", "failed")).isEqualTo(1);
        assertThat(rounds("workload", "reported")).isZero();
    }

    @Test
    void roundsAreCountedByResultAndTheLastRoundIsTimestamped() {
        // Given
        long before = System.currentTimeMillis() / 1000;

        // When
        Round quiet = rounds.run(new Hosts(Set.of(), Set.of()));
        rounds.run(new Hosts(Set.of(), Set.of()));
        Round reported = rounds.run(new Hosts(Set.of("edge-b"), Set.of()));

        // Then
        assertThat(quiet.result()).isEqualTo("quiet");
        assertThat(quiet.checked()).isEqualTo(3);
        assertThat(reported.result()).isEqualTo("reported");
        assertThat(rounds("workload", "quiet")).isEqualTo(2);
        assertThat(rounds("workload", "reported")).isEqualTo(1);
        Gauge last = registry.find("handoff.watch.last.round.timestamp")
                .tags("stage", "workload")
                .gauge();
        assertThat(last).isNotNull();
        assertThat(last.value()).isCloseTo(before, within(5.0));
    }

    @Test
    void aWatchThatCannotNameItsHostsFailsTheRoundWithoutThrowing() {
        // Given
        Watch noHosts = new Hosts(Set.of(), Set.of()) {
            @Override
            public Collection<String> hosts() {
                throw new IllegalStateException("the store is unreachable");
            }
        };

        // When
        Round round = rounds.run(noHosts);

        // Then
        assertThat(round.result()).isEqualTo("failed");
        assertThat(round.failed()).containsEntry("*", "the store is unreachable");
        assertThat(rounds("workload", "failed")).isEqualTo(1);
    }

    private double rounds(String stage, String result) {
        Counter c = registry.find("handoff.watch.rounds")
                .tags("stage", stage, "result", result)
                .counter();
        return c == null ? 0 : c.count();
    }
}
