package dev.handoff.infra.driver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.handoff.infra.stage.StageFailure;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ContainedPathTest {
    @TempDir
    Path tmp;

    private Path base() throws IOException {
        return Files.createDirectories(tmp.resolve("work"));
    }

    @Test
    void aUuidBecomesAFolderBelowTheBase() throws Exception {
        // Given
        Path base = base();

        // When
        Path dir = ContainedPath.below(base, "deployment id", "0c8e2f55-1b7d-4f7e-a3f4-62f0d9b1e5c2");

        // Then
        assertThat(dir).isEqualTo(base.toAbsolutePath().resolve("0c8e2f55-1b7d-4f7e-a3f4-62f0d9b1e5c2"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"../../state", "..", "a/../../state", "./../work-sibling", ".", "a/.."})
    void aValueThatLeadsOutOfTheBaseOrToTheBaseItselfIsRefused(String value) throws Exception {
        // Given
        Path base = base();

        // When
        ContainedPath.Escape refused = catchThrowableOfType(
                ContainedPath.Escape.class, () -> ContainedPath.below(base, "deployment id", value));

        // Then
        assertThat(refused).as("'%s' must be refused", value).isNotNull();
        assertThat(refused).hasMessageContaining("deployment id '" + value + "'");
        assertThat(refused.value()).isEqualTo(value);
    }

    @Test
    void anAbsolutePathIsRefusedEvenWhenItIsInsideTheBase() throws Exception {
        // Given
        Path base = base();
        String inside = base.resolve("x").toAbsolutePath().toString();

        // When
        ContainedPath.Escape refused =
                catchThrowableOfType(ContainedPath.Escape.class, () -> ContainedPath.below(base, "host", inside));

        // Then
        assertThat(refused).isNotNull().hasMessageContaining("absolute");
    }

    @Test
    void anEmptyValueIsRefused() throws Exception {
        Path base = base();

        assertThat(catchThrowableOfType(ContainedPath.Escape.class, () -> ContainedPath.below(base, "host", "")))
                .isNotNull();
    }

    @Test
    void aSymbolicLinkInTheBaseThatLeadsOutIsRefusedAndItsTargetIsLeftAlone() throws Exception {
        // Given: a link planted in the work folder pointing at the state folder
        Path base = base();
        Path state = Files.createDirectories(tmp.resolve("state"));
        Files.writeString(state.resolve("terraform.tfstate"), "{}", StandardCharsets.UTF_8);
        Files.createSymbolicLink(base.resolve("0c8e2f55-1b7d-4f7e-a3f4-62f0d9b1e5c2"), state);

        // When
        ContainedPath.Escape refused = catchThrowableOfType(
                ContainedPath.Escape.class,
                () -> ContainedPath.below(base, "deployment id", "0c8e2f55-1b7d-4f7e-a3f4-62f0d9b1e5c2", "repo"));

        // Then
        assertThat(refused).isNotNull().hasMessageContaining("symbolic link");
        assertThat(state.resolve("terraform.tfstate")).exists();
    }

    @Test
    void aSymbolicLinkThatLeadsNowhereIsRefused() throws Exception {
        // Given: creating through it would create its target, wherever that is
        Path base = base();
        Files.createSymbolicLink(base.resolve("dangling"), tmp.resolve("not-yet"));

        // When
        ContainedPath.Escape refused = catchThrowableOfType(
                ContainedPath.Escape.class, () -> ContainedPath.below(base, "stack", "dangling/inner"));

        // Then
        assertThat(refused).isNotNull().hasMessageContaining("leads nowhere");
    }

    @Test
    void aSymbolicLinkThatStaysInsideTheBaseIsAllowed() throws Exception {
        // Given
        Path base = base();
        Path real = Files.createDirectories(base.resolve("stacks/compute"));
        Files.createSymbolicLink(base.resolve("compute"), real);

        // When
        Path dir = ContainedPath.within(base, "stack", "compute");

        // Then
        assertThat(dir).isEqualTo(base.toAbsolutePath().resolve("compute"));
    }

    @Test
    void theRootStackIsTheBaseItselfButNotForADeletableFolder() throws Exception {
        // Given
        Path base = base();

        // When / Then
        assertThat(ContainedPath.within(base, "stack", ".")).isEqualTo(base.toAbsolutePath());
        assertThat(catchThrowableOfType(ContainedPath.Escape.class, () -> ContainedPath.below(base, "stack", ".")))
                .isNotNull();
    }

    @Test
    void aRefusalFailsTheRunAsUnsafePathNotRetryable() throws Exception {
        // Given
        Path base = base();
        ContainedPath.Escape refused = catchThrowableOfType(
                ContainedPath.Escape.class, () -> ContainedPath.below(base, "deployment id", "../../state"));

        // When
        StageFailure failure = refused.failure("ce_deploymentid");

        // Then
        assertThat(failure.reason()).isEqualTo("unsafe-path");
        assertThat(failure.retryable()).isFalse();
        assertThat(failure.details()).singleElement().satisfies(d -> {
            assertThat(d.subject()).isEqualTo("ce_deploymentid");
            assertThat(d.message()).isEqualTo("../../state");
        });
    }
}
