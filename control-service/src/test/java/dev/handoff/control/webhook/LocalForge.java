package dev.handoff.control.webhook;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.transport.RefSpec;

/**
 * Real bare Git repositories in a temporary folder, named by {@code file://} URLs in an inventory, and a working copy
 * of each that commits and pushes to branch {@code main} as a person would. The folder depends only on the process,
 * so the test profile (which writes the inventory) and the tests (which push) find the same repositories.
 */
final class LocalForge {
    static final Path ROOT = Path.of(
            System.getProperty("java.io.tmpdir"),
            "handoff-local-forge-" + ProcessHandle.current().pid());
    private static final PersonIdent ALICE = new PersonIdent("Alice", "alice@example.org");

    private LocalForge() {}

    /** The bare repository of {@code repository} ({@code owner/name}). */
    static Path bare(String repository) {
        return ROOT.resolve("forge").resolve(repository + ".git");
    }

    /** Its {@code file://} URL, as handoff.yaml names it. */
    static String url(String repository) {
        return bare(repository).toUri().toString();
    }

    /** The host that deploys {@code repository} alone in {@link #oneHostEach}, e.g. {@code rollback-infra-edge}. */
    static String host(String repository) {
        return repository.substring(repository.indexOf('/') + 1) + "-edge";
    }

    /**
     * Config overrides for an inventory of {@code repositories} (starting at infra, branch main), one edge host each
     * ({@link #host}); only {@code real} ones get a bare repository, the others cannot be reached. The stale-push check
     * is on and its cache in the forge's folder.
     */
    static java.util.Map<String, String> oneHostEach(List<String> real, List<String> repositories) {
        StringBuilder yaml = new StringBuilder("repositories:\n");
        for (String r : repositories) {
            yaml.append("  ").append(r).append(": { url: ").append(url(r)).append(", branch: main, starts: infra }\n");
        }
        yaml.append("hosts:\n");
        for (String r : repositories) {
            yaml.append("  ")
                    .append(host(r))
                    .append(":\n    role: edge\n    repositories: [")
                    .append(r)
                    .append("]\n");
        }
        return java.util.Map.of(
                "handoff.inventory",
                inventory(real, yaml.toString()).toString(),
                "handoff.webhook.freshness-check",
                "true",
                "handoff.webhook.repository-cache",
                ROOT.resolve("cache").toString());
    }

    /** Creates the bare repositories (an existing one is kept) and writes an inventory naming them and others. */
    static synchronized Path inventory(List<String> repositories, String text) {
        try {
            for (String repository : repositories) {
                if (!Files.isDirectory(bare(repository))) {
                    Git.init()
                            .setBare(true)
                            .setInitialBranch("main")
                            .setDirectory(bare(repository).toFile())
                            .call()
                            .close();
                }
            }
            Path file = ROOT.resolve("handoff.yaml");
            Files.createDirectories(ROOT);
            Files.writeString(file, text, StandardCharsets.UTF_8);
            return file;
        } catch (GitAPIException | IOException e) {
            throw new IllegalStateException("cannot create the local forge in " + ROOT + ": " + e, e);
        }
    }

    /** Commits in the working copy of {@code repository} without pushing; returns the commit id. */
    static synchronized String commit(String repository, String message) {
        Path work = ROOT.resolve("work").resolve(repository);
        try (Git git = Files.isDirectory(work.resolve(".git"))
                ? Git.open(work.toFile())
                : Git.init()
                        .setInitialBranch("main")
                        .setDirectory(work.toFile())
                        .call()) {
            Files.writeString(work.resolve("main.tf"), message + "\n", StandardCharsets.UTF_8);
            git.add().addFilepattern("main.tf").call();
            return git.commit()
                    .setMessage(message)
                    .setAuthor(ALICE)
                    .setCommitter(ALICE)
                    .call()
                    .name();
        } catch (GitAPIException e) {
            throw new IllegalStateException("cannot commit in " + work + ": " + e, e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Pushes the working copy's {@code main} to the forge. */
    static synchronized void push(String repository) {
        Path work = ROOT.resolve("work").resolve(repository);
        try (Git git = Git.open(work.toFile())) {
            git.push()
                    .setRemote(url(repository))
                    .setRefSpecs(new RefSpec("refs/heads/main:refs/heads/main"))
                    .call();
        } catch (GitAPIException | IOException e) {
            throw new IllegalStateException("cannot push " + work + " to " + url(repository) + ": " + e, e);
        }
    }
}
