package dev.handoff.lab.forge;

import dev.handoff.common.event.Stage;
import dev.handoff.lab.forge.PushedCommit.Person;
import dev.handoff.lab.world.secrets.LabSecrets;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.diff.DiffEntry;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.lib.RepositoryCache;
import org.eclipse.jgit.lib.StoredConfig;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.transport.PushResult;
import org.eclipse.jgit.transport.RefSpec;
import org.eclipse.jgit.transport.RemoteRefUpdate;
import org.eclipse.jgit.treewalk.CanonicalTreeParser;
import org.eclipse.jgit.treewalk.EmptyTreeIterator;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.eclipse.jgit.util.FS;
import org.jboss.logging.Logger;

/**
 * The lab's forge: one bare repository per {@link LabRepository} under {@code forge/<owner>/<name>.git}, and a
 * working copy of each under {@code work/<owner>/<name>} that a person edits and commits in with ordinary Git.
 * Repositories are created from their templates only when absent, so a person's commits survive every restart.
 */
public final class LabForge {
    /** The branch every lab repository starts with and {@code handoff.yaml} deploys from. */
    public static final String BRANCH = "main";

    private static final Logger LOG = Logger.getLogger(LabForge.class);
    private static final String REMOTE = "origin";

    private final Path forgeDir;
    private final Path workDir;

    /**
     * @param forgeDir the folder of the bare repositories
     * @param workDir the folder of the working copies
     */
    public LabForge(Path forgeDir, Path workDir) {
        this.forgeDir = forgeDir.toAbsolutePath().normalize();
        this.workDir = workDir.toAbsolutePath().normalize();
    }

    /** What {@link #ensure(LabRepository)} found and did. */
    public enum State {
        /** Neither existed: both made from the template. */
        CREATED,
        /** Both existed and were left as they are. */
        KEPT,
        /** The working copy existed, the bare repository did not: it was recreated from the working copy. */
        FORGE_RESTORED,
        /** The bare repository existed, the working copy did not: it was cloned again. */
        WORKING_COPY_RESTORED
    }

    /** The bare repository of {@code repository} ({@code forge/<owner>/<name>.git}). */
    public Path bareRepository(LabRepository repository) {
        return forgeDir.resolve(repository.owner()).resolve(repository.name() + ".git");
    }

    /** The working copy of {@code repository} ({@code work/<owner>/<name>}). */
    public Path workingCopy(LabRepository repository) {
        return workDir.resolve(repository.owner()).resolve(repository.name());
    }

    /** The {@code file://} clone URL of the bare repository, as {@code handoff.yaml} names it. */
    public String cloneUrl(LabRepository repository) {
        return fileUrl(bareRepository(repository));
    }

    /** The {@code file://} URL of the forge folder, without a trailing slash. */
    public String forgeUrl() {
        return fileUrl(forgeDir);
    }

    /** Makes what is missing of {@code repository}'s bare repository and working copy; keeps what exists. */
    public State ensure(LabRepository repository) {
        Path bare = bareRepository(repository);
        Path work = workingCopy(repository);
        boolean bareExists = RepositoryCache.FileKey.isGitRepository(bare.toFile(), FS.DETECTED);
        boolean workExists = Files.isDirectory(work.resolve(".git"));
        try {
            if (bareExists && workExists) {
                return State.KEPT;
            }
            if (!bareExists) {
                initBare(bare);
            }
            if (workExists) {
                try (Git git = Git.open(work.toFile())) {
                    pushBranch(git, repository, currentBranch(git.getRepository()));
                }
                LOG.infof("Forge: recreated %s from its working copy %s", bare, work);
                return State.FORGE_RESTORED;
            }
            if (bareExists && hasBranch(bare)) {
                cloneWorkingCopy(repository, bare, work);
                LOG.infof("Forge: cloned the working copy %s again from %s", work, bare);
                return State.WORKING_COPY_RESTORED;
            }
            createFromTemplate(repository, work);
            LOG.infof("Forge: created %s and its working copy %s", bare, work);
            return State.CREATED;
        } catch (GitAPIException | IOException e) {
            throw new IllegalStateException(
                    "Forge: cannot create repository " + repository.fullName() + " (" + bare + ", " + work + "): "
                            + e.getMessage(),
                    e);
        }
    }

    /**
     * Stages every change of the working copy (new, changed and deleted files), commits it (an empty commit if
     * nothing changed) and pushes the current branch to the bare repository.
     *
     * @param message the commit message
     * @return what the push changed on the forge
     * @throws IllegalStateException if the working copy is missing or the forge refuses the push
     */
    public ForgePush commitAndPush(LabRepository repository, String message) {
        Path work = workingCopy(repository);
        if (!Files.isDirectory(work.resolve(".git"))) {
            throw new IllegalStateException("No working copy of " + repository.fullName() + " at " + work
                    + ": start the lab once with ./handoff up, which creates it");
        }
        try (Git git = Git.open(work.toFile())) {
            Repository repo = git.getRepository();
            String branch = currentBranch(repo);
            git.add().addFilepattern(".").call();
            git.add().setUpdate(true).addFilepattern(".").call();
            PersonIdent who = identity(repo);
            git.commit()
                    .setMessage(message)
                    .setAllowEmpty(true)
                    .setAuthor(who)
                    .setCommitter(who)
                    .setSign(false)
                    .call();
            ObjectId before = forgeHead(repository, branch);
            pushBranch(git, repository, branch);
            ObjectId after = repo.resolve(Constants.R_HEADS + branch);
            List<PushedCommit> commits = commitsBetween(repo, before, after);
            LOG.infof(
                    "Forge: pushed %s %s..%s (%d commits)",
                    repository.fullName(), name(before), name(after), commits.size());
            return new ForgePush(
                    repository, cloneUrl(repository), Constants.R_HEADS + branch, name(before), after.name(), commits);
        } catch (GitAPIException | IOException e) {
            throw new IllegalStateException(
                    "Forge: cannot commit and push " + repository.fullName() + " from " + work + ": " + e.getMessage(),
                    e);
        }
    }

    private void initBare(Path bare) throws GitAPIException, IOException {
        Files.createDirectories(bare);
        Git.init()
                .setBare(true)
                .setDirectory(bare.toFile())
                .setInitialBranch(BRANCH)
                .call()
                .close();
    }

    private static boolean hasBranch(Path bare) throws IOException {
        try (Git git = Git.open(bare.toFile())) {
            return !git.getRepository()
                    .getRefDatabase()
                    .getRefsByPrefix(Constants.R_HEADS)
                    .isEmpty();
        }
    }

    private void cloneWorkingCopy(LabRepository repository, Path bare, Path work) throws GitAPIException {
        Git.cloneRepository()
                .setURI(bare.toUri().toString())
                .setDirectory(work.toFile())
                .setRemote(REMOTE)
                .setBranch(BRANCH)
                .call()
                .close();
    }

    private void createFromTemplate(LabRepository repository, Path work) throws GitAPIException, IOException {
        Files.createDirectories(work);
        try (Git git =
                Git.init().setDirectory(work.toFile()).setInitialBranch(BRANCH).call()) {
            List<String> files = new ArrayList<>(RepositoryTemplates.copy(repository.template(), work));
            if (repository.starts() == Stage.SECRETS) {
                files.addAll(LabSecrets.encryptHostFiles(work, Clock.systemUTC()));
            }
            git.add().addFilepattern(".").call();
            PersonIdent lab = new PersonIdent("Handoff Lab", "lab@handoff.localhost");
            git.commit()
                    .setMessage("Initial lab content of " + repository.fullName() + "\n\nFrom the template "
                            + repository.template() + " (" + files.size() + " files).")
                    .setAuthor(lab)
                    .setCommitter(lab)
                    .setSign(false)
                    .call();
            StoredConfig config = git.getRepository().getConfig();
            config.setString(
                    "remote", REMOTE, "url", bareRepository(repository).toUri().toString());
            config.setString("remote", REMOTE, "fetch", "+refs/heads/*:refs/remotes/" + REMOTE + "/*");
            config.setString("branch", BRANCH, "remote", REMOTE);
            config.setString("branch", BRANCH, "merge", Constants.R_HEADS + BRANCH);
            config.save();
            pushBranch(git, repository, BRANCH);
        }
    }

    private void pushBranch(Git git, LabRepository repository, String branch) throws GitAPIException, IOException {
        String ref = Constants.R_HEADS + branch;
        Iterable<PushResult> results = git.push()
                .setRemote(bareRepository(repository).toUri().toString())
                .setRefSpecs(new RefSpec(ref + ":" + ref))
                .call();
        for (PushResult result : results) {
            for (RemoteRefUpdate update : result.getRemoteUpdates()) {
                switch (update.getStatus()) {
                    case OK, UP_TO_DATE -> {}
                    case REJECTED_NONFASTFORWARD ->
                        throw new IllegalStateException(
                                "The forge refused the push of " + branch + " to " + repository.fullName()
                                        + ": it has commits the working copy lacks. Run git pull in "
                                        + workingCopy(repository) + ", then push again.");
                    default ->
                        throw new IllegalStateException("The forge refused the push of " + branch + " to "
                                + repository.fullName() + ": " + update.getStatus()
                                + (update.getMessage() == null ? "" : " (" + update.getMessage() + ")"));
                }
            }
        }
        // Keep the working copy's view of the forge current, as "git push" to a remote would.
        RefUpdate tracking =
                git.getRepository().getRefDatabase().newUpdate(Constants.R_REMOTES + REMOTE + "/" + branch, false);
        tracking.setNewObjectId(git.getRepository().resolve(ref));
        tracking.forceUpdate();
    }

    private ObjectId forgeHead(LabRepository repository, String branch) throws IOException {
        try (Git bare = Git.open(bareRepository(repository).toFile())) {
            Ref ref = bare.getRepository().exactRef(Constants.R_HEADS + branch);
            return ref == null ? ObjectId.zeroId() : ref.getObjectId();
        }
    }

    private static String currentBranch(Repository repo) throws IOException {
        String full = repo.getFullBranch();
        if (full == null || !full.startsWith(Constants.R_HEADS)) {
            throw new IllegalStateException("The working copy " + repo.getWorkTree()
                    + " is not on a branch (detached HEAD): check out " + BRANCH + " first");
        }
        return full.substring(Constants.R_HEADS.length());
    }

    private static PersonIdent identity(Repository repo) {
        StoredConfig config = repo.getConfig();
        String name = config.getString("user", null, "name");
        String email = config.getString("user", null, "email");
        return new PersonIdent(
                name == null || name.isBlank() ? "Handoff Lab" : name,
                email == null || email.isBlank() ? "lab@handoff.localhost" : email);
    }

    private static List<PushedCommit> commitsBetween(Repository repo, ObjectId before, ObjectId after)
            throws IOException {
        List<PushedCommit> commits = new ArrayList<>();
        try (RevWalk walk = new RevWalk(repo)) {
            walk.markStart(walk.parseCommit(after));
            if (!before.equals(ObjectId.zeroId()) && repo.getObjectDatabase().has(before)) {
                walk.markUninteresting(walk.parseCommit(before));
            }
            for (RevCommit commit : walk) {
                commits.add(describe(repo, walk, commit));
            }
        }
        return commits;
    }

    private static PushedCommit describe(Repository repo, RevWalk walk, RevCommit commit) throws IOException {
        List<String> added = new ArrayList<>();
        List<String> removed = new ArrayList<>();
        List<String> modified = new ArrayList<>();
        try (TreeWalk tw = new TreeWalk(repo)) {
            tw.setRecursive(true);
            if (commit.getParentCount() > 0) {
                RevCommit parent = walk.parseCommit(commit.getParent(0));
                CanonicalTreeParser parentTree = new CanonicalTreeParser();
                parentTree.reset(tw.getObjectReader(), parent.getTree());
                tw.addTree(parentTree);
            } else {
                tw.addTree(new EmptyTreeIterator());
            }
            tw.addTree(commit.getTree());
            for (DiffEntry entry : DiffEntry.scan(tw)) {
                switch (entry.getChangeType()) {
                    case ADD, COPY -> added.add(entry.getNewPath());
                    case DELETE -> removed.add(entry.getOldPath());
                    case MODIFY -> modified.add(entry.getNewPath());
                    case RENAME -> {
                        removed.add(entry.getOldPath());
                        added.add(entry.getNewPath());
                    }
                }
            }
        }
        PersonIdent author = commit.getAuthorIdent();
        PersonIdent committer = commit.getCommitterIdent();
        return new PushedCommit(
                commit.name(),
                commit.getFullMessage(),
                new Person(author.getName(), author.getEmailAddress()),
                new Person(committer.getName(), committer.getEmailAddress()),
                OffsetDateTime.ofInstant(author.getWhenAsInstant(), author.getZoneId()),
                List.copyOf(added),
                List.copyOf(removed),
                List.copyOf(modified));
    }

    private static String name(ObjectId id) {
        return id == null ? ForgePush.ZERO_ID : id.name();
    }

    private static String fileUrl(Path path) {
        String url = path.toAbsolutePath().normalize().toUri().toString();
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }
}
