package dev.handoff.infra.driver;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Where each stack's state lives between runs: {@code <state-dir>/states/<owner>_<repo>/<stack, / as _>/
 * terraform.tfstate}. Checkouts are fresh for every run; the state is copied into the stack directory before tofu
 * runs and back after an apply.
 */
public final class StateStore {
    /** The state file name of OpenTofu's local backend. */
    public static final String STATE_FILE = "terraform.tfstate";

    private final Path root;

    public StateStore(Path stateDir) {
        this.root = stateDir.resolve("states");
    }

    /**
     * The kept state file of a repository's stack (it may not exist yet).
     *
     * @throws ContainedPath.Escape when the names lead outside the state folder (e.g. a repository named {@code ..})
     */
    public Path stateFile(String repository, String stack) throws ContainedPath.Escape {
        return byParts(repository.replace('/', '_'), stack.replace('/', '_'));
    }

    /** The kept state file from an archive name's parts. */
    public Path byParts(String repositoryPart, String stackPart) throws ContainedPath.Escape {
        return ContainedPath.below(root, "repository and stack", repositoryPart, stackPart)
                .resolve(STATE_FILE);
    }

    /** Puts the kept state (if any) into the checked-out stack directory. */
    public void copyIn(String repository, String stack, Path stackDir) throws IOException {
        Path kept = stateFile(repository, stack);
        if (Files.exists(kept)) {
            Files.copy(kept, stackDir.resolve(STATE_FILE), StandardCopyOption.REPLACE_EXISTING);
            // a stack moved back to the local backend: the mirror of its remote state is its own state from now on
            Files.deleteIfExists(kept.resolveSibling(MIRROR_FILE));
        }
    }

    /** Keeps the stack directory's state after an apply. */
    public void copyOut(String repository, String stack, Path stackDir) throws IOException {
        Path written = stackDir.resolve(STATE_FILE);
        if (!Files.exists(written)) {
            return;
        }
        Path kept = stateFile(repository, stack);
        Files.createDirectories(kept.getParent());
        Files.deleteIfExists(kept.resolveSibling(MIRROR_FILE));
        Path tmp = Files.createTempFile(kept.getParent(), STATE_FILE + ".", ".tmp");
        Files.copy(written, tmp, StandardCopyOption.REPLACE_EXISTING);
        Files.move(tmp, kept, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * Sets the kept state aside after it moved to the stack's remote backend: renamed to
     * {@code terraform.tfstate.moved-to-<backend>} beside it, never used again, never deleted.
     *
     * @return where it is now
     */
    public Path retire(String repository, String stack, String backend) throws IOException {
        Path kept = stateFile(repository, stack);
        Path retired = kept.resolveSibling(STATE_FILE + ".moved-to-" + backend);
        Files.move(kept, retired, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return retired;
    }

    /** Beside a mirrored state: the remote backend it mirrors. */
    static final String MIRROR_FILE = "terraform.tfstate.mirror-of";

    /**
     * Keeps a copy of the live state of a stack whose backend is remote (what {@code tofu state pull} returned), in
     * the place of a local stack's state, with the backend's name beside it: backup-service's {@code infra-state}
     * contract reads the live states there. It is never copied into a stack, and it is not a state to move.
     */
    public void mirror(String repository, String stack, String backend, byte[] state) throws IOException {
        Path kept = stateFile(repository, stack);
        Files.createDirectories(kept.getParent());
        Files.writeString(kept.resolveSibling(MIRROR_FILE), backend + "\n", java.nio.charset.StandardCharsets.UTF_8);
        Path tmp = Files.createTempFile(kept.getParent(), STATE_FILE + ".", ".tmp");
        Files.write(tmp, state);
        Files.move(tmp, kept, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Whether the kept state of a stack is a mirror of a remote backend's (not a local stack's own state). */
    public boolean isMirror(String repository, String stack) throws ContainedPath.Escape {
        return Files.exists(stateFile(repository, stack).resolveSibling(MIRROR_FILE));
    }
}
