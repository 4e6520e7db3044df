package dev.handoff.lab.forge;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** Copies a repository template folder from the class path (a folder or the lab jar) into a working copy. */
public final class RepositoryTemplates {
    /** Class-path folder of the templates, one sub-folder per repository. */
    public static final String ROOT = "lab/repos/";

    private RepositoryTemplates() {}

    /**
     * Copies every file of the class-path folder {@code template} into {@code target}, keeping relative paths.
     *
     * @return the copied files, relative to {@code target}, with {@code /} separators, sorted
     */
    public static List<String> copy(String template, Path target) {
        java.util.TreeSet<String> copied = new java.util.TreeSet<>();
        copyWithBase(template, target, copied, 0);
        return List.copyOf(copied);
    }

    /**
     * A template may be a variant of another: its file {@value #BASE_FILE} names the base template, whose files are
     * copied first and then overlaid with the variant's own (e.g. {@code edge-cluster-infra-pg}: the lab's stacks with
     * another {@code backend.tf}), so the two never drift apart.
     */
    public static final String BASE_FILE = ".lab-template-base";

    private static void copyWithBase(String template, Path target, java.util.Set<String> copied, int depth) {
        if (depth > 3) {
            throw new IllegalStateException("repository template " + template + " has too deep a chain of bases");
        }
        String base = baseOf(template);
        if (base != null) {
            copyWithBase(ROOT + base, target, copied, depth + 1);
        }
        copied.addAll(copyOne(template, target));
    }

    private static String baseOf(String template) {
        try (var in = RepositoryTemplates.class.getClassLoader().getResourceAsStream(template + "/" + BASE_FILE)) {
            if (in == null) {
                return null;
            }
            String base = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).strip();
            if (!base.matches("[a-z0-9][a-z0-9._-]*")) {
                throw new IllegalStateException(template + "/" + BASE_FILE + " names no template: " + base);
            }
            return base;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + template + "/" + BASE_FILE, e);
        }
    }

    private static List<String> copyOne(String template, Path target) {
        URL url = RepositoryTemplates.class.getClassLoader().getResource(template);
        if (url == null) {
            throw new IllegalArgumentException("no repository template " + template + " on the class path");
        }
        try {
            URI uri = url.toURI();
            if ("jar".equals(uri.getScheme())) {
                return copyFromJar(uri, target);
            }
            return copyTree(Path.of(uri), target);
        } catch (URISyntaxException e) {
            throw new IllegalStateException("bad template URL " + url, e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy template " + template + " to " + target, e);
        }
    }

    private static List<String> copyFromJar(URI uri, Path target) throws IOException {
        FileSystem opened = null;
        try {
            try {
                opened = FileSystems.newFileSystem(uri, Map.of());
            } catch (FileSystemAlreadyExistsException alreadyOpen) {
                // Another caller has the jar open; use its file system and leave it open.
            }
            return copyTree(Path.of(uri), target);
        } finally {
            if (opened != null) {
                opened.close();
            }
        }
    }

    private static List<String> copyTree(Path source, Path target) throws IOException {
        List<String> copied = new ArrayList<>();
        List<Path> files;
        try (Stream<Path> walk = Files.walk(source)) {
            files = walk.filter(Files::isRegularFile).sorted().toList();
        }
        for (Path file : files) {
            String relative = source.relativize(file)
                    .toString()
                    .replace(file.getFileSystem().getSeparator(), "/");
            if (relative.equals(BASE_FILE)) {
                continue;
            }
            Path destination = target.resolve(relative);
            Files.createDirectories(destination.getParent());
            Files.copy(file, destination, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            copied.add(relative);
        }
        return copied;
    }
}
