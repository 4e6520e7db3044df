package dev.handoff.lab.world.tofu;

import static dev.handoff.lab.world.tofu.TofuStacks.INIT;
import static dev.handoff.lab.world.tofu.TofuStacks.PLAN;
import static org.assertj.core.api.Assertions.assertThat;

import dev.handoff.lab.forge.LabForge;
import dev.handoff.lab.forge.LabRepository;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tofu init} and the dependency lock file ({@code command/init.go} {@code getProviders}): with
 * {@code -lockfile=readonly} a missing or incomplete {@code .terraform.lock.hcl} fails the init; without it init writes
 * the file in {@code depsfile}'s format. The lab's stacks carry complete lock files into their Git repositories.
 */
class StandInTofuInitTest {
    private static final String DEPENDENCY_CHANGES = "\nError: Provider dependency changes detected\n\n"
            + "Changes to the required provider dependencies were detected, but the lock\n"
            + "file is read-only. To use and record these requirements, run \"tofu init\"\n"
            + "without the \"-lockfile=readonly\" flag.\n";

    private final TofuStacks stacks = TofuStacks.of("edge-cluster-infra");

    @TempDir
    Path home;

    @AfterEach
    void close() {
        stacks.close();
    }

    @Test
    void aReadonlyInitWithoutALockFileFailsAndWritesNone() throws Exception {
        // Given
        Path network = stacks.stack("network");
        Files.delete(network.resolve(".terraform.lock.hcl"));

        // When
        TofuStacks.Result init = stacks.tofu(network, INIT);

        // Then
        assertThat(init.exit()).isEqualTo(1);
        assertThat(init.err()).isEqualTo(DEPENDENCY_CHANGES);
        assertThat(init.out())
                .contains("- Finding oracle/oci versions matching \"~> 6.0\"...\n")
                .doesNotContain("successfully initialized");
        assertThat(network.resolve(".terraform.lock.hcl")).doesNotExist();
    }

    @Test
    void aReadonlyInitWithALockFileLackingARequiredProviderFails() throws Exception {
        // Given: compute's lock file without hashicorp/random
        Path compute = stacks.stack("compute");
        Path lock = compute.resolve(".terraform.lock.hcl");
        String text = Files.readString(lock);
        int start = text.indexOf("provider \"registry.opentofu.org/hashicorp/random\"");
        int end = text.indexOf("provider \"registry.opentofu.org/oracle/oci\"");
        Files.writeString(lock, text.substring(0, start) + text.substring(end));
        String incomplete = Files.readString(lock);

        // When
        TofuStacks.Result init = stacks.tofu(compute, INIT);

        // Then
        assertThat(init.exit()).isEqualTo(1);
        assertThat(init.err()).isEqualTo(DEPENDENCY_CHANGES);
        assertThat(init.out())
                .contains("- Reusing previous version of oracle/oci from the dependency lock file\n")
                .contains("- Finding hashicorp/random versions matching \"~> 3.6\"...\n");
        assertThat(Files.readString(lock)).isEqualTo(incomplete);
    }

    @Test
    void aReadonlyInitWithTheLabsLockFileSucceedsAndLeavesTheFileAsItIs() throws Exception {
        // Given
        Path compute = stacks.stack("compute");
        String lock = Files.readString(compute.resolve(".terraform.lock.hcl"));

        // When
        TofuStacks.Result init = stacks.tofu(compute, INIT);

        // Then
        assertThat(init.exit()).as("%s", init).isZero();
        assertThat(init.out())
                .isEqualTo("\nInitializing the backend...\n\n"
                        + "Successfully configured the backend \"local\"! OpenTofu will automatically\n"
                        + "use this backend unless the backend configuration changes.\n\n"
                        + "Initializing provider plugins...\n"
                        + "- Reusing previous version of hashicorp/random from the dependency lock file\n"
                        + "- Reusing previous version of oracle/oci from the dependency lock file\n"
                        + "- Installing hashicorp/random v3.6.3...\n"
                        + "- Installed hashicorp/random v3.6.3 (signed, key ID 0C0AF313E5FD9F80)\n"
                        + "- Installing oracle/oci v6.21.0...\n"
                        + "- Installed oracle/oci v6.21.0 (signed, key ID 1533A49284137CEB)\n\n"
                        + "Providers are signed by their developers.\n"
                        + "If you'd like to know more about provider signing, you can read about it here:\n"
                        + "https://opentofu.org/docs/cli/plugins/signing/\n\n"
                        + "OpenTofu has been successfully initialized!\n\n"
                        + "You may now begin working with OpenTofu. Try running \"tofu plan\" to see\n"
                        + "any changes that are required for your infrastructure. All OpenTofu commands\n"
                        + "should now work.\n\n"
                        + "If you ever set or change modules or backend configuration for OpenTofu,\n"
                        + "rerun this command to reinitialize your working directory. If you forget, other\n"
                        + "commands will detect it and remind you to do so if necessary.\n");
        assertThat(Files.readString(compute.resolve(".terraform.lock.hcl"))).isEqualTo(lock);
    }

    @Test
    void anInitWithoutReadonlyWritesTheLockFileInDepsfilesFormat() throws Exception {
        // Given
        Path network = stacks.stack("network");
        Files.delete(network.resolve(".terraform.lock.hcl"));

        // When
        TofuStacks.Result init = stacks.tofu(network, "init", "-input=false", "-no-color");

        // Then
        assertThat(init.exit()).isZero();
        assertThat(init.out())
                .contains("\nOpenTofu has created a lock file .terraform.lock.hcl to record the provider\n"
                        + "selections it made above. Include this file in your version control repository\n"
                        + "so that OpenTofu can guarantee to make the same selections by default when\n"
                        + "you run \"tofu init\" in the future.\n");
        String lock = Files.readString(network.resolve(".terraform.lock.hcl"));
        assertThat(lock)
                .startsWith("# This file is maintained automatically by \"tofu init\".\n"
                        + "# Manual edits may be lost in future updates.\n\n"
                        + "provider \"registry.opentofu.org/oracle/oci\" {\n"
                        + "  version     = \"6.21.0\"\n"
                        + "  constraints = \"~> 6.0\"\n"
                        + "  hashes = [\n    \"h1:")
                .contains("\n    \"zh:")
                .endsWith("\",\n  ]\n}\n");
    }

    @Test
    void theLabStacksLockFilesAreExactlyWhatInitWouldWrite() throws Exception {
        for (String template : new String[] {"edge-cluster-infra", "edge-cluster-infra-pg"}) {
            try (TofuStacks repo = TofuStacks.of(template)) {
                for (String stack : new String[] {"network", "compute"}) {
                    Path dir = repo.stack(stack);
                    String committed = Files.readString(dir.resolve(".terraform.lock.hcl"), StandardCharsets.UTF_8);
                    // an init that may write the file (pg: backend disabled, the providers are what matters here)
                    TofuStacks.Result init = repo.inProcess(dir, "init", "-input=false", "-no-color", "-backend=false");
                    assertThat(init.exit())
                            .as("%s %s: %s", template, stack, init)
                            .isZero();
                    assertThat(init.out())
                            .doesNotContain("OpenTofu has created a lock file")
                            .doesNotContain("OpenTofu has made some changes");
                    assertThat(Files.readString(dir.resolve(".terraform.lock.hcl"), StandardCharsets.UTF_8))
                            .as("%s/%s", template, stack)
                            .isEqualTo(committed);
                }
            }
        }
    }

    @Test
    void theForgeCommitsTheLockFilesOfTheLabRepository() throws Exception {
        // Given
        LabForge forge = new LabForge(home.resolve("forge"), home.resolve("work"));
        LabRepository infra = LabRepository.byFullName("ops/edge-cluster-infra").orElseThrow();

        // When
        forge.ensure(infra);

        // Then
        try (Repository bare = Git.open(forge.bareRepository(infra).toFile()).getRepository();
                RevWalk walk = new RevWalk(bare)) {
            var tree = walk.parseCommit(bare.resolve("refs/heads/main")).getTree();
            for (String path :
                    new String[] {"stacks/network/.terraform.lock.hcl", "stacks/compute/.terraform.lock.hcl"}) {
                try (TreeWalk file = TreeWalk.forPath(bare, path, tree)) {
                    assertThat(file).as(path).isNotNull();
                }
            }
        }
    }

    @Test
    void aPlanBeforeInitAsksForTheInitAsTofuDoes() {
        // Given: the stack declares backend "local", which needs an init
        Path network = stacks.stack("network");

        // When
        TofuStacks.Result plan = stacks.inProcess(network, PLAN);

        // Then
        assertThat(plan.exit()).isEqualTo(1);
        assertThat(plan.err())
                .startsWith("\nError: Backend initialization required, please run \"tofu init\"\n\n"
                        + "Reason: Initial configuration of the requested backend \"local\"\n");
    }

    @Test
    void aPlanWithAProviderMissingFromTheLockFileIsAnInconsistentDependencyLockFile() throws Exception {
        // Given: initialized, then a provider added to the configuration
        Path network = stacks.stack("network");
        stacks.inProcess(network, INIT);
        TofuStacks.append(network.resolve("main.tf"), "\nresource \"random_id\" \"suffix\" {\n  byte_length = 4\n}\n");

        // When
        TofuStacks.Result plan = stacks.inProcess(network, Map.of(), PLAN);

        // Then
        assertThat(plan.exit()).isEqualTo(1);
        assertThat(plan.err())
                .isEqualTo("\nError: Inconsistent dependency lock file\n\n"
                        + "The following dependency selections recorded in the lock file are\n"
                        + "inconsistent with the current configuration:\n"
                        + "  - provider registry.opentofu.org/hashicorp/random: required by this configuration but no"
                        + " version is selected\n\n"
                        + "To update the locked dependency selections to match a changed configuration,\n"
                        + "run:\n  tofu init -upgrade\n");
    }
}
