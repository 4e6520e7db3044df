package dev.handoff.infra.driver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.handoff.common.event.v1.CloudFacts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The state folder's files are named from event data (repository, stack, host) and never leave the folder. */
class StateFoldersTest {
    @TempDir
    Path tmp;

    @Test
    void aKeptStateStaysInItsRepositorysFolder() throws Exception {
        // Given
        StateStore states = new StateStore(tmp.resolve("state"));

        // When / Then
        assertThat(states.stateFile("ops/edge-cluster-infra", "stacks/compute"))
                .isEqualTo(tmp.resolve("state/states/ops_edge-cluster-infra/stacks_compute/terraform.tfstate"));
        assertThat(states.stateFile("ops/edge-cluster-infra", "."))
                .isEqualTo(tmp.resolve("state/states/ops_edge-cluster-infra/terraform.tfstate"));
    }

    @Test
    void aRepositoryNamedDotDotCannotWriteAStateOutsideTheStatesFolder() throws Exception {
        // Given
        StateStore states = new StateStore(tmp.resolve("state"));
        Path stack = Files.createDirectories(tmp.resolve("checkout"));
        Files.writeString(stack.resolve(StateStore.STATE_FILE), "{}");

        // When
        ContainedPath.Escape refused =
                catchThrowableOfType(ContainedPath.Escape.class, () -> states.copyOut("..", "archives", stack));

        // Then
        assertThat(refused).isNotNull().hasMessageContaining("'../archives'");
        assertThat(tmp.resolve("state/archives")).doesNotExist();
    }

    @Test
    void factsOfAHostNamedLikeAPathAreNotWrittenOutsideTheFactsFolder() {
        // Given
        FactsStore store = new FactsStore(tmp.resolve("state"));
        CloudFacts facts = new CloudFacts(
                "../../escaped",
                "oci",
                "eu-frankfurt-1",
                "ocid1.instance.oc1.eu-frankfurt-1.lab",
                "10.20.1.23",
                null,
                null,
                List.of(),
                null,
                Instant.parse("2025-11-24T09:14:03Z"),
                List.of());

        // When
        Throwable refused = catchThrowable(() -> store.save(facts));

        // Then
        assertThat(refused).hasRootCauseInstanceOf(ContainedPath.Escape.class);
        assertThat(tmp.resolve("escaped.json")).doesNotExist();
    }
}
