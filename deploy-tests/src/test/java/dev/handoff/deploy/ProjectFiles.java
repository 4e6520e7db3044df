package dev.handoff.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** Where the project's deployment files are, for tests that read them as an operator would. */
final class ProjectFiles {
    static final String DOCKERFILE = "src/main/docker/Dockerfile.jvm";

    private ProjectFiles() {}

    /** The project's root folder (the parent of this module). */
    static Path root() {
        String configured = System.getProperty("handoff.project.dir");
        Path root = configured != null ? Path.of(configured) : Path.of("..");
        return root.toAbsolutePath().normalize();
    }

    static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /** The service modules that ship an image: every {@code *-service} folder with a {@value #DOCKERFILE}. */
    static List<String> imageModules() {
        try (Stream<Path> children = Files.list(root())) {
            return children.filter(p -> p.getFileName().toString().endsWith("-service"))
                    .filter(p -> Files.isRegularFile(p.resolve(DOCKERFILE)))
                    .map(p -> p.getFileName().toString())
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + root(), e);
        }
    }
}
