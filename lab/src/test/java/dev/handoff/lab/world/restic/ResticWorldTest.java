package dev.handoff.lab.world.restic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.handoff.lab.world.forgejo.SimulatedForgejo;
import dev.handoff.lab.world.nixos.NixosNode;
import dev.handoff.lab.world.restic.ResticFaults.Fault;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The restic world with the real restic: snapshots under the host's real paths, and each fault. */
class ResticWorldTest {
    @TempDir
    Path lab;

    NixosNode node;
    ResticWorld world;

    @BeforeEach
    void aNodeWithTokenAndRustDeskKeys() throws IOException {
        node = new NixosNode("cloud-edge-1", lab.resolve("nodes").resolve("cloud-edge-1"));
        write(NixosNode.K3S_TOKEN, "K10abc::server:def\n");
        write("/var/lib/rustdesk/id_ed25519", "private\n");
        write("/var/lib/rustdesk/id_ed25519.pub", "public\n");
        world = ResticWorld.start(lab);
    }

    @Test
    void theBackupJobRecordsTheHostsRealPathsAndTheServicesPasswordOpensTheRepository() throws Exception {
        // When
        ResticWorld.Snapshot snapshot = world.snapshot(node);

        // Then
        assertThat(snapshot.paths()).containsExactlyElementsOf(ResticWorld.RUNTIME_PATHS);
        ResticCommand.Result ls = restic("ls", "--json", snapshot.id());
        assertThat(ls.exitCode()).as(ls.stderr()).isZero();
        assertThat(ls.stdout())
                .contains("\"path\":\"/var/lib/rancher/k3s/server/token\"")
                .contains("\"path\":\"/var/lib/rustdesk/id_ed25519\"")
                .doesNotContain(node.root().toString());
        assertThat(ResticWorld.resticVersion()).startsWith("restic ");
    }

    @Test
    void theForgejoHostsControlPlaneJobRecordsTheFourContractPathsUnderTheirRealNames() throws Exception {
        // Given: forgejo-pi with the state its Forgejo keeps
        NixosNode forgejo = new NixosNode("forgejo-pi", lab.resolve("nodes").resolve("forgejo-pi"));
        SimulatedForgejo.writeState(forgejo);

        // When
        ResticWorld.Snapshot snapshot = world.snapshot(forgejo, ResticWorld.CONTROL_PLANE);

        // Then: the snapshot holds the four paths, in the control-plane repository, for host forgejo-pi
        assertThat(snapshot.paths())
                .containsExactly(
                        "/var/lib/forgejo/repositories",
                        "/var/lib/forgejo/dump",
                        "/var/lib/forgejo/custom",
                        "/var/lib/forgejo/data/lfs")
                .isEqualTo(ResticWorld.CONTROL_PLANE_PATHS);
        ResticCommand.Result ls = resticOn(ResticWorld.CONTROL_PLANE, "ls", "--json", snapshot.id());
        assertThat(ls.exitCode()).as(ls.stderr()).isZero();
        assertThat(ls.stdout())
                .contains("\"path\":\"/var/lib/forgejo/repositories/ops/infrastructure-nixos.git/HEAD\"")
                .contains("\"path\":\"/var/lib/forgejo/dump/forgejo-db.sql\"")
                .contains("\"path\":\"/var/lib/forgejo/custom/conf/app.ini\"")
                .contains("\"path\":\"/var/lib/forgejo/data/lfs/")
                .doesNotContain(forgejo.root().toString());
        String snapshots =
                resticOn(ResticWorld.CONTROL_PLANE, "snapshots", "--json").stdout();
        assertThat(new ObjectMapper()
                        .readTree(snapshots)
                        .get(0)
                        .path("hostname")
                        .asText())
                .isEqualTo("forgejo-pi");
        assertThat(world.snapshotIds(ResticWorld.RUNTIME)).isEmpty();

        // When: the missing-path fault names the contract
        world.faults().set(Fault.MISSING_PATH, ResticWorld.CONTROL_PLANE);
        ResticWorld.Snapshot without = world.snapshot(forgejo, ResticWorld.CONTROL_PLANE);

        // Then: the dump is left out of the next snapshot
        assertThat(without.paths()).doesNotContain("/var/lib/forgejo/dump").hasSize(3);
    }

    @Test
    void staleAndMissingPathShapeTheNextSnapshot() throws Exception {
        // Given
        world.faults().set(Fault.STALE, "runtime");
        world.faults().set(Fault.MISSING_PATH, "*");

        // When
        ResticWorld.Snapshot snapshot = world.snapshot(node);

        // Then
        assertThat(snapshot.time()).isBefore(Instant.now().minus(Duration.ofDays(29)));
        assertThat(snapshot.paths()).containsExactly(NixosNode.K3S_TOKEN);
        String json = restic("snapshots", "--json").stdout();
        assertThat(new ObjectMapper().readTree(json).get(0).path("time").asText())
                .startsWith(snapshot.time().toString().substring(0, 10));
    }

    @Test
    void wrongPasswordAndDamagedPackFailAndResetRepairsThem() throws Exception {
        // Given
        world.snapshot(node);

        // When
        world.faults().set(Fault.WRONG_PASSWORD, "runtime");
        world.applyFaults();

        // Then
        assertThat(restic("snapshots").stderr()).contains("wrong password");

        // When
        world.reset();
        world.faults().set(Fault.DAMAGED_PACK, "runtime");
        world.applyFaults();

        // Then
        assertThat(restic("check", "--read-data").exitCode()).isNotZero();
        world.reset();
        assertThat(restic("check", "--read-data").exitCode()).isZero();
    }

    @Test
    void aMissingResticIsNamedWithHowToInstallIt() {
        assertThatThrownBy(
                        () -> ResticWorld.resticVersion(lab.resolve("no-restic").toString()))
                .isInstanceOf(ResticNotInstalledException.class)
                .hasMessageContaining("apt-get install restic");
    }

    @Test
    void theServiceEnvironmentNamesPathsOnly() {
        // When
        Map<String, String> env = world.serviceEnvironment(lab.resolve("id_ecdsa"), "a=127.0.0.1:2222");

        // Then
        assertThat(env)
                .containsEntry("HANDOFF_BACKUP_RESTIC_EXECUTABLE", "restic")
                .containsEntry("HANDOFF_BACKUP_ADDRESSES", "a=127.0.0.1:2222")
                .containsKey("HANDOFF_BACKUP_SSH_IDENTITY");
    }

    private ResticCommand.Result restic(String... args) throws IOException {
        return resticOn(ResticWorld.RUNTIME, args);
    }

    /** restic on {@code contract}'s repository with the password file backup-service reads. */
    private ResticCommand.Result resticOn(String contract, String... args) throws IOException {
        List<String> command = new java.util.ArrayList<>(List.of("restic", "--no-cache"));
        command.addAll(List.of(args));
        return ResticCommand.run(
                command,
                Map.of(
                        "RESTIC_REPOSITORY", world.repository(contract).toString(),
                        "RESTIC_PASSWORD_FILE", world.passwordFile(contract).toString()));
    }

    private void write(String path, String content) throws IOException {
        Path file = node.file(path);
        Files.createDirectories(file.getParent());
        Files.writeString(file, content, StandardCharsets.UTF_8);
    }
}
