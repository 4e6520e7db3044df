package dev.handoff.lab.forge;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RepositoryTemplatesTest {

    @Test
    void aVariantTemplateIsItsBaseWithItsOwnFilesOverlaid(@TempDir Path dir) throws Exception {
        // Given / When: edge-cluster-infra-pg names edge-cluster-infra as its base and brings its own backend.tf
        List<String> files = RepositoryTemplates.copy(RepositoryTemplates.ROOT + "edge-cluster-infra-pg", dir);

        // Then: the base's stacks, lock files included, with the variant's backend and README; no marker file
        assertThat(files)
                .contains(
                        "stacks/compute/main.tf",
                        "stacks/compute/.terraform.lock.hcl",
                        "stacks/compute/backend.tf",
                        "stacks/network/main.tf",
                        "stacks/network/stack.tm.hcl",
                        "README.md")
                .doesNotContain(RepositoryTemplates.BASE_FILE);
        assertThat(dir.resolve(RepositoryTemplates.BASE_FILE)).doesNotExist();
        assertThat(Files.readString(dir.resolve("stacks/compute/backend.tf"), StandardCharsets.UTF_8))
                .contains("backend \"pg\"", "schema_name = \"handoff_compute\"");
        assertThat(Files.readString(dir.resolve("stacks/compute/main.tf"), StandardCharsets.UTF_8))
                .isEqualTo(Files.readString(
                        Path.of("src/main/resources/lab/repos/edge-cluster-infra/stacks/compute/main.tf"),
                        StandardCharsets.UTF_8));
        assertThat(Files.readString(dir.resolve("README.md"), StandardCharsets.UTF_8))
                .contains("(pg backend)");
    }
}
