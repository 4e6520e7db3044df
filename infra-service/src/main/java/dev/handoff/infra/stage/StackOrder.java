package dev.handoff.infra.stage;

import dev.handoff.common.event.v1.StageFailed;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Orders stacks as {@code terramate list --run-order} does (Terramate's {@code run/order.go} and {@code run/dag}):
 *
 * <ul>
 *   <li>a parent stack runs before every stack below it (docs: "Parent stacks will be ordered before child stacks");
 *       as in Terramate's {@code isParentStack}, a stack at the repository root is no parent;
 *   <li>{@code after = [...]} runs the stack after, {@code before = [...]} before, the stacks an entry selects: a
 *       directory selects the stack there and every stack below it, {@code tag:<filter>} every stack whose
 *       {@code tags} match the {@link TagFilter} and every stack below those;
 *   <li>a tag filter that selects nothing orders nothing; an invalid one, or an invalid stack tag, is an error;
 *   <li>a cycle (a stack after itself, a child before its parent, ...) is an error;
 *   <li>otherwise Kahn's algorithm with Terramate's tie-break: the stacks nothing waits for in path order, then each
 *       batch of stacks a finished stack frees, in path order, queued behind them ("by depth group", not the smallest
 *       path first); paths compare as bytes.
 * </ul>
 *
 * {@code wants}/{@code wanted_by} only select stacks and do not order them, so they play no part here.
 */
public final class StackOrder {
    private static final Comparator<String> BYTE_ORDER =
            (a, b) -> Arrays.compare(a.codePoints().toArray(), b.codePoints().toArray());

    private StackOrder() {}

    /**
     * A stack.
     *
     * @param path its directory relative to the repository root with {@code /}, e.g. {@code stacks/compute}; {@code
     *     .} for the root
     * @param file the file holding its {@code stack {}} block, relative to the repository root, for messages
     * @param after the stacks it runs after: {@code tag:<filter>} or a directory relative to the repository root (a
     *     leading {@code /} optional; {@link #projectPath} resolves what Terramate reads relative to the stack)
     * @param before the stacks it runs before, written as {@code after}
     * @param tags its {@code tags}
     */
    public record Stack(String path, String file, List<String> after, List<String> before, List<String> tags) {
        public Stack {
            after = List.copyOf(after);
            before = List.copyOf(before);
            tags = List.copyOf(tags);
        }

        /** A stack that only runs after others, its block in the conventional {@code stack.tm.hcl}. */
        public Stack(String path, List<String> after) {
            this(path, id(path).equals("/") ? "stack.tm.hcl" : path + "/stack.tm.hcl", after, List.of(), List.of());
        }
    }

    /**
     * Where an {@code after}/{@code before} path of the stack at {@code stackPath} points, as Terramate reads it:
     * from the repository root when it starts with {@code /}, else from the stack's directory; {@code .} and {@code
     * ..} resolved, never above the root.
     *
     * @return the directory relative to the repository root, with a leading {@code /}, e.g. {@code /stacks/network}
     */
    public static String projectPath(String stackPath, String entry) {
        return clean(entry.startsWith("/") ? entry : id(stackPath) + "/" + entry);
    }

    /**
     * The stacks in run order.
     *
     * @throws StageFailure {@code stack-order} when an entry of {@code after}/{@code before} selects no stack and is
     *     no tag filter, a tag or tag filter is invalid, or the stacks form a cycle
     */
    public static List<Stack> sort(List<Stack> stacks) throws StageFailure {
        Map<String, Stack> byId = new TreeMap<>(BYTE_ORDER);
        for (Stack s : stacks) {
            if (byId.put(id(s.path()), s) != null) {
                throw new IllegalArgumentException("two stacks at " + s.path());
            }
            for (String tag : s.tags()) {
                var invalid = TagFilter.invalidity(tag);
                if (invalid.isPresent()) {
                    throw failure(
                            s.path() + " has an invalid tag in " + s.file() + ": " + invalid.get() + "; fix 'tags' in "
                                    + s.file(),
                            "invalid-tag",
                            s.path(),
                            "tags " + tag);
                }
            }
        }
        Map<String, Map<String, String>> runsAfter = runsAfter(byId);
        List<String> order = kahn(byId.keySet(), runsAfter);
        if (order.size() < byId.size()) {
            throw cycle(byId, runsAfter, order);
        }
        return order.stream().map(byId::get).toList();
    }

    /** For each stack, the stacks it runs after and, for each, why (its first reason). */
    private static Map<String, Map<String, String>> runsAfter(Map<String, Stack> byId) throws StageFailure {
        Map<String, Map<String, String>> runsAfter = new HashMap<>();
        byId.keySet().forEach(id -> runsAfter.put(id, new LinkedHashMap<>()));
        for (var e : byId.entrySet()) {
            String id = e.getKey();
            Stack s = e.getValue();
            for (String parent : byId.keySet()) {
                if (!parent.equals("/") && id.startsWith(parent + "/")) {
                    runsAfter.get(id).putIfAbsent(parent, byId.get(parent).path() + " is its parent stack");
                }
            }
            for (String entry : s.after()) {
                for (String other : select(byId, s, "after", entry)) {
                    runsAfter.get(id).putIfAbsent(other, "'after' in " + s.file() + " names " + entry);
                }
            }
            for (String entry : s.before()) {
                for (String other : select(byId, s, "before", entry)) {
                    runsAfter.get(other).putIfAbsent(id, "'before' in " + s.file() + " names " + entry);
                }
            }
        }
        return runsAfter;
    }

    private static Set<String> select(Map<String, Stack> byId, Stack owner, String attribute, String entry)
            throws StageFailure {
        Set<String> dirs = new TreeSet<>(BYTE_ORDER);
        if (entry.startsWith("tag:")) {
            TagFilter filter;
            try {
                filter = TagFilter.parse(entry.substring("tag:".length()));
            } catch (IllegalArgumentException e) {
                throw failure(
                        owner.path() + " has an invalid tag filter " + entry + " in '" + attribute + "' of "
                                + owner.file() + ": " + e.getMessage() + "; fix the filter in " + owner.file(),
                        "invalid-tag",
                        owner.path(),
                        attribute + " " + entry);
            }
            byId.forEach((id, s) -> {
                if (filter.matches(s.tags())) {
                    dirs.add(id);
                }
            });
            return below(byId, dirs);
        }
        Set<String> selected = below(byId, Set.of(id(entry)));
        if (selected.isEmpty()) {
            throw failure(
                    owner.path() + " runs " + attribute + " " + entry + ", which is neither a stack of the repository"
                            + " nor a directory holding stacks; fix '" + attribute + "' in " + owner.file(),
                    "unknown-stack",
                    owner.path(),
                    attribute + " " + entry);
        }
        return selected;
    }

    /** The stacks at or below any of {@code dirs}. */
    private static Set<String> below(Map<String, Stack> byId, Set<String> dirs) {
        Set<String> selected = new TreeSet<>(BYTE_ORDER);
        for (String id : byId.keySet()) {
            if (dirs.stream().anyMatch(d -> d.equals("/") || id.equals(d) || id.startsWith(d + "/"))) {
                selected.add(id);
            }
        }
        return selected;
    }

    private static List<String> kahn(Set<String> ids, Map<String, Map<String, String>> runsAfter) {
        Map<String, Set<String>> waitingFor = new HashMap<>();
        Map<String, Set<String>> frees = new HashMap<>();
        ids.forEach(id -> frees.put(id, new TreeSet<>(BYTE_ORDER)));
        for (String id : ids) {
            waitingFor.put(id, new TreeSet<>(runsAfter.get(id).keySet()));
            runsAfter.get(id).keySet().forEach(first -> frees.get(first).add(id));
        }
        Deque<String> queue = new ArrayDeque<>();
        ids.stream().filter(id -> waitingFor.get(id).isEmpty()).forEach(queue::add);
        List<String> order = new ArrayList<>();
        while (!queue.isEmpty()) {
            String done = queue.poll();
            order.add(done);
            for (String next : frees.get(done)) {
                Set<String> waiting = waitingFor.get(next);
                if (waiting.remove(done) && waiting.isEmpty()) {
                    queue.add(next);
                }
            }
        }
        return order;
    }

    /** A cycle among the stacks Kahn's algorithm could not order: each of them waits for another of them. */
    private static StageFailure cycle(
            Map<String, Stack> byId, Map<String, Map<String, String>> runsAfter, List<String> ordered) {
        Set<String> left = new TreeSet<>(BYTE_ORDER);
        left.addAll(byId.keySet());
        ordered.forEach(left::remove);
        List<String> walk = new ArrayList<>();
        Map<String, Integer> seen = new HashMap<>();
        String at = left.iterator().next();
        while (!seen.containsKey(at)) {
            seen.put(at, walk.size());
            walk.add(at);
            at = runsAfter.get(at).keySet().stream()
                    .filter(left::contains)
                    .min(BYTE_ORDER)
                    .orElseThrow();
        }
        List<String> cycle = new ArrayList<>(walk.subList(seen.get(at), walk.size()));
        int smallest = cycle.indexOf(cycle.stream().min(BYTE_ORDER).orElseThrow());
        Collections.rotate(cycle, -smallest);

        List<String> steps = new ArrayList<>();
        List<StageFailed.Detail> details = new ArrayList<>();
        boolean parent = false;
        for (int i = 0; i < cycle.size(); i++) {
            String from = cycle.get(i);
            String to = cycle.get((i + 1) % cycle.size());
            String why = runsAfter.get(from).get(to);
            parent |= why.endsWith("is its parent stack");
            String step =
                    "runs after " + (from.equals(to) ? "itself" : byId.get(to).path()) + " (" + why + ")";
            steps.add(byId.get(from).path() + " " + step);
            details.add(new StageFailed.Detail("stack-cycle", byId.get(from).path(), step));
        }
        List<String> paths = cycle.stream().map(id -> byId.get(id).path()).toList();
        String message = (cycle.size() == 1
                        ? "stack " + paths.get(0) + " would have to run after itself in a cycle: "
                        : "stacks " + String.join(", ", paths) + " run after each other in a cycle: ")
                + String.join("; ", steps)
                + "; remove one of these orderings from 'after'/'before'"
                + (parent ? " (a parent stack always runs before the stacks below it)" : "");
        return new StageFailure("stack-order", message, false, details);
    }

    private static StageFailure failure(String message, String code, String subject, String detail) {
        return new StageFailure("stack-order", message, false, List.of(new StageFailed.Detail(code, subject, detail)));
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

    /** A stack's directory as Terramate names it: relative to the repository root, with a leading {@code /}. */
    private static String id(String path) {
        return clean("/" + path);
    }

    private static String clean(String rooted) {
        Deque<String> parts = new ArrayDeque<>();
        for (String part : rooted.split("/")) {
            if (part.equals("..")) {
                parts.pollLast();
            } else if (!part.isEmpty() && !part.equals(".")) {
                parts.addLast(part);
            }
        }
        return "/" + String.join("/", parts);
    }
}
