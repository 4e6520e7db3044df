package dev.handoff.lab.world.forgejo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.handoff.lab.world.nixos.LabSshIdentity;
import dev.handoff.lab.world.nixos.NixosNode;
import dev.handoff.lab.world.nixos.SimulatedNixosHost;
import dev.handoff.lab.world.nixos.StandInColmena;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The simulated Forgejo of {@code forgejo-pi}: activating the lab's {@code ops/infrastructure-nixos} configuration over
 * SSH with the stand-in colmena (as converge-service does) writes Forgejo's state at the control-plane contract's
 * paths, once; a configuration without Forgejo writes nothing.
 */
class SimulatedForgejoTest {
    private static final String CONFIGURATION = "lab/repos/infrastructure-nixos/hosts/forgejo-pi/configuration.nix";

    @TempDir
    Path dir;

    private LabSshIdentity runner;
    private SimulatedNixosHost host;
    private Path worktree;

    @BeforeEach
    void startTheForgejoHost() throws IOException {
        runner = LabSshIdentity.create(dir.resolve("runner").resolve("id_ecdsa"));
        NixosNode node = new NixosNode("forgejo-pi", dir.resolve("nodes").resolve("forgejo-pi"));
        host = SimulatedNixosHost.start(node, runner.publicKey(), 0, 0);
        SimulatedForgejo.attach(node);
        Files.createDirectories(node.file(NixosNode.SOPS_KEY).getParent());
        Files.writeString(node.file(NixosNode.SOPS_KEY), "# lab placeholder\n");
        worktree = dir.resolve("worktree");
        write("hosts/forgejo-pi/configuration.nix", resource(CONFIGURATION));
        write(".git/HEAD", "89abcdef0123456789abcdef0123456789abcdef\n");
    }

    @AfterEach
    void stopTheHost() {
        host.close();
    }

    @Test
    void activatingTheForgejoConfigurationWritesForgejosStateAtTheControlPlanePaths() throws Exception {
        // When
        activate();

        // Then: the node runs what the configuration enables, Forgejo among them
        NixosNode node = host.node();
        assertThat(node.enabledServices()).contains("forgejo", "postgresql", "caddy", "tailscale", "openssh");
        assertThat(node.runs(SimulatedForgejo.SERVICE)).isTrue();

        // And: every path of the control-plane contract holds Forgejo's files
        for (String path : List.of(
                "/var/lib/forgejo/repositories",
                "/var/lib/forgejo/dump",
                "/var/lib/forgejo/custom",
                "/var/lib/forgejo/data/lfs")) {
            assertThat(node.file(path)).isDirectory();
        }
        assertThat(Files.readString(node.file(SimulatedForgejo.DATABASE_DUMP)))
                .startsWith("--\n-- PostgreSQL database dump")
                .contains("COPY public.repository")
                .contains("infrastructure-nixos");
        assertThat(Files.readString(node.file(SimulatedForgejo.APP_INI)))
                .contains("DOMAIN = forgejo-pi.tailnet.ts.net")
                .contains("ROOT = /var/lib/forgejo/repositories")
                .contains("PATH = /var/lib/forgejo/data/lfs");
        Path secretKey = node.file("/var/lib/forgejo/custom/conf/secret_key");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(secretKey)))
                .isEqualTo("rw-------");

        // And: the repositories are real bare Git repositories with a commit on main
        for (String name : SimulatedForgejo.REPOSITORY_NAMES) {
            Path bare = node.file(SimulatedForgejo.repository(name));
            assertThat(bare.resolve("HEAD")).content().startsWith("ref: refs/heads/main");
            assertThat(bare.resolve("config")).content().contains("bare = true");
            try (Repository repository =
                            new FileRepositoryBuilder().setGitDir(bare.toFile()).build();
                    RevWalk walk = new RevWalk(repository)) {
                ObjectId main = repository.resolve("refs/heads/main");
                assertThat(main).as(name + " main").isNotNull();
                RevCommit commit = walk.parseCommit(main);
                try (TreeWalk tree = TreeWalk.forPath(repository, "README.md", commit.getTree())) {
                    assertThat(tree).as(name + " README.md").isNotNull();
                }
            }
        }

        // And: the LFS object is stored under its sha256, as Forgejo's content store lays it out
        List<Path> objects;
        try (Stream<Path> files = Files.walk(node.file(SimulatedForgejo.LFS))) {
            objects = files.filter(Files::isRegularFile).toList();
        }
        assertThat(objects).hasSize(1);
        Path object = objects.get(0);
        String oid =
                HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(object)));
        assertThat(node.file(SimulatedForgejo.LFS).relativize(object).toString())
                .isEqualTo(oid.substring(0, 2) + "/" + oid.substring(2, 4) + "/" + oid.substring(4));
    }

    @Test
    void aLaterActivationKeepsTheStateAsItIs() throws Exception {
        // Given
        activate();
        NixosNode node = host.node();
        String dump = Files.readString(node.file(SimulatedForgejo.DATABASE_DUMP));
        String secret = Files.readString(node.file("/var/lib/forgejo/custom/conf/secret_key"));
        String main = Files.readString(
                node.file(SimulatedForgejo.repository("ops/infrastructure-nixos") + "/refs/heads/main"));

        // When
        write(".git/HEAD", "fedcba9876543210fedcba9876543210fedcba98\n");
        activate();

        // Then
        assertThat(node.current().revision()).isEqualTo("fedcba9876543210fedcba9876543210fedcba98");
        assertThat(node.file(SimulatedForgejo.DATABASE_DUMP)).hasContent(dump);
        assertThat(node.file("/var/lib/forgejo/custom/conf/secret_key")).hasContent(secret);
        assertThat(node.file(SimulatedForgejo.repository("ops/infrastructure-nixos") + "/refs/heads/main"))
                .hasContent(main);
    }

    @Test
    void aConfigurationWithoutForgejoWritesNoForgejoState() throws Exception {
        // Given
        write(
                "hosts/forgejo-pi/configuration.nix",
                resource(CONFIGURATION)
                        .replace(
                                "services.forgejo = {\n    enable = true;",
                                "services.forgejo = {\n    enable = false;"));

        // When
        activate();

        // Then
        assertThat(host.node().runs(SimulatedForgejo.SERVICE)).isFalse();
        assertThat(host.node().enabledServices()).contains("caddy");
        assertThat(host.node().file(SimulatedForgejo.STATE_DIR)).doesNotExist();
    }

    private void activate() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = StandInColmena.applyTo(
                host, runner.privateKeyFile(), worktree, new PrintStream(out, true, StandardCharsets.UTF_8));
        assertThat(code).as(out.toString(StandardCharsets.UTF_8)).isZero();
    }

    private void write(String path, String content) throws IOException {
        Path file = worktree.resolve(path);
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = SimulatedForgejoTest.class.getClassLoader().getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
