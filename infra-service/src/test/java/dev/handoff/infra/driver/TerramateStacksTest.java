package dev.handoff.infra.driver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.handoff.infra.stage.StackOrder;
import dev.handoff.infra.stage.StageFailure;
import dev.handoff.lab.forge.LabRepository;
import dev.handoff.lab.forge.RepositoryTemplates;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Which stacks a checked-out repository has, and in which order they run: Terramate first (in the order {@code
 * terramate list --run-order} prints), else the directories handoff.yaml lists, else the root.
 *
 * <p>Where each Terramate case comes from (terramate-io/terramate; the docs moved to their own repository in commit
 * 9f5b025a, so doc paths are as of its parent; e2e cases are in {@code e2etests/core/run_test.go}, {@code
 * TestCLIRunOrder}, at 9391082):
 *
 * <ul>
 *   <li>{@link #afterNamesAStackRelativeToItsDirectoryOrFromTheRoot}, {@link #beforeSaysTheSameFromTheOtherSide},
 *       {@link #beforeAndAfterTogetherPutAStackInBetween}: {@code docs/orchestration.md} (removed in 0a111169),
 *       "Explicit Order Of Execution", its stack-a/stack-b/stack-c examples;
 *   <li>{@link #parentStacksRunBeforeTheStacksBelowThemDepthGroupByDepthGroup}: {@code
 *       docs/cli/orchestration/index.md} "Sequential" (the vpc tree; its printed list repeats {@code vpc} and drops
 *       {@code vpc/subnet/network_interface}, a typo) and {@code docs/cli/stacks/nesting.md} (breadth-first); e2e
 *       "independent stacks inside other stacks gives consistent ordering (by depth group)";
 *   <li>{@link #aParentCanNeverRunAfterItsChild}: {@code docs/orchestration.md} "a parent stack in the filesystem can
 *       never execute after a child one ... will lead to a cycle error"; e2e "parent stack can never run after the
 *       child - cycle", "child stack CANNOT have explicit after clause to parent";
 *   <li>{@link #aDirectoryStandsForEveryStackBelowIt}: {@code docs/orchestration.md} "a path that references another
 *       directory, which can be a stack or contain stacks inside"; e2e "after directory containing stacks", "before
 *       directory containing stacks", "after directory containing no stacks does nothing";
 *   <li>{@link #tagFiltersSelectTheStacksToRunAfter}: {@code docs/cli/stacks/configuration.md} {@code after} example
 *       ({@code "tag:prod:networking"}, {@code "/prod/apps/auth"}); {@link #tagsOrderWholeLayers}: e2e "stacks
 *       ordered by tag multiple tag filters";
 *   <li>{@link #tagsAndNestingTogether}: e2e "implicit order with tags - Zied case", "stack pulled to the middle of fs
 *       ordering chain" (the CHANGELOG's 0.5.0 breaking fix of nested stacks with tags);
 *   <li>{@link #aTagFilterSelectingNothingOrdersNothing}, {@link #anInvalidTagFilterFailsNamingTheFile}: e2e "stack
 *       before unknown tag - ignored", "after containing invalid tag filter";
 *   <li>{@link #aPathThatIsNoDirectoryIsIgnoredAsTerramateIgnoresIt}: e2e "after non-existent path", "after regular
 *       file" (Terramate prints a warning and runs on: {@code run/order.go} {@code computePaths});
 *   <li>{@link #wantsAndWantedBySelectButDoNotOrder}: {@code docs/cli/stacks/configuration.md} {@code wants} ("adding
 *       a stack to wants does not alter the run order");
 *   <li>{@link #filesAndDirectoriesAreReadAsTerramateReadsThem}: {@code fs/fs.go} {@code ListTerramateFiles}, {@code
 *       config/config.go} {@code loadTree} ({@code .tmskip}, dot names), {@code docs/cli/stacks/configuration.md}
 *       ("The name of the file is not important").
 * </ul>
 */
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
    void aListedDirectoryThatLinksOutOfTheCheckoutIsNoStack(@TempDir Path outside) throws Exception {
        // Given: the repository links a listed stack directory to a folder outside the checkout
        tf("stacks/network");
        Files.writeString(outside.resolve("main.tf"), "# outside the repository\n");
        Files.createSymbolicLink(repo.resolve("stacks/compute"), outside);

        // When / Then: tofu would run outside the checkout; it is refused as not in the commit
        assertThatThrownBy(() -> TerramateStacks.find(repo, List.of("stacks/network", "stacks/compute")))
                .isInstanceOf(StageFailure.class)
                .satisfies(e -> assertThat(((StageFailure) e).details())
                        .extracting(d -> d.subject())
                        .containsExactly("stacks/compute"));
    }

    @Test
    void aLinkedTerramateFileIsNotReadAsConfiguration(@TempDir Path outside) throws Exception {
        // Given: a stack block reached through a symbolic link, as Terramate lists regular files only
        tf("stacks/network");
        Files.writeString(outside.resolve("stack.tm.hcl"), "stack {\n  not_terramate = true\n}\n");
        Files.createSymbolicLink(repo.resolve("stacks/network/stack.tm.hcl"), outside.resolve("stack.tm.hcl"));

        // When
        List<StackOrder.Stack> stacks = TerramateStacks.find(repo, List.of("stacks/network"));

        // Then: no Terramate configuration, so the list applies
        assertThat(stacks).extracting(StackOrder.Stack::path).containsExactly("stacks/network");
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

    @Test
    void theLabInfraRepositoryRunsItsNetworkBeforeItsCompute() throws Exception {
        // Given
        RepositoryTemplates.copy(
                LabRepository.byFullName("ops/edge-cluster-infra").orElseThrow().template(), repo);

        // When / Then
        assertThat(order()).containsExactly("stacks/network", "stacks/compute");
    }

    @ParameterizedTest
    @ValueSource(strings = {"../stack-a", "/stack-a"})
    void afterNamesAStackRelativeToItsDirectoryOrFromTheRoot(String stackA) throws Exception {
        // Given
        stack("stack-a", "stack {}");
        stack("stack-b", "stack {\n    after = [\n        \"" + stackA + "\"\n    ]\n}");
        stack("stack-0", "stack {\n    after = [\"../stack-b\"]\n}");

        // When / Then
        assertThat(order()).containsExactly("stack-a", "stack-b", "stack-0");
    }

    @Test
    void beforeSaysTheSameFromTheOtherSide() throws Exception {
        // Given: stack-b would come first by path
        stack("stack-b", "stack {\n    before = [\n        \"../stack-a\"\n    ]\n}");
        stack("stack-a", "stack {\n    after = [\n        \"../stack-b\"\n    ]\n}"); // redundant, but valid

        // When / Then
        assertThat(order()).containsExactly("stack-b", "stack-a");
    }

    @Test
    void beforeAndAfterTogetherPutAStackInBetween() throws Exception {
        // Given
        stack("stack-a", "stack {}");
        stack("stack-b", "stack {}");
        stack(
                "stack-c",
                "stack {\n    before = [\n        \"../stack-b\"\n    ]\n    after = [\n        \"../stack-a\"\n    ]\n}");

        // When / Then
        assertThat(order()).containsExactly("stack-a", "stack-c", "stack-b");
    }

    @Test
    void parentStacksRunBeforeTheStacksBelowThemDepthGroupByDepthGroup() throws Exception {
        // Given: the docs' vpc tree, and a stack beside it that comes before its nested stacks
        for (String dir : List.of(
                "vpc",
                "vpc/network_acl",
                "vpc/internet_gateway",
                "vpc/subnet",
                "vpc/subnet/network_interface",
                "vpc/subnet/ec2",
                "vpc/route_table",
                "vpc/security_group",
                "zone")) {
            stack(dir, "stack {}");
        }

        // When / Then
        assertThat(order())
                .containsExactly(
                        "vpc",
                        "zone",
                        "vpc/internet_gateway",
                        "vpc/network_acl",
                        "vpc/route_table",
                        "vpc/security_group",
                        "vpc/subnet",
                        "vpc/subnet/ec2",
                        "vpc/subnet/network_interface");
    }

    @Test
    void aParentCanNeverRunAfterItsChild() throws Exception {
        // Given
        stack("stacks", "stack {\n  after = [\"/stacks/child\"]\n}");
        stack("stacks/child", "stack {}");

        // When / Then
        assertThatThrownBy(this::order)
                .isInstanceOf(StageFailure.class)
                .hasMessageContaining("stacks, stacks/child run after each other in a cycle")
                .hasMessageContaining(
                        "stacks runs after stacks/child ('after' in stacks/stack.tm.hcl names" + " /stacks/child)")
                .hasMessageContaining("stacks/child runs after stacks (stacks is its parent stack)")
                .hasMessageContaining("a parent stack always runs before the stacks below it")
                .satisfies(e -> assertThat(((StageFailure) e).reason()).isEqualTo("stack-order"));
    }

    @Test
    void aDirectoryStandsForEveryStackBelowIt() throws Exception {
        // Given
        stack("dir/s1", "stack {}");
        stack("dir/deep/er/s2", "stack {}");
        Files.createDirectories(repo.resolve("empty/dir2"));
        stack("a-after", "stack {\n  after = [\"/dir\", \"/empty\"]\n}");
        stack("z-before", "stack {\n  before = [\"../dir\"]\n}");

        // When / Then
        assertThat(order()).containsExactly("z-before", "dir/deep/er/s2", "dir/s1", "a-after");
    }

    @Test
    void tagFiltersSelectTheStacksToRunAfter() throws Exception {
        // Given
        stack("a-api", "stack {\n  after = [\n    \"tag:prod:networking\",\n    \"/prod/apps/auth\",\n  ]\n}");
        stack("prod/apps/auth", "stack {}");
        stack("prod/net", "stack {\n  tags = [\"prod\", \"networking\"]\n}");
        stack("dev/net", "stack {\n  tags = [\"networking\", \"dev\"]\n}");

        // When / Then
        assertThat(order()).containsExactly("dev/net", "prod/apps/auth", "prod/net", "a-api");
    }

    @Test
    void tagsOrderWholeLayers() throws Exception {
        // Given
        stack("infra1", "stack {\n  tags = [\"infra\", \"prod\"]\n}");
        stack("infra2", "stack {\n  tags = [\"infra\", \"prod\"]\n}");
        stack("infra3", "stack {\n  tags = [\"infra\", \"dev\"]\n}");
        stack("k8s-infra1", "stack {\n  tags = [\"k8s\", \"prod\"]\n  after = [\"tag:infra:prod\"]\n}");
        stack("k8s-infra2", "stack {\n  tags = [\"k8s\", \"dev\"]\n  after = [\"tag:infra:dev\"]\n}");
        stack("app1", "stack {\n  tags = [\"app\"]\n  after = [\"tag:k8s:prod\"]\n}");
        stack("app2", "stack {\n  tags = [\"app\", \"dev\"]\n  after = [\"tag:k8s:dev\"]\n}");

        // When / Then
        assertThat(order()).containsExactly("infra1", "infra2", "infra3", "k8s-infra1", "k8s-infra2", "app1", "app2");
    }

    @Test
    void tagsAndNestingTogether() throws Exception {
        // Given: "Zied case"
        stack("project", "stack {\n  tags = [\"project\"]\n  before = [\"tag:identity\"]\n}");
        stack(
                "iac/cloud-storage/bucket",
                "stack {\n  tags = [\"bucket\"]\n  after = [\"tag:project\", \"tag:service-account\"]\n}");
        stack(
                "iac/service-accounts",
                "stack {\n  tags = [\"identity\"]\n  before = [\"/iac/service-accounts/sa-name\"]\n}");
        stack("iac/service-accounts/sa-name", "stack {\n  tags = [\"service-account\"]\n}");
        // and, apart, a stack pulled into the middle of a parent/child chain
        stack("parent", "stack {}");
        stack("parent/child", "stack {\n  before = [\"tag:other\"]\n}");
        stack("parent/child/grand-child", "stack {}");
        stack("other", "stack {\n  tags = [\"other\"]\n}");

        // When
        List<String> order = order();

        // Then
        assertThat(order.stream().filter(p -> !p.startsWith("parent") && !p.equals("other")))
                .containsExactly(
                        "project", "iac/service-accounts", "iac/service-accounts/sa-name", "iac/cloud-storage/bucket");
        assertThat(order.stream().filter(p -> p.startsWith("parent") || p.equals("other")))
                .containsExactly("parent", "parent/child", "other", "parent/child/grand-child");
    }

    @Test
    void aTagFilterSelectingNothingOrdersNothing() throws Exception {
        // Given
        stack("stack1", "stack {}");
        stack("stack2", "stack {}");
        stack("stack0", "stack {\n  before = [\"tag:unknown\"]\n}");

        // When / Then
        assertThat(order()).containsExactly("stack0", "stack1", "stack2");
    }

    @Test
    void anInvalidTagFilterFailsNamingTheFile() throws Exception {
        // Given
        stack("stack", "stack {\n  after = [\"tag:_invalid\"]\n}");
        stack("stack2", "stack {}");

        // When / Then
        assertThatThrownBy(this::order)
                .isInstanceOf(StageFailure.class)
                .hasMessageContaining("stack has an invalid tag filter tag:_invalid in 'after' of stack/stack.tm.hcl")
                .hasMessageContaining("\"_invalid\": tags must start with a lowercase letter or a digit")
                .hasMessageEndingWith("fix the filter in stack/stack.tm.hcl");
    }

    @Test
    void aPathThatIsNoDirectoryIsIgnoredAsTerramateIgnoresIt() throws Exception {
        // Given: a missing directory, a regular file, a directory Terramate skips
        stack("stack-a", "stack {\n  before = [\"/stack-0\"]\n}");
        stack("stack-0", "stack {\n  after = [\"/nowhere\", \"../stack-a/stack.tm.hcl\", \"/.hidden\"]\n}");
        Files.createDirectories(repo.resolve(".hidden"));

        // When / Then: only the valid ordering counts
        assertThat(order()).containsExactly("stack-a", "stack-0");
    }

    @Test
    void wantsAndWantedBySelectButDoNotOrder() throws Exception {
        // Given
        stack("stack-b", "stack {\n  wants = [\"/stack-a\"]\n}");
        stack("stack-a", "stack {\n  wanted_by = [\"/stack-c\"]\n}");
        stack("stack-c", "stack {}");

        // When / Then
        assertThat(order()).containsExactly("stack-a", "stack-b", "stack-c");
    }

    @Test
    void filesAndDirectoriesAreReadAsTerramateReadsThem() throws Exception {
        // Given: the fixture tree, with the names Terramate skips created here (a build may drop dot files)
        copyTree(resource("terramate/layout"), repo);
        stack(".hidden", "stack {}");
        stack("skipped", "stack {}");
        Files.writeString(repo.resolve("skipped/.tmskip"), "");
        stack("skipped/below", "stack {}");
        Files.writeString(repo.resolve("app/.ignored.tm.hcl"), "stack {\n  before = [\"/network\"]\n}\n");

        // When / Then: see terramate/layout/README.md
        assertThat(order()).containsExactly("network", "app");
    }

    @Test
    void anUnreadableFileFailsNamingTheFileTheLineAndTheFix() throws Exception {
        // Given
        stack("ok", "stack {}");
        Files.createDirectories(repo.resolve("broken"));
        Files.writeString(repo.resolve("broken/stack.tm.hcl"), "stack {\n  after = [\"/ok\"\n  name = \"broken\"\n}\n");

        // When / Then
        assertThatThrownBy(this::order)
                .isInstanceOf(StageFailure.class)
                .hasMessageStartingWith("cannot read the Terramate configuration broken/stack.tm.hcl:3:3:")
                .hasMessageContaining("stack.after misses a , or ] after \"/ok\"")
                .satisfies(e -> {
                    StageFailure f = (StageFailure) e;
                    assertThat(f.reason()).isEqualTo("stack-order");
                    assertThat(f.details()).singleElement().satisfies(d -> {
                        assertThat(d.code()).isEqualTo("unreadable-hcl");
                        assertThat(d.subject()).isEqualTo("broken/stack.tm.hcl");
                    });
                });
    }

    @Test
    void twoStackBlocksInOneDirectoryFailNamingBoth() throws Exception {
        // Given
        stack("app", "stack {}");
        Files.writeString(repo.resolve("app/more.tm"), "\n\nstack {\n  name = \"again\"\n}\n");

        // When / Then
        assertThatThrownBy(this::order)
                .isInstanceOf(StageFailure.class)
                .hasMessage("app holds two stack {} blocks, in app/more.tm:3 and app/stack.tm.hcl:1; keep one stack"
                        + " block per directory");
    }

    private List<String> order() throws StageFailure {
        return TerramateStacks.find(repo, List.of()).stream()
                .map(StackOrder.Stack::path)
                .toList();
    }

    private void stack(String dir, String block) throws IOException {
        Path d = repo.resolve(dir);
        Files.createDirectories(d);
        Files.writeString(d.resolve("stack.tm.hcl"), block + "\n");
    }

    private void tf(String dir) throws IOException {
        Path d = repo.resolve(dir);
        Files.createDirectories(d);
        Files.writeString(d.resolve("main.tf"), "resource \"null_resource\" \"x\" {}\n");
    }

    private static Path resource(String name) throws URISyntaxException {
        return Path.of(Objects.requireNonNull(
                        TerramateStacksTest.class.getClassLoader().getResource(name), name)
                .toURI());
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (var files = Files.walk(from)) {
            for (Path p : files.filter(Files::isRegularFile).toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                Files.createDirectories(target.getParent());
                Files.copy(p, target);
            }
        }
    }
}
