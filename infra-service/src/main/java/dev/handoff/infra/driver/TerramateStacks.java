package dev.handoff.infra.driver;

import dev.handoff.common.event.v1.StageFailed;
import dev.handoff.infra.stage.StackOrder;
import dev.handoff.infra.stage.StageFailure;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * Finds the stacks of a checked-out repository: Terramate stacks (directories whose Terramate file holds a {@code
 * stack {}} block) in Terramate's run order ({@link StackOrder}); in a repository without Terramate configuration the
 * stack directories {@code handoff.yaml} lists for it, or else one stack, its root, when the root holds {@code *.tf}
 * files.
 *
 * <p>The repository is read as Terramate's {@code config.loadTree} and {@code fs.ListTerramateFiles} read it: files
 * named {@code *.tm} or {@code *.tm.hcl}; names starting with {@code .} skipped; a directory holding {@code .tmskip}
 * skipped with everything below it; symbolic links to directories not followed. An {@code after}/{@code before} path
 * is resolved as Terramate's {@code run.BuildDAG} resolves it: a path that is not a directory of the repository is
 * ignored with a warning, a directory holding no stack orders nothing.
 */
public final class TerramateStacks {
    private static final Logger LOG = Logger.getLogger(TerramateStacks.class);
    private static final String SKIP_FILE = ".tmskip";

    private TerramateStacks() {}

    /**
     * The stacks of a checked-out repository in the order to run them: its Terramate stacks in Terramate's run order
     * when it has Terramate configuration; else the directories {@code handoff.yaml} lists for it, in the listed
     * order; else its root when the root holds {@code *.tf} files.
     *
     * @param listed {@code repositories.<name>.stacks} of {@code handoff.yaml}; empty = not listed
     * @throws StageFailure {@code stack-order} (unreadable Terramate file, invalid stack block, tag or tag filter, or
     *     a cycle), {@code missing-stack} (a listed directory is not in the commit)
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
                .filter(dir -> !isDirectoryInside(base, base.resolve(dir).normalize()))
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
     * The Terramate stacks under {@code root}, unordered, their {@code after}/{@code before} paths resolved to
     * directories relative to {@code root}; empty when it has no Terramate stack.
     */
    static List<StackOrder.Stack> terramate(Path root) throws StageFailure {
        Set<String> dirs = new HashSet<>();
        Map<String, StackBlockReader.StackBlock> blocks = new TreeMap<>();
        try {
            walk(root, "/", dirs, blocks);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the stacks of " + root, e);
        }
        List<StackOrder.Stack> stacks = new ArrayList<>();
        for (var e : blocks.entrySet()) {
            String path = e.getKey().equals("/") ? "." : e.getKey().substring(1);
            StackBlockReader.StackBlock block = e.getValue();
            stacks.add(new StackOrder.Stack(
                    path,
                    block.file(),
                    resolve(path, block, "after", block.after(), dirs, blocks.keySet()),
                    resolve(path, block, "before", block.before(), dirs, blocks.keySet()),
                    block.tags()));
        }
        return stacks;
    }

    private static void walk(Path dir, String id, Set<String> dirs, Map<String, StackBlockReader.StackBlock> blocks)
            throws IOException, StageFailure {
        dirs.add(id);
        List<Path> entries;
        try (Stream<Path> list = Files.list(dir)) {
            entries = list.sorted().toList();
        }
        boolean top = id.equals("/");
        if (!top && entries.stream().anyMatch(p -> p.getFileName().toString().equals(SKIP_FILE))) {
            return;
        }
        for (Path entry : entries) {
            String name = entry.getFileName().toString();
            if (name.startsWith(".") || Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS)) {
                continue;
            }
            // regular files only, as Terramate lists them: a symbolic link (which could lead out of the checkout) is
            // not configuration
            if ((name.endsWith(".tm") || name.endsWith(".tm.hcl"))
                    && name.length() > 3
                    && Files.isRegularFile(entry, LinkOption.NOFOLLOW_LINKS)) {
                String file = top ? name : id.substring(1) + "/" + name;
                var block = StackBlockReader.read(file, read(entry, file));
                if (block.isPresent() && blocks.containsKey(id)) {
                    throw duplicate(id, blocks.get(id), block.get());
                }
                block.ifPresent(b -> blocks.put(id, b));
            }
        }
        boolean skipChildren =
                top && entries.stream().anyMatch(p -> p.getFileName().toString().equals(SKIP_FILE));
        for (Path entry : entries) {
            String name = entry.getFileName().toString();
            if (!skipChildren && !name.startsWith(".") && Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS)) {
                walk(entry, top ? "/" + name : id + "/" + name, dirs, blocks);
            }
        }
    }

    /**
     * Whether {@code dir} is a directory of the checkout {@code base} once symbolic links are followed: a listed stack
     * directory that is a link out of the repository is not one of its stacks.
     */
    private static boolean isDirectoryInside(Path base, Path dir) {
        if (!dir.startsWith(base) || !Files.isDirectory(dir)) {
            return false;
        }
        try {
            return dir.toRealPath().startsWith(base.toRealPath());
        } catch (IOException e) {
            return false;
        }
    }

    private static String read(Path entry, String file) throws IOException, StageFailure {
        try {
            return Files.readString(entry, StandardCharsets.UTF_8);
        } catch (CharacterCodingException e) {
            throw new StageFailure(
                    "stack-order",
                    "cannot read the Terramate configuration " + file + ": it is not UTF-8 text; save it as UTF-8",
                    false,
                    List.of(new StageFailed.Detail("unreadable-hcl", file, "not UTF-8")));
        }
    }

    private static StageFailure duplicate(
            String id, StackBlockReader.StackBlock first, StackBlockReader.StackBlock second) {
        String dir = id.equals("/") ? "the repository root" : id.substring(1);
        return new StageFailure(
                "stack-order",
                dir + " holds two stack {} blocks, in " + first.file() + ":" + first.line() + " and " + second.file()
                        + ":" + second.line() + "; keep one stack block per directory",
                false,
                List.of(new StageFailed.Detail("unreadable-hcl", second.file(), "a second stack block in " + dir)));
    }

    /**
     * The {@code after}/{@code before} entries Terramate orders by: tag filters as written, paths resolved from the
     * stack (or the root), without those naming no directory (warned about) or a directory holding no stack.
     */
    private static List<String> resolve(
            String path,
            StackBlockReader.StackBlock block,
            String attribute,
            List<String> entries,
            Set<String> dirs,
            Set<String> stacks) {
        List<String> resolved = new ArrayList<>();
        for (String entry : entries) {
            if (entry.startsWith("tag:")) {
                resolved.add(entry);
                continue;
            }
            String dir = StackOrder.projectPath(path, entry);
            if (!dirs.contains(dir)) {
                LOG.warnf(
                        "%s: stack %s names %s in '%s', which is not a directory of the repository (or one Terramate"
                                + " skips); Terramate ignores it with a warning, and so does Handoff: fix or remove"
                                + " the entry",
                        block.file(), path, entry, attribute);
            } else if (stacks.stream().anyMatch(s -> dir.equals("/") || s.equals(dir) || s.startsWith(dir + "/"))) {
                resolved.add(dir);
            }
        }
        return resolved;
    }
}
