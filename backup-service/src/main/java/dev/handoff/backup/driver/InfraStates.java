package dev.handoff.backup.driver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.handoff.backup.stage.InfraStateCheck;
import dev.handoff.common.Sha256;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

/**
 * Reads infra-service's folders (docs/infra-service.md): live states at
 * {@code <states>/<owner>_<repo>/<stack, / as _>/terraform.tfstate}, archives
 * {@code <owner>_<repo>__<stack>__<yyyyMMddTHHmmssSSSZ>.tfstate.gz} with a {@code sha256sum}-format {@code .sha256}
 * beside them. Only {@code lineage} and {@code serial} are taken from a state; nothing of it is kept or logged.
 */
public final class InfraStates {
    private static final Pattern NAME =
            Pattern.compile("^([A-Za-z0-9_.-]+)__([A-Za-z0-9_.-]+)__(\\d{8}T\\d{9}Z)\\.tfstate\\.gz$");
    private static final DateTimeFormatter STAMP =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmssSSS'Z'").withZone(ZoneOffset.UTC);
    private static final ObjectMapper JSON = new ObjectMapper();

    private InfraStates() {}

    /** The folders could not be read. */
    public static final class UnreadableException extends Exception {
        public UnreadableException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * The live states of {@code repositoryParts} (every repository when empty) with their newest archives.
     *
     * @param states the live states folder
     * @param archives the archives folder
     */
    public static List<InfraStateCheck.Stack> read(Path states, Path archives, List<String> repositoryParts)
            throws UnreadableException {
        if (!Files.isDirectory(states)) {
            return List.of();
        }
        List<InfraStateCheck.Stack> stacks = new ArrayList<>();
        try (Stream<Path> repos = Files.list(states)) {
            for (Path repo : repos.filter(Files::isDirectory).sorted().toList()) {
                String repoPart = repo.getFileName().toString();
                if (!repositoryParts.isEmpty() && !repositoryParts.contains(repoPart)) {
                    continue;
                }
                try (Stream<Path> stackDirs = Files.list(repo)) {
                    for (Path stackDir :
                            stackDirs.filter(Files::isDirectory).sorted().toList()) {
                        Path state = stackDir.resolve("terraform.tfstate");
                        if (!Files.isRegularFile(state)) {
                            continue;
                        }
                        String stackPart = stackDir.getFileName().toString();
                        InfraStateCheck.StateHeader live = header(Files.readAllBytes(state))
                                .orElseThrow(() -> new IOException(state + " is empty"));
                        stacks.add(new InfraStateCheck.Stack(
                                repoPart + "/" + stackPart, live, newestArchive(archives, repoPart, stackPart)));
                    }
                }
            }
        } catch (IOException e) {
            throw new UnreadableException(
                    "cannot read the OpenTofu states in " + states + " or the archives in " + archives + ": "
                            + e.getMessage(),
                    e);
        }
        return stacks;
    }

    private static Optional<InfraStateCheck.Archive> newestArchive(Path archives, String repoPart, String stackPart)
            throws IOException {
        if (!Files.isDirectory(archives)) {
            return Optional.empty();
        }
        Optional<Path> newest;
        try (Stream<Path> files = Files.list(archives)) {
            newest = files.filter(f -> {
                        Matcher m = NAME.matcher(f.getFileName().toString());
                        return m.matches()
                                && m.group(1).equals(repoPart)
                                && m.group(2).equals(stackPart);
                    })
                    .max(Comparator.comparing(f -> f.getFileName().toString()));
        }
        if (newest.isEmpty()) {
            return Optional.empty();
        }
        Path archive = newest.get();
        String name = archive.getFileName().toString();
        Matcher m = NAME.matcher(name);
        m.matches();
        Instant taken = Instant.from(STAMP.parse(m.group(3)));
        Path checksumFile = archive.resolveSibling(name + ".sha256");
        String actual = Sha256.of(archive);
        Optional<String> problem = Optional.empty();
        if (!Files.isRegularFile(checksumFile)) {
            problem = Optional.of("has no checksum file " + checksumFile.getFileName());
        } else {
            String expected = Files.readString(checksumFile, StandardCharsets.UTF_8)
                    .trim()
                    .split("\\s+")[0];
            if (!expected.equalsIgnoreCase(actual)) {
                problem = Optional.of("has sha256 " + actual + " but its .sha256 file says " + expected);
            }
        }
        Optional<InfraStateCheck.StateHeader> header = Optional.empty();
        if (problem.isEmpty()) {
            try (InputStream in = new GZIPInputStream(Files.newInputStream(archive))) {
                header = header(in.readAllBytes());
            } catch (IOException e) {
                problem = Optional.of("cannot be decompressed (" + e.getMessage() + ")");
            }
        }
        return Optional.of(new InfraStateCheck.Archive(name, taken, problem, header));
    }

    private static Optional<InfraStateCheck.StateHeader> header(byte[] state) throws IOException {
        if (state.length == 0) {
            return Optional.empty();
        }
        JsonNode json = JSON.readTree(state);
        if (!json.hasNonNull("lineage") || !json.has("serial")) {
            throw new IOException("not an OpenTofu v4 state (no lineage/serial)");
        }
        return Optional.of(new InfraStateCheck.StateHeader(
                json.path("lineage").asText(), json.path("serial").asLong()));
    }
}
