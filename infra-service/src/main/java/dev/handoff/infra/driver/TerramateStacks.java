package dev.handoff.infra.driver;

import dev.handoff.infra.stage.StackOrder;
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
 * {@code stack {}} block, with its {@code after = [...]}); a repository without Terramate configuration is one stack,
 * its root, when the root holds {@code *.tf} files.
 */
public final class TerramateStacks {
    private static final Pattern STACK_BLOCK = Pattern.compile("(?m)^\\s*stack\\s*\\{");
    private static final Pattern AFTER = Pattern.compile("(?s)\\bafter\\s*=\\s*\\[(.*?)]");
    private static final Pattern QUOTED = Pattern.compile("\"([^\"]+)\"");

    private TerramateStacks() {}

    /** The stacks under {@code root}, unordered; paths relative to {@code root} with {@code /}. */
    public static List<StackOrder.Stack> discover(Path root) {
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
            if (stacks.isEmpty()) {
                try (Stream<Path> files = Files.list(root)) {
                    if (files.anyMatch(p -> p.toString().endsWith(".tf"))) {
                        stacks.add(new StackOrder.Stack(".", List.of()));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the stacks of " + root, e);
        }
        return stacks;
    }
}
