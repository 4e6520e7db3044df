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

    /** The kept state file of a repository's stack (it may not exist yet). */
    public Path stateFile(String repository, String stack) {
        return byParts(repository.replace('/', '_'), stack.replace('/', '_'));
    }

    /** The kept state file from an archive name's parts. */
    public Path byParts(String repositoryPart, String stackPart) {
        return root.resolve(repositoryPart).resolve(stackPart).resolve(STATE_FILE);
    }

    /** Puts the kept state (if any) into the checked-out stack directory. */
    public void copyIn(String repository, String stack, Path stackDir) throws IOException {
        Path kept = stateFile(repository, stack);
        if (Files.exists(kept)) {
            Files.copy(kept, stackDir.resolve(STATE_FILE), StandardCopyOption.REPLACE_EXISTING);
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
}
