package dev.handoff.common.inventory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.handoff.common.event.Stage;
import dev.handoff.common.event.v1.CommitPushed;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PushScopeTest {
    private static final String INFRA = "ops/edge-cluster-infra";
    private static final String RUNTIME = "ops/nix-k3s-edge-cluster";

    private static Inventory inventory() {
        Map<String, Inventory.Repository> repos = new LinkedHashMap<>();
        repos.put(INFRA, new Inventory.Repository(INFRA, "https://forge.example/ops/infra.git", "main", Stage.INFRA));
        repos.put(
                RUNTIME,
                new Inventory.Repository(RUNTIME, "https://forge.example/ops/nix.git", "main", Stage.CONVERGE));
        repos.put(
                "ops/other",
                new Inventory.Repository("ops/other", "https://forge.example/ops/other.git", "main", Stage.CONVERGE));
        Map<String, Inventory.Host> hosts = new LinkedHashMap<>();
        hosts.put("edge-1", host("edge-1", List.of(INFRA, RUNTIME)));
        return new Inventory(repos, hosts);
    }

    private static Inventory.Host host(String name, List<String> repositories) {
        return new Inventory.Host(
                name,
                Inventory.Role.EDGE,
                repositories,
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                List.of(),
                List.of());
    }

    private static CommitPushed push(String host, String repository, String stage, String branch, String cloneUrl) {
        return new CommitPushed(
                host,
                repository,
                "refs/heads/" + branch,
                branch,
                "0".repeat(40),
                "a".repeat(40),
                stage,
                cloneUrl,
                null,
                "me",
                "d",
                1,
                null);
    }

    @Test
    void aListedPushIsAcceptedWithTheInventorysRepository() {
        PushScope.Verdict verdict = PushScope.judge(
                push("edge-1", INFRA, "infra", "main", "https://forge.example/ops/infra.git"),
                "edge-1",
                Stage.INFRA,
                inventory());

        assertThat(verdict.refused()).isFalse();
        assertThat(verdict.ignored()).isFalse();
        assertThat(verdict.repository())
                .hasValueSatisfying(r -> assertThat(r.url()).isEqualTo("https://forge.example/ops/infra.git"));
    }

    @Test
    void aPushForAnotherStageIsIgnored() {
        assertThat(PushScope.judge(
                                push("edge-1", RUNTIME, "converge", "main", null), "edge-1", Stage.INFRA, inventory())
                        .ignored())
                .isTrue();
    }

    @Test
    void aCloneUrlTheInventoryDoesNotListIsRefused() {
        PushScope.Verdict verdict = PushScope.judge(
                push("edge-1", INFRA, "infra", "main", "file:///var/lib/attacker.git"),
                "edge-1",
                Stage.INFRA,
                inventory());

        assertThat(verdict.refused()).isTrue();
        assertThat(verdict.reason()).isEqualTo("clone-url-not-listed");
        assertThat(verdict.message())
                .contains("https://forge.example/ops/infra.git")
                .doesNotContain("attacker");
    }

    @Test
    void aRepositoryTheHostDoesNotUseIsRefused() {
        PushScope.Verdict verdict = PushScope.judge(
                push("edge-1", "ops/other", "converge", "main", null), "edge-1", Stage.CONVERGE, inventory());

        assertThat(verdict.reason()).isEqualTo("repository-not-listed");
        assertThat(verdict.message()).contains("hosts.edge-1.repositories");
    }

    @Test
    void anUnknownRepositoryOrHostIsRefused() {
        assertThat(PushScope.judge(
                                push("edge-1", "evil/repo", "infra", "main", null), "edge-1", Stage.INFRA, inventory())
                        .reason())
                .isEqualTo("repository-not-listed");
        assertThat(PushScope.judge(push("ghost", INFRA, "infra", "main", null), "ghost", Stage.INFRA, inventory())
                        .reason())
                .isEqualTo("repository-not-listed");
        // the payload's host must be the record's subject
        assertThat(PushScope.judge(push("ghost", INFRA, "infra", "main", null), "edge-1", Stage.INFRA, inventory())
                        .refused())
                .isTrue();
    }

    @Test
    void aStageOrBranchTheInventoryDoesNotSayIsRefused() {
        assertThat(PushScope.judge(push("edge-1", RUNTIME, "infra", "main", null), "edge-1", Stage.INFRA, inventory())
                        .reason())
                .isEqualTo("stage-not-listed");
        assertThat(PushScope.judge(push("edge-1", INFRA, "infra", "evil", null), "edge-1", Stage.INFRA, inventory())
                        .reason())
                .isEqualTo("branch-not-listed");
    }
}
