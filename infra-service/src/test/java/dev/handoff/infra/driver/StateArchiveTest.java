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
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StateArchiveTest {
    private static final String STATE = "{\"version\": 4, \"serial\": 3, \"lineage\": \"b6f0c1d2\"}";

    @Test
    void anArchiveAndItsChecksumAreCopiedOffMachineAndCheckedThenHandedOutOnlyWhenTheChecksumMatches(@TempDir Path dir)
            throws Exception {
        // Given
        Path offsite = dir.resolve("offsite");
        StateArchive archives = new StateArchive(
                dir.resolve("local"),
                Optional.of(offsite),
                Optional.of("cp {archive} " + dir.resolve("by-command") + "/"),
                new ProcessRunner(5),
                Clock.fixed(Instant.parse("2026-11-25T10:00:00Z"), ZoneOffset.UTC));
        Files.createDirectories(dir.resolve("by-command"));

        // When
        StateArchive.Archived archived =
                archives.archive("ops/edge-cluster-infra", "stacks/compute", STATE.getBytes(StandardCharsets.UTF_8));

        // Then
        assertThat(archived.name()).isEqualTo("ops_edge-cluster-infra__stacks_compute__20261125T100000000Z.tfstate.gz");
        assertThat(archived.offMachine()).contains(offsite.resolve(archived.name()));
        assertThat(Files.readString(offsite.resolve(archived.name() + ".sha256")))
                .isEqualTo(archived.sha256() + "  " + archived.name() + "\n");
        assertThat(dir.resolve("by-command").resolve(archived.name())).exists();
        assertThat(dir.resolve("by-command").resolve(archived.name() + ".sha256"))
                .exists();
        assertThat(archives.list()).contains(archived.name());

        // When it is read for a restore
        StateArchive.Verified verified = archives.verify(archived.name());

        // Then
        assertThat(verified.sha256()).isEqualTo(archived.sha256());
        assertThat(verified.repositoryPart()).isEqualTo("ops_edge-cluster-infra");
        assertThat(verified.stackPart()).isEqualTo("stacks_compute");
        assertThat(new String(verified.state(), StandardCharsets.UTF_8)).isEqualTo(STATE);

        // When an archive is damaged
        Files.write(archived.local(), new byte[] {1, 2, 3}, StandardOpenOption.APPEND);
        StateArchive.RestoreRefused refused =
                catchThrowableOfType(StateArchive.RestoreRefused.class, () -> archives.verify(archived.name()));

        // Then nothing is handed out
        assertThat(refused.getMessage())
                .contains("sha256")
                .contains("damaged or was altered")
                .contains("not restored");
        assertThat(refused.notFound()).isFalse();
    }

    @Test
    void noArchiveIsClaimedForSomethingThatIsNoState(@TempDir Path dir) {
        // Given
        StateArchive archives = new StateArchive(
                dir.resolve("local"),
                Optional.of(dir.resolve("offsite")),
                Optional.empty(),
                new ProcessRunner(5),
                Clock.systemUTC());

        // When: a remote backend leaves no local file, so the old code archived nothing and said "archived"
        StateArchive.ArchiveException empty = catchThrowableOfType(
                StateArchive.ArchiveException.class, () -> archives.archive("ops/infra", "stacks/a", new byte[0]));
        StateArchive.ArchiveException notState = catchThrowableOfType(
                StateArchive.ArchiveException.class,
                () -> archives.archive(
                        "ops/infra", "stacks/a", "{\"lineage\": \"b6f0c1d2\"}".getBytes(StandardCharsets.UTF_8)));

        // Then
        assertThat(empty.getMessage()).contains("stack stacks/a has no state to archive");
        assertThat(notState.getMessage()).contains("lacks version, lineage or serial");
        assertThat(dir.resolve("offsite")).doesNotExist();
    }

    @Test
    void aStackWithoutStateIsToldFromOneWithState() {
        // Given: what 'tofu state pull' prints for no state: nothing (local), an empty snapshot (pg, s3, …)
        byte[] local = new byte[0];
        byte[] remote = ("{\"version\":4,\"terraform_version\":\"1.8.5\",\"serial\":0,\"lineage\":\"\","
                        + "\"outputs\":{},\"resources\":[],\"check_results\":null}")
                .getBytes(StandardCharsets.UTF_8);

        // Then
        assertThat(TofuState.isEmpty(local)).isTrue();
        assertThat(TofuState.isEmpty(remote)).isTrue();
        assertThat(TofuState.isEmpty(STATE.getBytes(StandardCharsets.UTF_8))).isFalse();
        assertThat(TofuState.isEmpty("{\"encrypted_data\": \"x\"}".getBytes(StandardCharsets.UTF_8)))
                .isFalse();
    }

    @Test
    void anArchiveHoldingNoStateIsNotRestored(@TempDir Path dir) throws Exception {
        // Given: an empty archive, as earlier releases wrote before a stack's first apply
        Path local = Files.createDirectories(dir.resolve("local"));
        String name = "ops_infra__stacks_a__20261125T100000000Z.tfstate.gz";
        try (var out = new GZIPOutputStream(Files.newOutputStream(local.resolve(name)))) {
            out.write(new byte[0]);
        }
        Files.writeString(
                local.resolve(name + ".sha256"), StateArchive.sha256(local.resolve(name)) + "  " + name + "\n");
        StateArchive archives =
                new StateArchive(local, Optional.empty(), Optional.empty(), new ProcessRunner(5), Clock.systemUTC());

        // When
        StateArchive.RestoreRefused refused =
                catchThrowableOfType(StateArchive.RestoreRefused.class, () -> archives.verify(name));

        // Then
        assertThat(refused.getMessage()).contains("holds no OpenTofu state");
    }

    @Test
    void aCopyCommandThatFailsStopsTheApply(@TempDir Path dir) {
        // Given
        StateArchive archives = new StateArchive(
                dir.resolve("local"), Optional.empty(), Optional.of("exit 7"), new ProcessRunner(5), Clock.systemUTC());

        // When
        StateArchive.ArchiveException e = catchThrowableOfType(
                StateArchive.ArchiveException.class,
                () -> archives.archive("ops/infra", "stacks/a", STATE.getBytes(StandardCharsets.UTF_8)));

        // Then
        assertThat(e.getMessage()).contains("exited with 7").contains("handoff.infra.archive.command");
    }
}
