package dev.handoff.cli;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * handoffctl's config file: named contexts, each a server and the path of a file holding its token (never the token
 * itself), and the current one. {@code handoffctl login} writes it, with mode 0600.
 *
 * @param currentContext the context used when {@code --context} is not given
 * @param contexts every context, in the order they were added
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record CtlConfig(
        @JsonProperty("current-context") String currentContext,
        @JsonProperty("contexts") List<Context> contexts) {

    static final Pattern CONTEXT_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");

    private static final YAMLMapper YAML = (YAMLMapper) new YAMLMapper()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    CtlConfig {
        contexts = contexts == null ? List.of() : List.copyOf(contexts);
    }

    /**
     * A server and how to authenticate to it.
     *
     * @param name the context's name, e.g. {@code lab}, {@code prod}
     * @param server control-service's address
     * @param tokenFile the file holding the API token
     */
    record Context(
            @JsonProperty("name") String name,
            @JsonProperty("server") String server,
            @JsonProperty("token-file") String tokenFile) {}

    /** The config file: {@code $HANDOFF_CONFIG}, else {@code $XDG_CONFIG_HOME/handoff/config.yaml}, else {@code ~/.config/…}. */
    static Path location(Map<String, String> env) {
        String explicit = env.get("HANDOFF_CONFIG");
        if (explicit != null && !explicit.isBlank()) {
            return Path.of(explicit);
        }
        String xdg = env.get("XDG_CONFIG_HOME");
        Path base = xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute()
                ? Path.of(xdg)
                : Path.of(env.getOrDefault("HOME", System.getProperty("user.home")), ".config");
        return base.resolve("handoff").resolve("config.yaml");
    }

    /** Reads the file; an absent file is an empty config. */
    static CtlConfig read(Path file) throws CliFailure {
        try {
            String text = Files.readString(file, StandardCharsets.UTF_8);
            CtlConfig config = text.isBlank() ? null : YAML.readValue(text, CtlConfig.class);
            return config == null ? new CtlConfig(null, List.of()) : config;
        } catch (NoSuchFileException e) {
            return new CtlConfig(null, List.of());
        } catch (IOException e) {
            throw new CliFailure(
                    ExitCodes.USAGE,
                    "cannot read handoffctl's config file " + file + ": "
                            + e.getMessage().lines().findFirst().orElse("")
                            + "\n  fix it, or move it away and run handoffctl login again");
        }
    }

    /** The context of that name. */
    Optional<Context> context(String name) {
        return contexts.stream().filter(c -> c.name().equals(name)).findFirst();
    }

    /** The current context, if one is set and exists. */
    Optional<Context> current() {
        return currentContext == null ? Optional.empty() : context(currentContext);
    }

    /** This config with {@code context} added or replaced, and made current. */
    CtlConfig with(Context context) {
        List<Context> all = new ArrayList<>();
        boolean replaced = false;
        for (Context c : contexts) {
            if (c.name().equals(context.name())) {
                all.add(context);
                replaced = true;
            } else {
                all.add(c);
            }
        }
        if (!replaced) {
            all.add(context);
        }
        return new CtlConfig(context.name(), all);
    }

    /** Writes the file (mode 0600; a folder it creates gets 0700), replacing it in one step. */
    void write(Path file) throws IOException {
        String text = "# handoffctl's contexts, written by handoffctl login. Tokens stay in their token files.\n"
                + YAML.writeValueAsString(this);
        writePrivate(file, text);
    }

    /** Writes a file only its owner may read: created with mode 0600 before any byte is written, then moved into place. */
    static void writePrivate(Path file, String text) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        if (!Files.isDirectory(dir)) {
            try {
                Files.createDirectories(
                        dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } catch (UnsupportedOperationException e) {
                Files.createDirectories(dir);
            } catch (FileAlreadyExistsException e) {
                // another handoffctl created it meanwhile
            }
        }
        Path temp;
        try {
            temp = Files.createTempFile(
                    dir,
                    "." + file.getFileName(),
                    ".tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            temp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
        }
        try {
            Files.writeString(temp, text, StandardCharsets.UTF_8);
            try {
                Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(temp);
        }
    }
}
