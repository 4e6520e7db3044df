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

    /**
     * Clones the head of {@code branch} of {@code cloneUrl} into {@code dir} (a restore works on what the branch holds
     * now).
     *
     * @throws StageFailure {@code checkout-error} when the repository or the branch cannot be read
     */
    public static void checkoutBranch(String repository, String cloneUrl, String branch, Path dir) throws StageFailure {
        try (Git git = Git.cloneRepository()
                .setURI(cloneUrl)
                .setDirectory(dir.toFile())
                .setBranch(branch)
                .call()) {
            if (git.getRepository().resolve("HEAD") == null) {
                throw new StageFailure(
                        "checkout-error",
                        repository + " has no branch " + branch + " at " + cloneUrl
                                + "; check 'branch' in handoff.yaml",
                        false,
                        List.of(new StageFailed.Detail("checkout", repository, "no branch " + branch)));
            }
        } catch (GitAPIException | java.io.IOException | RuntimeException e) {
            throw new StageFailure(
                    "checkout-error",
                    "cannot check out " + repository + " branch " + branch + " from " + cloneUrl + ": " + e.getMessage()
                            + "; check the url and branch in handoff.yaml",
                    true,
                    List.of(new StageFailed.Detail("checkout", repository, String.valueOf(e.getMessage()))));
        }
    }
}
