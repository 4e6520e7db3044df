package dev.handoff.infra.driver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StateArchiveTest {
    private static final String STATE = "{\"version\": 4, \"serial\": 3, \"lineage\": \"b6f0c1d2\"}";

    @Test
    void anArchiveAndItsChecksumAreCopiedOffMachineAndCheckedThenRestoredOnlyWhenTheChecksumMatches(@TempDir Path dir)
            throws Exception {
        // Given
        Path offsite = dir.resolve("offsite");
        StateStore states = new StateStore(dir.resolve("state"));
        Path stateFile = states.stateFile("ops/edge-cluster-infra", "stacks/compute");
        Files.createDirectories(stateFile.getParent());
        Files.writeString(stateFile, STATE, StandardCharsets.UTF_8);
        StateArchive archives = new StateArchive(
                dir.resolve("local"),
                Optional.of(offsite),
                Optional.of("cp {archive} " + dir.resolve("by-command") + "/"),
                new ProcessRunner(5),
                Clock.fixed(Instant.parse("2026-11-25T10:00:00Z"), ZoneOffset.UTC));
        Files.createDirectories(dir.resolve("by-command"));

        // When
        StateArchive.Archived archived = archives.archive("ops/edge-cluster-infra", "stacks/compute", stateFile);

        // Then
        assertThat(archived.name()).isEqualTo("ops_edge-cluster-infra__stacks_compute__20261125T100000000Z.tfstate.gz");
        assertThat(archived.offMachine()).contains(offsite.resolve(archived.name()));
        assertThat(Files.readString(offsite.resolve(archived.name() + ".sha256")))
                .isEqualTo(archived.sha256() + "  " + archived.name() + "\n");
        assertThat(dir.resolve("by-command").resolve(archived.name())).exists();
        assertThat(dir.resolve("by-command").resolve(archived.name() + ".sha256"))
                .exists();
        assertThat(archives.list()).contains(archived.name());

        // When the state is lost and restored
        Files.writeString(stateFile, "{}", StandardCharsets.UTF_8);
        StateArchive.Restored restored = archives.restore(archived.name(), states::byParts);

        // Then
        assertThat(restored.sha256()).isEqualTo(archived.sha256());
        assertThat(Files.readString(stateFile)).isEqualTo(STATE);

        // When an archive is damaged
        Files.write(archived.local(), new byte[] {1, 2, 3}, StandardOpenOption.APPEND);
        StateArchive.RestoreRefused refused = catchThrowableOfType(
                StateArchive.RestoreRefused.class, () -> archives.restore(archived.name(), states::byParts));

        // Then nothing is restored
        assertThat(refused.getMessage())
                .contains("sha256")
                .contains("damaged or was altered")
                .contains("not restored");
        assertThat(refused.notFound()).isFalse();
    }

    @Test
    void aCopyCommandThatFailsStopsTheApply(@TempDir Path dir) {
        // Given
        StateArchive archives = new StateArchive(
                dir.resolve("local"), Optional.empty(), Optional.of("exit 7"), new ProcessRunner(5), Clock.systemUTC());

        // When
        StateArchive.ArchiveException e = catchThrowableOfType(
                StateArchive.ArchiveException.class,
                () -> archives.archive("ops/infra", "stacks/a", dir.resolve("none.tfstate")));

        // Then
        assertThat(e.getMessage()).contains("exited with 7").contains("handoff.infra.archive.command");
    }
}
