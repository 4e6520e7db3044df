package dev.handoff.secrets.driver;

import dev.handoff.common.trace.Tracing;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectLoader;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.transport.RefSpec;
import org.eclipse.jgit.treewalk.TreeWalk;

/**
 * JGit driver: keeps one bare copy per repository under the cache folder, fetches every branch before each check and
 * reads files straight from the commit's tree (no working tree is written, so nothing decrypted or encrypted lands on
 * disk beyond what Git already stores).
 */
public final class JGitSecretsRepository implements SecretsRepository {
    private final Path cache;

    /** @param cache folder of the bare copies */
    public JGitSecretsRepository(Path cache) {
        this.cache = cache;
    }

    @Override
    public synchronized Commit open(String repository, String cloneUrl, String branch, Optional<String> commit)
            throws RepositoryException {
        return Tracing.driverCall("git", "fetch", () -> fetch(repository, cloneUrl, branch, commit));
    }

    private Commit fetch(String repository, String cloneUrl, String branch, Optional<String> commit)
            throws RepositoryException {
        Path bare = cache.resolve(repository.replace('/', '_') + ".git");
        try {
            Git git = Files.isDirectory(bare.resolve("objects"))
                    ? Git.open(bare.toFile())
                    : Git.init().setBare(true).setDirectory(bare.toFile()).call();
            try {
                git.fetch()
                        .setRemote(cloneUrl)
                        .setRefSpecs(new RefSpec("+refs/heads/*:refs/heads/*"))
                        .setForceUpdate(true)
                        .call();
                Repository repo = git.getRepository();
                ObjectId id = commit.isPresent()
                        ? repo.resolve(commit.get() + "^{commit}")
                        : repo.resolve(Constants.R_HEADS + branch + "^{commit}");
                if (id == null) {
                    throw new RepositoryException(
                            repository + ": " + commit.map(c -> "commit " + c).orElse("branch " + branch)
                                    + " not found after fetching " + cloneUrl + "; was it pushed?",
                            null);
                }
                RevCommit revCommit;
                try (RevWalk walk = new RevWalk(repo)) {
                    revCommit = walk.parseCommit(id);
                }
                return new JGitCommit(git, revCommit);
            } catch (RepositoryException | IOException | GitAPIException | RuntimeException e) {
                git.close();
                throw e;
            }
        } catch (RepositoryException e) {
            throw e;
        } catch (IOException | GitAPIException | RuntimeException e) {
            throw new RepositoryException(
                    repository + ": cannot fetch " + cloneUrl + " into " + bare + ": " + e.getMessage(), e);
        }
    }

    private record JGitCommit(Git git, RevCommit commit) implements Commit {
        @Override
        public String id() {
            return commit.name();
        }

        @Override
        public Optional<Blob> file(String path, long maxBytes) throws RepositoryException {
            Repository repo = git.getRepository();
            try (TreeWalk walk = TreeWalk.forPath(repo, path, commit.getTree())) {
                if (walk == null || walk.isSubtree()) {
                    return Optional.empty();
                }
                ObjectLoader loader = repo.open(walk.getObjectId(0), Constants.OBJ_BLOB);
                long size = loader.getSize();
                if (size > maxBytes) {
                    return Optional.of(new Blob(size, Optional.empty()));
                }
                return Optional.of(new Blob(size, Optional.of(loader.getCachedBytes((int) maxBytes))));
            } catch (IOException e) {
                throw new RepositoryException(path + " at " + commit.name() + " cannot be read: " + e.getMessage(), e);
            }
        }

        @Override
        public void close() {
            git.close();
        }
    }
}
