package dev.handoff.converge.driver;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.eclipse.jgit.api.Git;

/** Git repositories the driver tests make: a commit of some files, in a new or an existing repository. */
final class TestRepositories {
    private TestRepositories() {}

    /** Writes {@code files} (path → content) into {@code repo}, made on first use, commits them; returns the commit. */
    static String commit(Path repo, Map<String, String> files, String message) throws Exception {
        try (Git git = Files.isDirectory(repo.resolve(".git"))
                ? Git.open(repo.toFile())
                : Git.init()
                        .setDirectory(repo.toFile())
                        .setInitialBranch("main")
                        .call()) {
            for (Map.Entry<String, String> file : files.entrySet()) {
                Path path = repo.resolve(file.getKey());
                Files.createDirectories(path.getParent());
                Files.writeString(path, file.getValue(), StandardCharsets.UTF_8);
            }
            git.add().addFilepattern(".").call();
            return git.commit()
                    .setMessage(message)
                    .setAuthor("test", "test@handoff.invalid")
                    .setCommitter("test", "test@handoff.invalid")
                    .setSign(false)
                    .call()
                    .getName();
        }
    }
}
