package dev.handoff.bench.hostile;

import dev.handoff.infra.driver.ContainedPath;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * A value from an event or a repository → infra-service's {@link ContainedPath#below}, then a file written at the
 * path it gives, as a run writes its work tree. Refused: {@code unsafe-path}. Accepted: the file was written, and it
 * must really (links followed) be inside the base; {@link #outsideUntouched()} checks afterwards that nothing appeared
 * in the folder next to the base that a planted link points to.
 */
public final class PathProbe implements Probe<String>, AutoCloseable {
    private final Path root;
    private final Path base;
    private final Path outside;
    private final java.util.concurrent.atomic.AtomicInteger unwritable =
            new java.util.concurrent.atomic.AtomicInteger();

    /** A fresh base folder with planted links: {@code link-out} (to a sibling folder), {@code link-in}, a loop. */
    public PathProbe() throws IOException {
        root = Files.createTempDirectory("handoff-hostile-paths-");
        base = Files.createDirectories(root.resolve("base"));
        outside = Files.createDirectories(root.resolve("outside"));
        Files.createDirectories(base.resolve("inner"));
        Files.createSymbolicLink(base.resolve("link-out"), outside);
        Files.createSymbolicLink(base.resolve("link-in"), base.resolve("inner"));
        Files.createSymbolicLink(base.resolve("loop"), base.resolve("loop"));
        Files.createSymbolicLink(base.resolve("dangling"), root.resolve("nowhere"));
    }

    @Override
    public Verdict probe(String value) throws IOException {
        Path path;
        try {
            path = ContainedPath.below(base, "deployment id", value);
        } catch (ContainedPath.Escape e) {
            return Verdict.refused(e.failure("ce_deploymentid").reason(), e.getMessage());
        }
        Path realBase = base.toRealPath();
        Path written = Files.isDirectory(path) ? path.resolve("written") : path;
        try {
            Files.createDirectories(path.getParent());
            Files.writeString(written, "x");
        } catch (IOException e) {
            // accepted, but the file system refuses the name (too long, a file on the way): a run fails with an I/O
            // error there, which is no escape; what matters is where a write could land
            unwritable.incrementAndGet();
            return Verdict.accepted();
        }
        Path real = written.toRealPath();
        if (!real.startsWith(realBase)) {
            return Verdict.escaped("outside-base", value + " was written at " + real + ", outside " + realBase);
        }
        return Verdict.accepted();
    }

    /** How many accepted paths the file system would not write (name too long, a file where a folder must be). */
    public int unwritable() {
        return unwritable.get();
    }

    /** Whether the folder outside the base is still empty. */
    public boolean outsideUntouched() throws IOException {
        try (Stream<Path> entries = Files.list(outside)) {
            return entries.findAny().isEmpty() && !Files.exists(root.resolve("nowhere"), LinkOption.NOFOLLOW_LINKS);
        }
    }

    @Override
    public void close() throws IOException {
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
