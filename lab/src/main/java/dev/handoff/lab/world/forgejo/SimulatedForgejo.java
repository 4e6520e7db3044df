package dev.handoff.lab.world.forgejo;

import dev.handoff.lab.forge.LabRepository;
import dev.handoff.lab.world.nixos.NixosNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.List;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.CommitBuilder;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.lib.TreeFormatter;
import org.jboss.logging.Logger;

/**
 * The Forgejo of the lab's control host ({@code forgejo-pi}): after each successful activation of a configuration that
 * enables {@code services.forgejo}, the state a running Forgejo keeps under {@code /var/lib/forgejo} is written into
 * the node's sandbox where it is absent — bare repositories, the database dump of {@code services.forgejo.dump}, the
 * generated {@code custom/conf/app.ini} with its secret files, and an LFS object. Those are the paths of the
 * {@code control-plane} recovery contract, which the restic world's backup job saves (registered after this).
 * Existing files are never rewritten, so a restore rehearsal compares them with the live host like on a real one.
 */
public final class SimulatedForgejo {
    private static final Logger LOG = Logger.getLogger(SimulatedForgejo.class);

    /** The NixOS service ({@code services.forgejo.enable}) that makes a node run Forgejo. */
    public static final String SERVICE = "forgejo";

    /** {@code services.forgejo.stateDir}. */
    public static final String STATE_DIR = "/var/lib/forgejo";

    /** Where Forgejo keeps the bare repositories ({@code <owner>/<name>.git}). */
    public static final String REPOSITORIES = STATE_DIR + "/repositories";

    /** {@code services.forgejo.dump.backupDir}. */
    public static final String DUMP_DIR = STATE_DIR + "/dump";

    /** The database dump in it. */
    public static final String DATABASE_DUMP = DUMP_DIR + "/forgejo-db.sql";

    /** The configuration NixOS generates ({@code <customDir>/conf/app.ini}). */
    public static final String APP_INI = STATE_DIR + "/custom/conf/app.ini";

    /** Forgejo's LFS content store ({@code [lfs] PATH}). */
    public static final String LFS = STATE_DIR + "/data/lfs";

    /** The lab's repositories, as Forgejo hosts them. */
    public static final List<String> REPOSITORY_NAMES =
            LabRepository.ALL.stream().map(LabRepository::fullName).toList();

    private SimulatedForgejo() {}

    /** Writes the Forgejo state after each activation of {@code node} that runs Forgejo. */
    public static void attach(NixosNode node) {
        node.addActivationListener((n, generation) -> {
            if (n.runs(SERVICE) && writeState(n)) {
                LOG.infof("simulated Forgejo on %s: state written under %s", n.hostName(), STATE_DIR);
            }
        });
    }

    /** The bare repository folder of {@code fullName} ({@code owner/name}). */
    public static String repository(String fullName) {
        return REPOSITORIES + "/" + fullName + ".git";
    }

    /**
     * Writes what is absent of Forgejo's state into {@code node}'s sandbox.
     *
     * @return whether anything was written
     */
    public static synchronized boolean writeState(NixosNode node) throws IOException {
        boolean written = false;
        for (String name : REPOSITORY_NAMES) {
            written |= bareRepository(node.file(repository(name)), name);
        }
        written |= writeIfAbsent(node.file(DATABASE_DUMP), databaseDump(), false);
        String domain = node.hostName() + ".tailnet.ts.net";
        written |= writeIfAbsent(node.file(APP_INI), appIni(domain), false);
        written |= writeIfAbsent(node.file(STATE_DIR + "/custom/conf/secret_key"), randomHex(32), true);
        written |= writeIfAbsent(node.file(STATE_DIR + "/custom/conf/internal_token"), randomHex(48), true);
        written |= writeIfAbsent(node.file(STATE_DIR + "/custom/conf/lfs_jwt_secret"), randomHex(32), true);
        byte[] object = ("version https://git-lfs.github.com/spec/v1 stands for a binary the lab keeps in LFS: the"
                        + " Raspberry Pi's firmware image of " + node.hostName() + "\n")
                .getBytes(StandardCharsets.UTF_8);
        String oid = sha256(object);
        written |= writeIfAbsent(
                node.file(LFS + "/" + oid.substring(0, 2) + "/" + oid.substring(2, 4) + "/" + oid.substring(4)),
                object,
                false);
        return written;
    }

    /** A bare repository with one commit on {@code main} (its README), as Forgejo stores it; nothing if present. */
    private static boolean bareRepository(Path dir, String fullName) throws IOException {
        if (Files.isRegularFile(dir.resolve("HEAD"))) {
            return false;
        }
        try (Git git = Git.init()
                        .setBare(true)
                        .setDirectory(dir.toFile())
                        .setInitialBranch("main")
                        .call();
                ObjectInserter inserter = git.getRepository().newObjectInserter()) {
            Repository repository = git.getRepository();
            ObjectId readme = inserter.insert(
                    Constants.OBJ_BLOB,
                    ("# " + fullName + "\n\nHosted by the lab's Forgejo on forgejo-pi.\n")
                            .getBytes(StandardCharsets.UTF_8));
            TreeFormatter tree = new TreeFormatter();
            tree.append("README.md", FileMode.REGULAR_FILE, readme);
            PersonIdent forgejo =
                    new PersonIdent("Forgejo Admin", "admin@forgejo-pi.tailnet.ts.net", Instant.now(), ZoneOffset.UTC);
            CommitBuilder commit = new CommitBuilder();
            commit.setTreeId(inserter.insert(tree));
            commit.setAuthor(forgejo);
            commit.setCommitter(forgejo);
            commit.setMessage("Initial commit\n");
            ObjectId id = inserter.insert(commit);
            inserter.flush();
            RefUpdate main = repository.updateRef("refs/heads/main");
            main.setNewObjectId(id);
            RefUpdate.Result result = main.update();
            if (result != RefUpdate.Result.NEW && result != RefUpdate.Result.FORCED) {
                throw new IOException("cannot create refs/heads/main of " + dir + ": " + result);
            }
            return true;
        } catch (GitAPIException e) {
            throw new IOException("cannot create the bare repository " + dir + ": " + e.getMessage(), e);
        }
    }

    private static String databaseDump() {
        StringBuilder sql = new StringBuilder();
        sql.append("--\n-- PostgreSQL database dump\n--\n\n")
                .append("-- Dumped from database version 15.10\n-- Dumped by pg_dump version 15.10\n\n")
                .append("SET statement_timeout = 0;\nSET client_encoding = 'UTF8';\n")
                .append("SET standard_conforming_strings = on;\n\n")
                .append(
                        "CREATE TABLE public.\"user\" (\n    id bigint NOT NULL,\n    lower_name character varying(255)")
                .append(" NOT NULL,\n    name character varying(255) NOT NULL,\n    is_admin boolean\n);\n\n")
                .append("CREATE TABLE public.repository (\n    id bigint NOT NULL,\n    owner_name character")
                .append(" varying(255),\n    lower_name character varying(255) NOT NULL,\n    name character")
                .append(" varying(255) NOT NULL,\n    default_branch character varying(255)\n);\n\n")
                .append("COPY public.\"user\" (id, lower_name, name, is_admin) FROM stdin;\n")
                .append("1\tadmin\tadmin\tt\n2\tops\tops\tf\n\\.\n\n")
                .append("COPY public.repository (id, owner_name, lower_name, name, default_branch) FROM stdin;\n");
        int id = 1;
        for (String name : REPOSITORY_NAMES) {
            String[] parts = name.split("/", 2);
            sql.append(id++)
                    .append('\t')
                    .append(parts[0])
                    .append('\t')
                    .append(parts[1])
                    .append('\t')
                    .append(parts[1])
                    .append("\tmain\n");
        }
        sql.append("\\.\n\n--\n-- PostgreSQL database dump complete\n--\n");
        return sql.toString();
    }

    private static String appIni(String domain) {
        return """
                APP_NAME = forgejo: Beyond coding. We forge.
                RUN_MODE = prod
                RUN_USER = forgejo
                WORK_PATH = %1$s

                [database]
                DB_TYPE = postgres
                HOST = /run/postgresql
                NAME = forgejo
                USER = forgejo

                [repository]
                ROOT = %2$s

                [server]
                DOMAIN = %3$s
                ROOT_URL = https://%3$s/
                HTTP_PORT = 3000
                SSH_PORT = 22
                LFS_START_SERVER = true
                LFS_JWT_SECRET_URI = file:%1$s/custom/conf/lfs_jwt_secret

                [lfs]
                PATH = %4$s

                [service]
                DISABLE_REGISTRATION = true

                [webhook]
                ALLOWED_HOST_LIST = loopback,private,*.tailnet.ts.net

                [session]
                COOKIE_SECURE = true

                [security]
                INSTALL_LOCK = true
                SECRET_KEY_URI = file:%1$s/custom/conf/secret_key
                INTERNAL_TOKEN_URI = file:%1$s/custom/conf/internal_token
                """.formatted(STATE_DIR, REPOSITORIES, domain, LFS);
    }

    private static boolean writeIfAbsent(Path file, String content, boolean secret) throws IOException {
        return writeIfAbsent(file, content.getBytes(StandardCharsets.UTF_8), secret);
    }

    private static boolean writeIfAbsent(Path file, byte[] content, boolean secret) throws IOException {
        if (Files.exists(file)) {
            return false;
        }
        Files.createDirectories(file.getParent());
        Path temporary = file.resolveSibling("." + file.getFileName() + ".tmp");
        Files.deleteIfExists(temporary);
        if (secret) {
            Files.createFile(
                    temporary, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        }
        Files.write(temporary, content);
        Files.move(temporary, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        return true;
    }

    private static String randomHex(int bytes) {
        byte[] random = new byte[bytes];
        new SecureRandom().nextBytes(random);
        return HexFormat.of().formatHex(random) + "\n";
    }

    private static String sha256(byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
