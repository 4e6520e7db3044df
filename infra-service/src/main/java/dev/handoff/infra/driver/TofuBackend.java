package dev.handoff.infra.driver;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Which backend a stack declares ({@code terraform { backend "<type>" {…} }} in its {@code *.tf} files; none is tofu's
 * {@code local}). Handoff keeps a stack's state on its own disk only for the local backend; any other keeps it itself.
 */
public final class TofuBackend {
    /** tofu's default backend: a state file in the stack directory. */
    public static final String LOCAL = "local";

    private static final Pattern BLOCK_COMMENT = Pattern.compile("(?s)/\\*.*?\\*/");
    private static final Pattern LINE_COMMENT = Pattern.compile("(?m)(#|//).*$");
    private static final Pattern BACKEND = Pattern.compile("(?m)^\\s*backend\\s+\"([A-Za-z0-9_-]+)\"\\s*\\{");
    private static final Pattern CLOUD = Pattern.compile("(?m)^\\s*cloud\\s*\\{");

    private TofuBackend() {}

    /** The backend type of the stack in {@code dir}: {@code local}, {@code pg}, {@code s3}, {@code http}, … */
    public static String of(Path dir) {
        List<Path> files;
        try (Stream<Path> list = Files.list(dir)) {
            files = list.filter(p -> p.getFileName().toString().endsWith(".tf"))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the configuration of " + dir, e);
        }
        for (Path file : files) {
            String text;
            try {
                text = Files.readString(file, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file, e);
            }
            String code = LINE_COMMENT
                    .matcher(BLOCK_COMMENT.matcher(text).replaceAll(" "))
                    .replaceAll("");
            Matcher backend = BACKEND.matcher(code);
            if (backend.find()) {
                return backend.group(1);
            }
            if (CLOUD.matcher(code).find()) {
                return "cloud";
            }
        }
        return LOCAL;
    }
}
