package dev.handoff.infra.driver;

import dev.handoff.common.event.v1.StageFailed;
import dev.handoff.infra.stage.StageFailure;
import java.nio.file.Path;
import java.util.List;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.errors.MissingObjectException;

/** Checks out one commit of a repository with JGit into a fresh directory. */
public final class RepositoryCheckout {
    private RepositoryCheckout() {}

    /**
     * Clones {@code cloneUrl} into {@code dir} and checks out {@code commit} (detached).
     *
     * @throws StageFailure {@code checkout-error} when the repository or the commit cannot be read
     */
    public static void checkout(String repository, String cloneUrl, String commit, Path dir) throws StageFailure {
        try (Git git = Git.cloneRepository()
                .setURI(cloneUrl)
                .setDirectory(dir.toFile())
                .setNoCheckout(true)
                .call()) {
            git.checkout().setName(commit).call();
        } catch (GitAPIException | RuntimeException e) {
            boolean missing = e.getCause() instanceof MissingObjectException;
            throw new StageFailure(
                    "checkout-error",
                    "cannot check out " + repository + "@" + commit + " from " + cloneUrl + ": " + e.getMessage()
                            + (missing
                                    ? "; was the commit force-pushed away?"
                                    : "; check the clone URL in handoff.yaml"),
                    !missing,
                    List.of(new StageFailed.Detail("checkout", repository, String.valueOf(e.getMessage()))));
        }
    }
}
