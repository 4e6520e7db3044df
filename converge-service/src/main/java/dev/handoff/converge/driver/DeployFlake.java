package dev.handoff.converge.driver;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.Map;
import java.util.TimeZone;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.revwalk.RevCommit;

/**
 * What Nix builds for one convergence, made so that Nix sees exactly what was verified. A flake evaluated as
 * {@code git+file} sees tracked files only, and a dirty tree has no {@code self.rev}; so converge-service never writes
 * into the runtime checkout. Instead it makes, under one run folder:
 *
 * <ul>
 *   <li>{@code runtime/}: the runtime repository at the pushed commit (clean, so {@code self.rev} is that commit);
 *   <li>{@code secrets/}: the secrets repository at the commit the secrets stage verified for the host;
 *   <li>{@code facts/}: a small Git repository Handoff commits, holding {@code hosts/<host>/handoff.json} (cloud facts,
 *       access phase, secret facts without values) and a {@code flake.nix} with no outputs;
 *   <li>{@code deploy/}: the flake the activator runs, a Git repository whose {@code flake.nix} pins the three as
 *       {@code git+file} inputs by revision and points the runtime flake's {@code handoff-facts} and {@code secrets}
 *       inputs at them ({@code inputs.runtime.inputs.<name>.follows}, what {@code --override-input runtime/<name>}
 *       does on the command line), and passes the runtime flake's outputs through.
 * </ul>
 *
 * The runtime flake declares the two inputs (any default URL; Handoff overrides them) and reads
 * {@code "${handoff-facts}/hosts/<host>/handoff.json"} and {@code "${secrets}/hosts/<host>.yaml"}. Facts commits are
 * made with a fixed author and time, so the same facts give the same revision.
 */
public final class DeployFlake {
    /** The runtime flake's input Handoff points at the facts repository. */
    public static final String FACTS_INPUT = "handoff-facts";

    /** The runtime flake's input Handoff points at the verified secrets commit. */
    public static final String SECRETS_INPUT = "secrets";

    private static final PersonIdent HANDOFF = new PersonIdent(
            "Handoff converge-service",
            "converge@handoff.invalid",
            Instant.EPOCH.atZone(ZoneOffset.UTC).toInstant(),
            TimeZone.getTimeZone("UTC").toZoneId());

    private DeployFlake() {}

    /**
     * The prepared run folder.
     *
     * @param dir the run folder holding {@code runtime/}, {@code secrets/}, {@code facts/} and {@code deploy/}
     * @param runtimeCommit the runtime commit pinned
     * @param secretsCommit the secrets commit pinned
     * @param factsRevision the facts repository's commit
     * @param factsSha256 SHA-256 of the host's facts file
     * @param deployRevision the deploy flake's commit
     * @param hosts the hosts whose facts are in the facts repository (those one evaluation covers)
     */
    public record Prepared(
            Path dir,
            String runtimeCommit,
            String secretsCommit,
            String factsRevision,
            String factsSha256,
            String deployRevision,
            java.util.Set<String> hosts) {

        /** The deploy flake's folder. */
        public Path deploy() {
            return dir.resolve("deploy");
        }
    }

    /**
     * Writes the facts repository and the deploy flake into {@code dir}, whose {@code runtime/} and {@code secrets/}
     * are already checked out at {@code runtimeCommit} and {@code secretsCommit}.
     *
     * @param seenAt the absolute path at which the activator will see {@code dir} (the same folder when it runs here;
     *     the upload folder on a build host)
     * @param facts host name → its facts file content ({@code hosts/<host>/handoff.json})
     * @param host the host being converged (its facts must be among {@code facts})
     */
    public static Prepared prepare(
            Path dir, String seenAt, String runtimeCommit, String secretsCommit, Map<String, byte[]> facts, String host)
            throws IOException {
        if (!facts.containsKey(host)) {
            throw new IllegalArgumentException("no facts for " + host);
        }
        Path factsDir = dir.resolve("facts");
        Files.createDirectories(factsDir);
        Files.writeString(
                factsDir.resolve("flake.nix"),
                "# Written by Handoff's converge-service: the facts it verified, read by the runtime flake\n"
                        + "# as \"${" + FACTS_INPUT + "}/hosts/<host>/handoff.json\". No outputs.\n"
                        + "{\n  description = \"Handoff facts\";\n  outputs = _: { };\n}\n",
                StandardCharsets.UTF_8);
        for (Map.Entry<String, byte[]> entry : facts.entrySet()) {
            Path file = factsDir.resolve("hosts").resolve(entry.getKey()).resolve("handoff.json");
            Files.createDirectories(file.getParent());
            Files.write(file, entry.getValue());
        }
        String factsRevision = commitAll(factsDir, "Handoff facts");
        String base = seenAt.endsWith("/") ? seenAt.substring(0, seenAt.length() - 1) : seenAt;
        Path deployDir = dir.resolve("deploy");
        Files.createDirectories(deployDir);
        Files.writeString(
                deployDir.resolve("flake.nix"),
                deployFlake(base, runtimeCommit, secretsCommit, factsRevision),
                StandardCharsets.UTF_8);
        String deployRevision = commitAll(deployDir, "Handoff deploy flake");
        return new Prepared(
                dir,
                runtimeCommit,
                secretsCommit,
                factsRevision,
                sha256(facts.get(host)),
                deployRevision,
                java.util.Set.copyOf(facts.keySet()));
    }

    /** The deploy flake's text: the three inputs pinned by revision, the runtime's two inputs pointed at them. */
    static String deployFlake(String base, String runtimeCommit, String secretsCommit, String factsRevision) {
        return "# Written by Handoff's converge-service for one convergence: the runtime flake at the pushed commit,\n"
                + "# with its " + FACTS_INPUT + " and " + SECRETS_INPUT
                + " inputs pinned to what Handoff verified (docs/converge-service.md).\n"
                + "{\n"
                + "  description = \"Handoff deploy flake\";\n"
                + "  inputs = {\n"
                + "    runtime.url = \"" + gitUrl(base + "/runtime", runtimeCommit) + "\";\n"
                + "    " + FACTS_INPUT + ".url = \"" + gitUrl(base + "/facts", factsRevision) + "\";\n"
                + "    " + SECRETS_INPUT + " = { url = \"" + gitUrl(base + "/secrets", secretsCommit)
                + "\"; flake = false; };\n"
                + "    runtime.inputs." + FACTS_INPUT + ".follows = \"" + FACTS_INPUT + "\";\n"
                + "    runtime.inputs." + SECRETS_INPUT + ".follows = \"" + SECRETS_INPUT + "\";\n"
                + "  };\n"
                + "  outputs = { runtime, ... }: runtime.outputs;\n"
                + "}\n";
    }

    private static String gitUrl(String path, String rev) {
        if (!path.startsWith("/") || path.contains("\"") || path.contains("$") || path.contains("?")) {
            throw new IllegalArgumentException("not a plain absolute path for a flake input: " + path);
        }
        return "git+file://" + path + "?rev=" + rev;
    }

    /** Commits everything in {@code dir} as the root commit of a new repository: same files, same revision. */
    private static String commitAll(Path dir, String message) throws IOException {
        if (Files.exists(dir.resolve(".git"))) {
            throw new IllegalStateException(dir + " already is a Git repository; a run folder is prepared once");
        }
        try (Git git =
                Git.init().setDirectory(dir.toFile()).setInitialBranch("main").call()) {
            git.add().addFilepattern(".").call();
            RevCommit commit = git.commit()
                    .setMessage(message)
                    .setAuthor(HANDOFF)
                    .setCommitter(HANDOFF)
                    .setSign(false)
                    .setAllowEmpty(true)
                    .call();
            return commit.getName();
        } catch (GitAPIException e) {
            throw new IOException("cannot commit " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Lower-case hex SHA-256. */
    public static String sha256(byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
