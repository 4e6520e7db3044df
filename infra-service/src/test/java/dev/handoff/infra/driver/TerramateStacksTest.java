package dev.handoff.infra.driver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.handoff.infra.stage.StackOrder;
import dev.handoff.infra.stage.StageFailure;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which stacks a checked-out repository has: Terramate first, else the directories handoff.yaml lists, else root. */
class TerramateStacksTest {
    @TempDir
    Path repo;

    @Test
    void withoutTerramateTheStacksListedInHandoffYamlRunInTheListedOrder() throws Exception {
        // Given: no *.tm.hcl; the listed order is not the path order
        tf("stacks/network");
        tf("stacks/compute");
        tf("."); // a root *.tf is not a stack when stacks are listed

        // When
        List<StackOrder.Stack> stacks = TerramateStacks.find(repo, List.of("stacks/network", "stacks/compute"));

        // Then
        assertThat(stacks).extracting(StackOrder.Stack::path).containsExactly("stacks/network", "stacks/compute");
    }

    @Test
    void aListedDirectoryThatIsNotInTheCommitFailsNamingIt() throws Exception {
        // Given
        tf("stacks/network");

        // When / Then
        assertThatThrownBy(() -> TerramateStacks.find(repo, List.of("stacks/network", "stacks/compute", "stacks/db")))
                .isInstanceOf(StageFailure.class)
                .hasMessageContaining("stacks/compute, stacks/db")
                .hasMessageContaining("listed in handoff.yaml do not exist in the commit")
                .satisfies(e -> {
                    StageFailure f = (StageFailure) e;
                    assertThat(f.reason()).isEqualTo("missing-stack");
                    assertThat(f.retryable()).isFalse();
                    assertThat(f.details()).extracting(d -> d.subject()).containsExactly("stacks/compute", "stacks/db");
                });
    }

    @Test
    void terramateConfigurationWinsOverTheListAndKeepsItsDependencyOrder() throws Exception {
        // Given
        tf("stacks/compute");
        tf("stacks/network");
        Files.writeString(repo.resolve("stacks/compute/stack.tm.hcl"), "stack {\n  after = [\"/stacks/network\"]\n}\n");
        Files.writeString(repo.resolve("stacks/network/stack.tm.hcl"), "stack {\n}\n");

        // When
        List<StackOrder.Stack> stacks = TerramateStacks.find(repo, List.of("stacks/compute"));

        // Then
        assertThat(stacks).extracting(StackOrder.Stack::path).containsExactly("stacks/network", "stacks/compute");
    }

    @Test
    void neitherTerramateNorAListMeansTheRootIsTheOneStack() throws Exception {
        // Given
        tf(".");

        // When
        List<StackOrder.Stack> stacks = TerramateStacks.find(repo, List.of());

        // Then
        assertThat(stacks).extracting(StackOrder.Stack::path).containsExactly(".");
    }

    private void tf(String dir) throws IOException {
        Path d = repo.resolve(dir);
        Files.createDirectories(d);
        Files.writeString(d.resolve("main.tf"), "resource \"null_resource\" \"x\" {}\n");
    }
}
