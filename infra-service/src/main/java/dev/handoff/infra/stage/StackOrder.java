package dev.handoff.infra.stage;

import dev.handoff.common.event.v1.StageFailed;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Orders stacks so that each runs after the stacks it names in Terramate's {@code after}; stacks without an order
 * between them keep their path order, so the order is the same on every run.
 */
public final class StackOrder {
    private StackOrder() {}

    /** A stack: its directory (relative, e.g. {@code stacks/compute}) and the stacks it runs after. */
    public record Stack(String path, List<String> after) {
        public Stack {
            after = List.copyOf(after);
        }
    }

    /**
     * The stacks in dependency order.
     *
     * @throws StageFailure {@code stack-order} when a stack runs after one that does not exist, or stacks form a
     *     cycle
     */
    public static List<Stack> sort(List<Stack> stacks) throws StageFailure {
        Map<String, Stack> byPath = new LinkedHashMap<>();
        stacks.stream()
                .sorted(java.util.Comparator.comparing(Stack::path))
                .forEach(s -> byPath.put(normalise(s.path()), s));
        for (Stack s : byPath.values()) {
            for (String dep : s.after()) {
                if (!byPath.containsKey(normalise(dep))) {
                    throw new StageFailure(
                            "stack-order",
                            "stack " + s.path() + " runs after " + dep + ", which is not a stack of the repository; fix"
                                    + " 'after' in its stack.tm.hcl",
                            false,
                            List.of(new StageFailed.Detail("unknown-stack", s.path(), "after " + dep)));
                }
            }
        }
        List<Stack> ordered = new ArrayList<>();
        Set<String> done = new LinkedHashSet<>();
        while (done.size() < byPath.size()) {
            boolean progress = false;
            for (var e : byPath.entrySet()) {
                if (done.contains(e.getKey())) {
                    continue;
                }
                if (e.getValue().after().stream().map(StackOrder::normalise).allMatch(done::contains)) {
                    done.add(e.getKey());
                    ordered.add(e.getValue());
                    progress = true;
                    break;
                }
            }
            if (!progress) {
                List<String> cycle =
                        byPath.keySet().stream().filter(k -> !done.contains(k)).toList();
                throw new StageFailure(
                        "stack-order",
                        "stacks " + String.join(", ", cycle) + " run after each other in a cycle; fix 'after' in"
                                + " their stack.tm.hcl",
                        false,
                        cycle.stream()
                                .map(c -> new StageFailed.Detail("stack-cycle", c, "part of a cycle"))
                                .toList());
            }
        }
        return ordered;
    }

    /**
     * The stack directories {@code handoff.yaml} lists for a repository without Terramate configuration, in the
     * listed order (no dependency information exists for them).
     *
     * @param missing the listed directories that are not directories of the checked-out commit
     * @throws StageFailure {@code missing-stack} naming every missing directory
     */
    public static List<Stack> listed(List<String> listed, List<String> missing) throws StageFailure {
        if (!missing.isEmpty()) {
            throw new StageFailure(
                    "missing-stack",
                    "the stack director" + (missing.size() == 1 ? "y " : "ies ") + String.join(", ", missing)
                            + " listed in handoff.yaml " + (missing.size() == 1 ? "does" : "do")
                            + " not exist in the commit; add "
                            + (missing.size() == 1 ? "it" : "them")
                            + " to the repository or fix 'stacks' of the repository in handoff.yaml",
                    false,
                    missing.stream()
                            .map(m -> new StageFailed.Detail(
                                    "missing-stack", m, "listed in handoff.yaml, not in the" + " commit"))
                            .toList());
        }
        return listed.stream().map(dir -> new Stack(dir, List.of())).toList();
    }

    private static String normalise(String path) {
        String p = path.startsWith("/") ? path.substring(1) : path;
        return p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
    }
}
