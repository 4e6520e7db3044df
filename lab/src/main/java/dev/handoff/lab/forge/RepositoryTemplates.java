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
            Path destination = target.resolve(relative);
            Files.createDirectories(destination.getParent());
            Files.copy(file, destination);
            copied.add(relative);
        }
        return copied;
    }
}
