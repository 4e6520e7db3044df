package dev.handoff.infra.driver;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** A run's working folder (checkout, plan files), deleted when the run ends: nothing of a run outlives it. */
public final class WorkTree {
    private WorkTree() {}

    /** Deletes {@code root} and everything below it; nothing when it does not exist. */
    public static void delete(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot clean " + root, e);
        }
    }
}
