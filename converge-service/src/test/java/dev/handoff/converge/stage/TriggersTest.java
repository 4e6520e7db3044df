package dev.handoff.converge.stage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.handoff.common.event.Stage;
import dev.handoff.common.event.v1.CommitPushed;
import dev.handoff.common.inventory.Inventory;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TriggersTest {
    static Inventory inventory() {
        Map<String, Inventory.Repository> repos = new LinkedHashMap<>();
        repos.put(
                "ops/edge-cluster-infra",
                new Inventory.Repository("ops/edge-cluster-infra", "file:///infra", "main", Stage.INFRA, List.of()));
        repos.put(
                "ops/nix-k3s-edge-cluster",
                new Inventory.Repository("ops/nix-k3s-edge-cluster", "file:///nix", "main", Stage.CONVERGE, List.of()));
        Map<String, Inventory.Host> hosts = new LinkedHashMap<>();
        hosts.put("cloud-edge-1", AccessPlanTest.HOST);
        return new Inventory(repos, hosts);
    }

    static CommitPushed push(String repository) {
        return new CommitPushed(
                "cloud-edge-1",
                repository,
                "refs/heads/main",
                "main",
                "0".repeat(40),
                "a".repeat(40),
                "converge",
                "file:///nix",
                null,
                "me",
                "d",
                1,
                null);
    }

    @Test
    void aPushToTheRuntimeRepositoryConvergesThatCommit() {
        // When
        List<ConvergeWork> work = Triggers.forPush(push("ops/nix-k3s-edge-cluster"), "cloud-edge-1", inventory());

        // Then
        assertThat(work).singleElement().satisfies(w -> {
            assertThat(w.host()).isEqualTo("cloud-edge-1");
            assertThat(w.commit()).contains("a".repeat(40));
        });
    }

    @Test
    void aPushToARepositoryOfAnotherStageConvergesNothing() {
        assertThat(Triggers.forPush(push("ops/edge-cluster-infra"), "cloud-edge-1", inventory()))
                .isEmpty();
    }

    @Test
    void aPushNamingACloneUrlTheInventoryDoesNotListConvergesNothing() {
        CommitPushed listed = push("ops/nix-k3s-edge-cluster");
        CommitPushed forged = new CommitPushed(
                listed.host(),
                listed.repository(),
                listed.ref(),
                listed.branch(),
                listed.before(),
                listed.after(),
                listed.stage(),
                "file:///tmp/attacker",
                null,
                "me",
                "d",
                1,
                null);

        assertThat(Triggers.forPush(forged, "cloud-edge-1", inventory())).isEmpty();
    }

    @Test
    void theCheckoutComesFromTheInventorysUrlAndBranch() {
        assertThat(Triggers.forPush(push("ops/nix-k3s-edge-cluster"), "cloud-edge-1", inventory()))
                .singleElement()
                .satisfies(w -> {
                    assertThat(w.cloneUrl()).isEqualTo("file:///nix");
                    assertThat(w.branch()).isEqualTo("main");
                });
    }

    @Test
    void newSecretFactsConvergeTheBranchHeadOfTheHostsRuntimeRepository() {
        // When
        List<ConvergeWork> work = Triggers.forSecretFacts("cloud-edge-1", inventory());

        // Then
        assertThat(work).singleElement().satisfies(w -> {
            assertThat(w.repository()).isEqualTo("ops/nix-k3s-edge-cluster");
            assertThat(w.commit()).isEqualTo(Optional.empty());
        });
    }
}
