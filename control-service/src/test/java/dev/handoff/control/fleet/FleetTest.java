package dev.handoff.control.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.handoff.common.event.Stage;
import dev.handoff.common.inventory.Inventory;
import dev.handoff.control.ledger.FleetQueries.RepositoryRun;
import java.time.OffsetDateTime;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How a repository's head in Git and its deployments make its state and the host's. */
class FleetTest {
    private static final Inventory.Repository REPO = new Inventory.Repository(
            "ops/nix-k3s-edge-cluster", "file:///forge/x.git", "main", Stage.CONVERGE, List.of());
    private static final OffsetDateTime NOW = OffsetDateTime.parse("2026-12-07T03:00:00Z");

    private static GitHeads.Head head(String commit) {
        return new GitHeads.Head(commit, null, NOW);
    }

    private static RepositoryRun run(String commit, String status) {
        return new RepositoryRun("d-" + commit, commit, status, NOW);
    }

    @Test
    void aRepositoryIsInSyncDeployingBehindNeverDeployedOrUnknown() {
        assertThat(Fleet.state(REPO, head("b"), run("b", "succeeded"), null).state())
                .isEqualTo("in-sync");
        assertThat(Fleet.state(REPO, head("b"), run("a", "succeeded"), run("b", "running"))
                        .state())
                .isEqualTo("deploying");
        assertThat(Fleet.state(REPO, head("c"), run("a", "succeeded"), run("b", "running"))
                        .state())
                .isEqualTo("behind");
        assertThat(Fleet.state(REPO, head("c"), run("a", "succeeded"), null).state())
                .isEqualTo("behind");
        assertThat(Fleet.state(REPO, head("c"), null, null).state()).isEqualTo("never-deployed");
        HostView.RepositoryState unreadable = Fleet.state(
                REPO, new GitHeads.Head(null, "cannot read the branches", NOW), run("a", "succeeded"), null);
        assertThat(unreadable.state()).isEqualTo("unknown");
        assertThat(unreadable.gitError()).isEqualTo("cannot read the branches");
        assertThat(unreadable.deployed()).isEqualTo("a");
    }

    @Test
    void aHostIsAsBadAsItsWorstRepositoryAndDriftComesFirst() {
        HostView.RepositoryState inSync = Fleet.state(REPO, head("b"), run("b", "succeeded"), null);
        HostView.RepositoryState behind = Fleet.state(REPO, head("c"), run("b", "succeeded"), null);
        HostView.RepositoryState deploying = Fleet.state(REPO, head("c"), run("b", "succeeded"), run("c", "running"));
        assertThat(Fleet.hostState(List.of(inSync), false)).isEqualTo("in-sync");
        assertThat(Fleet.hostState(List.of(inSync, deploying), false)).isEqualTo("deploying");
        assertThat(Fleet.hostState(List.of(deploying, behind), false)).isEqualTo("behind");
        assertThat(Fleet.hostState(List.of(inSync), true)).isEqualTo("drifted");
    }

    @Test
    void aConvergenceDriftShowsEachFieldExpectedAgainstObservedAndOtherReportsShowNone() {
        // When
        var differences = dev.handoff.control.ledger.FleetQueries.differences(
                "[{\"field\":\"generation\",\"expected\":\"12\",\"observed\":\"11\"},"
                        + "{\"field\":\"failedUnits\",\"expected\":\"\",\"observed\":\"k3s.service\"}]");

        // Then
        assertThat(differences)
                .containsExactly(
                        new dev.handoff.control.ledger.FleetQueries.Difference("generation", "12", "11"),
                        new dev.handoff.control.ledger.FleetQueries.Difference("failedUnits", "", "k3s.service"));
        assertThat(dev.handoff.control.ledger.FleetQueries.differences(null)).isEmpty();
    }
}
