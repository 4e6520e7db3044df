package dev.handoff.infra.stage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The run order of stacks whose references are resolved, as {@code terramate list --run-order} prints it.
 *
 * <p>Where each case comes from (terramate-io/terramate at 9391082): {@code e2etests/core/run_test.go} {@code
 * TestCLIRunOrder} for {@link #independentStacksRunInDepthGroupsNotSmallestPathFirst}, {@link
 * #aStackWaitsForEveryStackItRunsAfter}, {@link #beforeAndAfterCombine} (cases named in each test), {@code
 * run/order.go} for the rest: {@code BuildDAG} resolves a tag filter's stacks with {@code StacksByPaths}, so every
 * stack below a tagged one counts too ({@link #aTagSelectsTheTaggedStacksAndEveryStackBelowThem}); {@code
 * isParentStack} tests {@code dir + "/"}, which never matches for the root {@code /}
 * ({@link #aStackAtTheRootIsNoParent}); {@code dag.Validate} refuses cycles ({@link #aCycleIsNamedWithWhyEachStepIsThere},
 * {@link #aStackAfterItselfIsACycle}); {@code config/tag/tag.go} for tags ({@link #anInvalidTagFailsNamingTheFile}).
 */
class StackOrderTest {
    @Test
    void independentStacksRunInDepthGroupsNotSmallestPathFirst() throws Exception {
        // Given: "stack-c after stack-b after stack-a, stack-d after stack-z"
        List<StackOrder.Stack> stacks = List.of(
                after("stack-c", "/stack-b"),
                after("stack-b", "/stack-a"),
                after("stack-a"),
                after("stack-d", "/stack-z"),
                after("stack-z"));

        // When / Then
        assertThat(order(stacks)).containsExactly("stack-a", "stack-z", "stack-b", "stack-d", "stack-c");
    }

    @Test
    void aStackWaitsForEveryStackItRunsAfter() throws Exception {
        // Given: "stack-a after (stack-b, stack-c), stack-b after (stack-d, stack-f), stack-c after (stack-g, stack-h)"
        List<StackOrder.Stack> stacks = List.of(
                after("stack-a", "/stack-b", "/stack-c"),
                after("stack-b", "/stack-d", "/stack-f"),
                after("stack-c", "/stack-g", "/stack-h"),
                after("stack-d"),
                after("stack-f"),
                after("stack-g"),
                after("stack-h"));

        // When / Then
        assertThat(order(stacks))
                .containsExactly("stack-d", "stack-f", "stack-g", "stack-h", "stack-b", "stack-c", "stack-a");
    }

    @Test
    void beforeAndAfterCombine() throws Exception {
        // Given: "stack-z after (stack-b, stack-c, stack-d), stack-a after stack-c, stack-b before stack-a"
        List<StackOrder.Stack> stacks = List.of(
                after("stack-z", "/stack-b", "/stack-c", "/stack-d"),
                after("stack-a", "/stack-c"),
                new StackOrder.Stack("stack-b", "stack-b/stack.tm.hcl", List.of(), List.of("/stack-a"), List.of()),
                after("stack-c"),
                after("stack-d"));

        // When / Then
        assertThat(order(stacks)).containsExactly("stack-b", "stack-c", "stack-d", "stack-a", "stack-z");
    }

    @Test
    void aTagSelectsTheTaggedStacksAndEveryStackBelowThem() throws Exception {
        // Given: core/extra is not tagged, but is below a stack that is
        List<StackOrder.Stack> stacks = List.of(
                new StackOrder.Stack("app", "app/stack.tm.hcl", List.of("tag:core"), List.of(), List.of()),
                new StackOrder.Stack("core", "core/stack.tm.hcl", List.of(), List.of(), List.of("core")),
                after("core/extra"),
                after("web"));

        // When / Then
        assertThat(order(stacks)).containsExactly("core", "web", "core/extra", "app");
    }

    @Test
    void aStackAtTheRootIsNoParent() throws Exception {
        // Given: the root stack runs after b; below it, a does not wait for it
        List<StackOrder.Stack> stacks = List.of(after(".", "/b"), after("a"), after("b"));

        // When / Then
        assertThat(order(stacks)).containsExactly("a", "b", ".");
    }

    @Test
    void aCycleIsNamedWithWhyEachStepIsThere() {
        // Given: b after a (a's before), c after b, a after c; 0-d only waits for the cycle and is not named
        List<StackOrder.Stack> stacks = List.of(
                new StackOrder.Stack("a", "a/order.tm.hcl", List.of("/c"), List.of("/b"), List.of()),
                after("b"),
                after("c", "/b"),
                after("0-d", "/c"));

        // When / Then
        assertThatThrownBy(() -> StackOrder.sort(stacks))
                .isInstanceOf(StageFailure.class)
                .hasMessage("stacks a, c, b run after each other in a cycle: a runs after c ('after' in a/order.tm.hcl"
                        + " names /c); c runs after b ('after' in c/stack.tm.hcl names /b); b runs after a ('before'"
                        + " in a/order.tm.hcl names /b); remove one of these orderings from 'after'/'before'")
                .satisfies(e -> {
                    StageFailure f = (StageFailure) e;
                    assertThat(f.reason()).isEqualTo("stack-order");
                    assertThat(f.details()).extracting(d -> d.subject()).containsExactly("a", "c", "b");
                });
    }

    @Test
    void aStackAfterItselfIsACycle() {
        // Given: "stack-a after . - fails", "." resolved from stack-a
        List<StackOrder.Stack> stacks =
                List.of(after("stack-a", StackOrder.projectPath("stack-a", ".")), after("stack-b"));

        // When / Then
        assertThatThrownBy(() -> StackOrder.sort(stacks))
                .isInstanceOf(StageFailure.class)
                .hasMessage("stack stack-a would have to run after itself in a cycle: stack-a runs after itself"
                        + " ('after' in stack-a/stack.tm.hcl names /stack-a); remove one of these orderings from"
                        + " 'after'/'before'");
    }

    @Test
    void anInvalidTagFailsNamingTheFile() {
        // Given
        List<StackOrder.Stack> stacks = List.of(
                new StackOrder.Stack("net", "net/main.tm.hcl", List.of(), List.of(), List.of("prod", "Networking")));

        // When / Then
        assertThatThrownBy(() -> StackOrder.sort(stacks))
                .isInstanceOf(StageFailure.class)
                .hasMessage("net has an invalid tag in net/main.tm.hcl: \"Networking\": tags must start with a"
                        + " lowercase letter or a digit ([0-9a-z]); fix 'tags' in net/main.tm.hcl");
    }

    @Test
    void aPathThatSelectsNoStackFailsNamingTheStackFile() {
        // Given: a reference TerramateStacks would have dropped (it is not a directory holding stacks)
        List<StackOrder.Stack> stacks = List.of(after("stacks/dns", "/stacks/compute"), after("stacks/network"));

        // When / Then
        assertThatThrownBy(() -> StackOrder.sort(stacks))
                .isInstanceOf(StageFailure.class)
                .hasMessage("stacks/dns runs after /stacks/compute, which is neither a stack of the repository nor a"
                        + " directory holding stacks; fix 'after' in stacks/dns/stack.tm.hcl");
    }

    @Test
    void pathsResolveFromTheStackOrFromTheRootAndNeverLeaveTheRepository() {
        // When / Then
        assertThat(StackOrder.projectPath("stacks/compute", "../network")).isEqualTo("/stacks/network");
        assertThat(StackOrder.projectPath("stacks/compute", "/stacks/network/")).isEqualTo("/stacks/network");
        assertThat(StackOrder.projectPath("stacks/compute", "./db")).isEqualTo("/stacks/compute/db");
        assertThat(StackOrder.projectPath(".", "stacks")).isEqualTo("/stacks");
        assertThat(StackOrder.projectPath("a", "../../..")).isEqualTo("/");
    }

    private static StackOrder.Stack after(String path, String... after) {
        return new StackOrder.Stack(path, Arrays.asList(after));
    }

    private static List<String> order(List<StackOrder.Stack> stacks) throws StageFailure {
        return StackOrder.sort(stacks).stream().map(StackOrder.Stack::path).toList();
    }
}
