package dev.handoff.lab.forge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LabForgeTest {
    private static final LabRepository INFRA =
            LabRepository.byFullName("ops/edge-cluster-infra").orElseThrow();

    @TempDir
    Path home;

    private LabForge forge;

    @BeforeEach
    void setUp() {
        forge = new LabForge(home.resolve("forge"), home.resolve("work"));
    }

    @Test
    void everyLabRepositoryIsCreatedFromItsTemplateInTheForgeAndAsAWorkingCopy() throws Exception {
        // When
        List<LabForge.State> states =
                LabRepository.ALL.stream().map(forge::ensure).toList();

        // Then
        assertThat(states).containsOnly(LabForge.State.CREATED);
        for (LabRepository repository : LabRepository.ALL) {
            assertThat(forge.bareRepository(repository))
                    .isEqualTo(home.resolve("forge/ops/" + repository.name() + ".git"));
            assertThat(forge.workingCopy(repository)).isEqualTo(home.resolve("work/ops/" + repository.name()));
            assertThat(filesOnForgeMain(repository)).isEqualTo(filesInWorkingCopy(repository));
            try (Git work = Git.open(forge.workingCopy(repository).toFile())) {
                assertThat(work.getRepository().getBranch()).isEqualTo("main");
                assertThat(work.status().call().isClean()).isTrue();
                assertThat(work.getRepository().getConfig().getString("remote", "origin", "url"))
                        .isEqualTo(forge.bareRepository(repository).toUri().toString());
            }
        }
        assertThat(filesOnForgeMain(INFRA)).contains("README.md", "stacks/network/main.tf", "stacks/compute/main.tf");
        assertThat(filesOnForgeMain(
                        LabRepository.byFullName("ops/infrastructure-secrets").orElseThrow()))
                .contains(".sops.yaml", "README.md");
        assertThat(filesOnForgeMain(
                        LabRepository.byFullName("ops/nix-k3s-edge-cluster").orElseThrow()))
                .contains("flake.nix", "hosts/cloud-edge-1/configuration.nix", "manifests/rustdesk.yaml");
        assertThat(filesOnForgeMain(
                        LabRepository.byFullName("ops/infrastructure-nixos").orElseThrow()))
                .contains("flake.nix", "hosts/forgejo-pi/configuration.nix");
        assertThat(Files.readString(forge.workingCopy(INFRA).resolve("stacks/compute/main.tf")))
                .contains("oci_core_instance", "oci_core_volume", "output \"public_ip\"", "output \"volume_id\"");
    }

    @Test
    void secondStartKeepsBothCopiesAndThePersonsCommits() throws Exception {
        // Given a person committed by hand in the working copy
        forge.ensure(INFRA);
        Path readme = forge.workingCopy(INFRA).resolve("README.md");
        Files.writeString(readme, "# edited by hand\n", StandardCharsets.UTF_8);
        ObjectId handCommit;
        try (Git work = Git.open(forge.workingCopy(INFRA).toFile())) {
            work.add().addFilepattern("README.md").call();
            PersonIdent me = new PersonIdent("Ada", "ada@example.org");
            handCommit = work.commit()
                    .setMessage("Edit by hand")
                    .setAuthor(me)
                    .setCommitter(me)
                    .setSign(false)
                    .call();
        }

        // When
        LabForge.State state = forge.ensure(INFRA);

        // Then
        assertThat(state).isEqualTo(LabForge.State.KEPT);
        try (Git work = Git.open(forge.workingCopy(INFRA).toFile())) {
            assertThat(work.getRepository().resolve(Constants.HEAD)).isEqualTo(handCommit);
        }
        assertThat(Files.readString(readme)).isEqualTo("# edited by hand\n");
    }

    @Test
    void missingWorkingCopyIsClonedAgainFromTheForge() throws Exception {
        // Given
        forge.ensure(INFRA);
        ForgePush pushed = forge.commitAndPush(INFRA, "Before the working copy was lost");
        deleteTree(forge.workingCopy(INFRA));

        // When
        LabForge.State state = forge.ensure(INFRA);

        // Then
        assertThat(state).isEqualTo(LabForge.State.WORKING_COPY_RESTORED);
        try (Git work = Git.open(forge.workingCopy(INFRA).toFile())) {
            assertThat(work.getRepository().resolve(Constants.HEAD).name()).isEqualTo(pushed.after());
        }
    }

    @Test
    void pushStagesNewChangedAndDeletedFilesAndTheForgeHasTheCommit() throws Exception {
        // Given
        forge.ensure(INFRA);
        String before = forgeMain(INFRA).name();
        Path work = forge.workingCopy(INFRA);
        Files.writeString(work.resolve("stacks/compute/main.tf"), "# smaller instance\n", StandardCharsets.UTF_8);
        Files.createDirectories(work.resolve("stacks/dns"));
        Files.writeString(work.resolve("stacks/dns/main.tf"), "# dns zone\n", StandardCharsets.UTF_8);
        Files.delete(work.resolve("stacks/network/stack.tm.hcl"));

        // When
        ForgePush push = forge.commitAndPush(INFRA, "Resize cloud-edge-1\n\nAnd add a DNS stack.");

        // Then
        assertThat(push.ref()).isEqualTo("refs/heads/main");
        assertThat(push.before()).isEqualTo(before);
        assertThat(push.after()).isEqualTo(forgeMain(INFRA).name()).isNotEqualTo(before);
        assertThat(push.cloneUrl())
                .isEqualTo(forge.cloneUrl(INFRA))
                .startsWith("file:///")
                .endsWith(".git");
        assertThat(push.commits()).singleElement().satisfies(commit -> {
            assertThat(commit.id()).isEqualTo(push.after());
            assertThat(commit.message()).isEqualTo("Resize cloud-edge-1\n\nAnd add a DNS stack.");
            assertThat(commit.added()).containsExactly("stacks/dns/main.tf");
            assertThat(commit.modified()).containsExactly("stacks/compute/main.tf");
            assertThat(commit.removed()).containsExactly("stacks/network/stack.tm.hcl");
        });
        assertThat(filesOnForgeMain(INFRA))
                .contains("stacks/dns/main.tf")
                .doesNotContain("stacks/network/stack.tm.hcl");
        try (Git git = Git.open(work.toFile())) {
            assertThat(git.status().call().isClean()).isTrue();
        }
    }

    @Test
    void pushWithoutChangesMakesAnEmptyCommitAndCarriesCommitsMadeByHand() throws Exception {
        // Given a commit made by hand and not pushed yet
        forge.ensure(INFRA);
        String before = forgeMain(INFRA).name();
        Files.writeString(forge.workingCopy(INFRA).resolve("NOTES.md"), "notes\n", StandardCharsets.UTF_8);
        try (Git work = Git.open(forge.workingCopy(INFRA).toFile())) {
            work.add().addFilepattern("NOTES.md").call();
            work.commit().setMessage("Notes").setSign(false).call();
        }

        // When
        ForgePush push = forge.commitAndPush(INFRA, "handoff push");

        // Then: newest first, the empty commit on top of the hand-made one
        assertThat(push.before()).isEqualTo(before);
        assertThat(push.commits()).hasSize(2);
        PushedCommit empty = push.commits().get(0);
        assertThat(empty.id()).isEqualTo(push.after());
        assertThat(empty.message()).isEqualTo("handoff push");
        assertThat(empty.added()).isEmpty();
        assertThat(empty.modified()).isEmpty();
        assertThat(empty.removed()).isEmpty();
        assertThat(push.commits().get(1).message()).isEqualTo("Notes");
        assertThat(push.commits().get(1).added()).containsExactly("NOTES.md");
        try (Git bare = Git.open(forge.bareRepository(INFRA).toFile())) {
            RevCommit head = bare.log().setMaxCount(1).call().iterator().next();
            assertThat(head.name()).isEqualTo(push.after());
            assertThat(head.getParent(0).getFullMessage()).isEqualTo("Notes");
        }
    }

    @Test
    void pushWithoutAWorkingCopySaysToStartTheLab() {
        assertThatThrownBy(() -> forge.commitAndPush(INFRA, "x"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("./handoff up");
    }

    private ObjectId forgeMain(LabRepository repository) throws IOException {
        try (Git bare = Git.open(forge.bareRepository(repository).toFile())) {
            return bare.getRepository().resolve("refs/heads/main");
        }
    }

    private List<String> filesOnForgeMain(LabRepository repository) throws IOException {
        List<String> files = new ArrayList<>();
        try (Git bare = Git.open(forge.bareRepository(repository).toFile())) {
            Repository repo = bare.getRepository();
            try (TreeWalk walk = new TreeWalk(repo)) {
                walk.addTree(repo.parseCommit(repo.resolve("refs/heads/main")).getTree());
                walk.setRecursive(true);
                while (walk.next()) {
                    files.add(walk.getPathString());
                }
            }
        }
        return files.stream().sorted().toList();
    }

    private List<String> filesInWorkingCopy(LabRepository repository) throws IOException {
        Path root = forge.workingCopy(repository);
        try (Stream<Path> walk = Files.walk(root)) {
            return walk.filter(Files::isRegularFile)
                    .map(p -> root.relativize(p).toString().replace('\\', '/'))
                    .filter(p -> !p.startsWith(".git/"))
                    .sorted()
                    .toList();
        }
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
