package dev.handoff.infra.driver;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import java.util.Properties;

/**
 * The commit each infra repository was last run from, and where it was fetched: a state restore works in that
 * checkout, because the stacks' backend configuration is the one of the commit that was last applied. Kept in
 * {@code <state-dir>/checkouts/<owner>_<repo>.properties}.
 */
public final class LastCheckouts {
    private final Path dir;

    public LastCheckouts(Path stateDir) {
        this.dir = stateDir.resolve("checkouts");
    }

    /**
     * A checkout.
     *
     * @param url where the repository was fetched from
     * @param commit the commit
     */
    public record Checkout(String url, String commit) {}

    /** Records the checkout of a run. */
    public void save(String repository, Checkout checkout) throws IOException {
        Files.createDirectories(dir);
        Properties p = new Properties();
        p.setProperty("url", checkout.url());
        p.setProperty("commit", checkout.commit());
        Path file = file(repository);
        Path tmp = Files.createTempFile(dir, file.getFileName() + ".", ".tmp");
        try (OutputStream out = Files.newOutputStream(tmp)) {
            p.store(out, "last infra run of " + repository);
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** The last checkout of {@code repository}, if this service ran it. */
    public Optional<Checkout> find(String repository) throws IOException {
        Path file = file(repository);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            p.load(in);
        }
        String url = p.getProperty("url");
        String commit = p.getProperty("commit");
        return url == null || commit == null ? Optional.empty() : Optional.of(new Checkout(url, commit));
    }

    private Path file(String repository) throws ContainedPath.Escape {
        return ContainedPath.below(dir, "repository", repository.replace('/', '_') + ".properties");
    }
}
