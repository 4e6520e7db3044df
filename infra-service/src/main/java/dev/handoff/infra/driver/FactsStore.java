package dev.handoff.infra.driver;

import dev.handoff.common.event.v1.CloudFacts;
import dev.handoff.common.serde.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The last cloud facts published per host, and the last drift reported for it, kept as files under
 * {@code <state-dir>/facts/} so the scheduled read-back survives a restart. Facts hold no sensitive value.
 */
public final class FactsStore {
    private final Path dir;

    public FactsStore(Path stateDir) {
        this.dir = stateDir.resolve("facts");
    }

    /** Keeps {@code facts} as the host's last facts and forgets any drift reported for it. */
    public synchronized void save(CloudFacts facts) {
        try {
            Files.createDirectories(dir);
            Path file = file(facts.host(), ".json");
            Path drift = file(facts.host(), ".drift");
            Path tmp = Files.createTempFile(dir, file.getFileName() + ".", ".tmp");
            Files.write(tmp, Json.mapper().writeValueAsBytes(facts));
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            Files.deleteIfExists(drift);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep the cloud facts of " + facts.host() + " in " + dir, e);
        }
    }

    /** A host's file: the host name comes from an event, so it is checked to stay a name in the facts folder. */
    private Path file(String host, String suffix) throws ContainedPath.Escape {
        return ContainedPath.below(dir, "host", host + suffix);
    }

    /** Every host's last facts. */
    public synchronized List<CloudFacts> all() {
        List<CloudFacts> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f :
                    files.filter(p -> p.toString().endsWith(".json")).sorted().toList()) {
                out.add(Json.mapper().readValue(f.toFile(), CloudFacts.class));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the cloud facts in " + dir, e);
        }
        return out;
    }

    /** The drift last reported for a host (a fingerprint of its findings), if any. */
    public synchronized Optional<String> reportedDrift(String host) {
        try {
            Path f = file(host, ".drift");
            return Files.exists(f) ? Optional.of(Files.readString(f, StandardCharsets.UTF_8)) : Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the drift marker of " + host + " in " + dir, e);
        }
    }

    /** Remembers that a drift was reported, so it is published once, not at every check. */
    public synchronized void driftReported(String host, String fingerprint) {
        try {
            Files.createDirectories(dir);
            Files.writeString(file(host, ".drift"), fingerprint, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the drift marker of " + host, e);
        }
    }

    /** Forgets a reported drift (reality matches the facts again). */
    public synchronized void driftCleared(String host) {
        try {
            Files.deleteIfExists(file(host, ".drift"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove the drift marker of " + host, e);
        }
    }
}
