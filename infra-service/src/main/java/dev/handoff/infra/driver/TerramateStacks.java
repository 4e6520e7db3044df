package dev.handoff.infra.driver;

import dev.handoff.infra.stage.StackOrder;
import dev.handoff.infra.stage.StageFailure;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Finds the stacks of a checked-out repository: Terramate stacks (directories whose {@code *.tm.hcl} holds a
 * {@code stack {}} block, with its {@code after = [...]}); in a repository without Terramate configuration the stack
 * directories {@code handoff.yaml} lists for it, or else one stack, its root, when the root holds {@code *.tf} files.
 */
public final class TerramateStacks {
    private static final Pattern STACK_BLOCK = Pattern.compile("(?m)^\\s*stack\\s*\\{");
    private static final Pattern AFTER = Pattern.compile("(?s)\\bafter\\s*=\\s*\\[(.*?)]");
    private static final Pattern QUOTED = Pattern.compile("\"([^\"]+)\"");

    private TerramateStacks() {}

    /**
     * The stacks of a checked-out repository in the order to run them: its Terramate stacks in dependency order
     * when it has Terramate configuration; else the directories {@code handoff.yaml} lists for it, in the listed
     * order; else its root when the root holds {@code *.tf} files.
     *
     * @param listed {@code repositories.<name>.stacks} of {@code handoff.yaml}; empty = not listed
     * @throws StageFailure {@code stack-order} (Terramate cycle or unknown {@code after}), {@code missing-stack} (a
     *     listed directory is not in the commit)
     */
    public static List<StackOrder.Stack> find(Path root, List<String> listed) throws StageFailure {
        List<StackOrder.Stack> terramate = terramate(root);
        if (!terramate.isEmpty()) {
            return StackOrder.sort(terramate);
        }
        if (listed.isEmpty()) {
            return rootStack(root);
        }
        Path base = root.toAbsolutePath().normalize();
        List<String> missing = listed.stream()
                .filter(dir -> {
                    Path p = base.resolve(dir).normalize();
                    return !p.startsWith(base) || !Files.isDirectory(p);
                })
                .toList();
        return StackOrder.listed(listed, missing);
    }

    private static List<StackOrder.Stack> rootStack(Path root) {
        try (Stream<Path> files = Files.list(root)) {
            return files.anyMatch(p -> p.toString().endsWith(".tf"))
                    ? List.of(new StackOrder.Stack(".", List.of()))
                    : List.of();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the stacks of " + root, e);
        }
    }

    /**
     * The Terramate stacks under {@code root}, unordered, paths relative to {@code root} with {@code /}; empty when
     * it has no Terramate configuration.
     */
    static List<StackOrder.Stack> terramate(Path root) {
        List<StackOrder.Stack> stacks = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path file : walk.filter(p -> p.toString().endsWith(".tm.hcl"))
                    .filter(p -> !p.toString().contains("/.git/"))
                    .sorted()
                    .toList()) {
                String hcl = Files.readString(file, StandardCharsets.UTF_8);
                if (!STACK_BLOCK.matcher(hcl).find()) {
                    continue;
                }
                List<String> after = new ArrayList<>();
                Matcher a = AFTER.matcher(hcl);
                if (a.find()) {
                    Matcher q = QUOTED.matcher(a.group(1));
                    while (q.find()) {
                        after.add(q.group(1).replaceFirst("^/", ""));
                    }
                }
                String path = root.relativize(file.getParent()).toString().replace('\\', '/');
                stacks.add(new StackOrder.Stack(path.isEmpty() ? "." : path, after));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the stacks of " + root, e);
        }
        return stacks;
    }
}
