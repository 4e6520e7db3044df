package dev.handoff.converge.driver;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.ObjectId;

/** JGit driver: a fresh worktree of a repository (runtime, secrets) at one commit (detached HEAD), per run. */
public final class RuntimeCheckout {
    private final Path workRoot;

    /** @param workRoot folder under which worktrees are made, one per host */
    public RuntimeCheckout(Path workRoot) {
        this.workRoot = workRoot;
    }

    /**
     * Clones {@code cloneUrl} into the host's worktree and checks out {@code commit} (or the branch head).
     *
     * @return the worktree and the commit id checked out
     */
    public Checkout checkout(String host, String repository, String cloneUrl, String branch, Optional<String> commit)
            throws IOException {
        return checkoutInto(workRoot.resolve(host), repository, cloneUrl, branch, commit);
    }

    /** As {@link #checkout} into {@code dir}, which is emptied first. */
    public Checkout checkoutInto(Path dir, String repository, String cloneUrl, String branch, Optional<String> commit)
            throws IOException {
        deleteTree(dir);
        Files.createDirectories(dir);
        try (Git git = Git.cloneRepository()
                .setURI(cloneUrl)
                .setDirectory(dir.toFile())
                .setBranch(branch)
                .setNoCheckout(true)
                .call()) {
            String rev = commit.orElse("refs/remotes/origin/" + branch);
            ObjectId id = git.getRepository().resolve(rev + "^{commit}");
            if (id == null) {
                throw new IOException(
                        repository + ": " + commit.map(c -> "commit " + c).orElse("branch " + branch) + " not found in "
                                + cloneUrl + "; was it pushed?");
            }
            git.checkout().setName(id.name()).call();
            return new Checkout(dir, id.name());
        } catch (GitAPIException e) {
            throw new IOException(
                    repository + ": cannot check out " + cloneUrl + " into " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * A checked-out worktree.
     *
     * @param dir the worktree
     * @param commit the commit id at HEAD
     */
    public record Checkout(Path dir, String commit) {}

    /** Deletes {@code dir} and everything under it (links are deleted, never followed). */
    public static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
