package dev.handoff.control.webhook;

import dev.handoff.common.event.v1.CommitStale;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.errors.IncorrectObjectTypeException;
import org.eclipse.jgit.errors.MissingObjectException;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.transport.RefSpec;

/**
 * Reads a deployed branch's history from the repository URL of handoff.yaml with JGit: its head by
 * {@code ls-remote}, and its commits by fetching the branch into a bare repository of a local cache folder (one per
 * repository name, kept between deliveries so a fetch brings only new commits).
 */
public final class BranchHistory {
    private final Path cache;
    private final int timeoutSeconds;
    private final Map<String, Object> fetchLocks = new ConcurrentHashMap<>();

    public BranchHistory(Path cache, Duration timeout) {
        this.cache = cache.toAbsolutePath().normalize();
        this.timeoutSeconds = (int) Math.max(1, timeout.toSeconds());
    }

    /** The commit {@code branch} points at in the repository at {@code url}. */
    public String head(String url, String branch) throws RepositoryUnreachableException {
        Collection<Ref> refs;
        try {
            refs = Git.lsRemoteRepository()
                    .setRemote(url)
                    .setHeads(true)
                    .setTimeout(timeoutSeconds)
                    .call();
        } catch (GitAPIException | RuntimeException e) {
            throw new RepositoryUnreachableException("cannot read the branches of " + url + ": " + e.getMessage(), e);
        }
        return refs.stream()
                .filter(r -> r.getName().equals(Constants.R_HEADS + branch))
                .findFirst()
                .map(r -> r.getObjectId().name())
                .orElseThrow(() -> new RepositoryUnreachableException(
                        "branch " + branch + " of handoff.yaml does not exist in " + url, null));
    }

    /**
     * Fetches {@code branch} of {@code url} into the cache's bare repository for {@code name} once and answers, for each
     * of {@code lastDeployed}, whether {@code after} is in the branch's history at or below its head and descends from
     * (or is) that commit.
     *
     * @return each of {@code lastDeployed} → the stale reason ({@code not-a-descendant} or {@code unknown-commit}); a
     *     commit {@code after} descends from is not in the map
     */
    public Map<String, String> staleReasons(
            String name, String url, String branch, String after, Collection<String> lastDeployed)
            throws RepositoryUnreachableException {
        Path dir = repositoryDirectory(name);
        synchronized (fetchLocks.computeIfAbsent(name, n -> new Object())) {
            try {
                Files.createDirectories(dir.getParent());
                if (!Files.isDirectory(dir.resolve("objects"))) {
                    Git.init().setBare(true).setDirectory(dir.toFile()).call().close();
                }
                if (!dir.toRealPath().startsWith(cache.toRealPath())) {
                    throw new RepositoryUnreachableException(
                            "the cache of " + name + " resolves outside " + cache + "; remove " + dir, null);
                }
                try (Repository repository = new FileRepositoryBuilder()
                                .setGitDir(dir.toFile())
                                .build();
                        Git git = new Git(repository)) {
                    String local = Constants.R_HEADS + branch;
                    git.fetch()
                            .setRemote(url)
                            .setRefSpecs(new RefSpec("+" + local + ":" + local))
                            .setTimeout(timeoutSeconds)
                            .call();
                    ObjectId head = repository.resolve(local);
                    Map<String, String> reasons = new HashMap<>();
                    for (String last : lastDeployed) {
                        String reason = judge(repository, head, after, last);
                        if (reason != null) {
                            reasons.put(last, reason);
                        }
                    }
                    return reasons;
                }
            } catch (GitAPIException | IOException | RuntimeException e) {
                throw new RepositoryUnreachableException(
                        "cannot fetch branch " + branch + " of " + url + " into " + dir + ": " + e.getMessage(), e);
            }
        }
    }

    private static String judge(Repository repository, ObjectId head, String after, String lastDeployed)
            throws IOException {
        try (RevWalk walk = new RevWalk(repository)) {
            RevCommit afterCommit = commit(walk, after);
            RevCommit headCommit = head == null ? null : commit(walk, head.name());
            if (afterCommit == null || headCommit == null || !walk.isMergedInto(afterCommit, headCommit)) {
                return CommitStale.UNKNOWN_COMMIT;
            }
            RevCommit lastCommit = commit(walk, lastDeployed);
            if (lastCommit == null || !walk.isMergedInto(lastCommit, afterCommit)) {
                return CommitStale.NOT_A_DESCENDANT;
            }
            return null;
        }
    }

    private static RevCommit commit(RevWalk walk, String sha) throws IOException {
        ObjectId id;
        try {
            id = ObjectId.fromString(sha);
        } catch (IllegalArgumentException e) {
            return null;
        }
        try {
            return walk.parseCommit(id);
        } catch (MissingObjectException | IncorrectObjectTypeException e) {
            return null;
        }
    }

    /** The bare repository of {@code name} ({@code owner/name}) inside the cache folder. */
    Path repositoryDirectory(String name) throws RepositoryUnreachableException {
        int slash = name.indexOf('/');
        String owner = slash < 0 ? "" : name.substring(0, slash);
        String repo = name.substring(slash + 1);
        Path dir = cache.resolve(owner).resolve(repo + ".git").normalize();
        if (owner.isEmpty()
                || owner.equals(".")
                || owner.equals("..")
                || repo.isEmpty()
                || repo.contains("/")
                || !dir.startsWith(cache)
                || dir.getParent().equals(cache)) {
            throw new RepositoryUnreachableException(
                    "repository name '" + name + "' does not make a folder inside " + cache, null);
        }
        return dir;
    }
}
