package dev.handoff.lab.world.nixos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.client.channel.ClientChannelEvent;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SimulatedNixosHostTest {
    @TempDir
    Path dir;

    private LabSshIdentity runner;
    private SimulatedNixosHost host;
    private SshClient client;

    @BeforeEach
    void startTheHost() {
        runner = LabSshIdentity.create(dir.resolve("id_ecdsa"));
        host = SimulatedNixosHost.start(new NixosNode("cloud-edge-1", dir.resolve("root")), runner.publicKey(), 0, 0);
        client = SshClient.setUpDefaultClient();
        client.setServerKeyVerifier((session, address, key) -> KeyUtils.compareKeys(key, host.hostKey()));
        client.addPublicKeyIdentity(runner.keyPair());
        client.start();
    }

    @AfterEach
    void stopTheHost() throws Exception {
        client.stop();
        host.close();
    }

    record Result(int code, String output) {}

    private Result run(int port, String command) throws Exception {
        try (ClientSession session = client.connect("root", "127.0.0.1", port)
                .verify(Duration.ofSeconds(5))
                .getSession()) {
            session.auth().verify(Duration.ofSeconds(5));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (ChannelExec exec = session.createExecChannel(command)) {
                exec.setOut(out);
                exec.setErr(out);
                exec.open().verify(Duration.ofSeconds(5));
                exec.waitFor(List.of(ClientChannelEvent.CLOSED), Duration.ofSeconds(10));
                Integer status = exec.getExitStatus();
                if (status == null) {
                    throw new java.io.IOException("'" + command + "': the connection closed before an exit status");
                }
                return new Result(status, out.toString(StandardCharsets.UTF_8));
            }
        }
    }

    @Test
    void aFreshHostAnswersLikeANixosInfectSystem() throws Exception {
        // When
        Result current = run(host.publicPort(), "readlink -f /run/current-system");
        Result units = run(host.publicPort(), "systemctl is-active k3s tailscaled");
        Result unknown = run(host.publicPort(), "apt-get install k3s");

        // Then
        assertThat(current.code()).isZero();
        assertThat(current.output()).startsWith("/nix/store/").contains("nixos-system-nixos");
        assertThat(units.code()).isEqualTo(3);
        assertThat(units.output()).isEqualTo("inactive\ninactive\n");
        assertThat(unknown.code()).isEqualTo(127);
    }

    @Test
    void activationWithoutTheSopsKeyFailsInSetupSecretsAndWithItMakesANewGeneration() throws Exception {
        // Given
        String activate = "handoff-lab-activate --system /nix/store/" + StoreHash.of("x")
                + "-nixos-system-cloud-edge-1 --revision " + "a".repeat(40) + " --kernel default";

        // When
        Result withoutKey = run(host.publicPort(), activate);
        Path key = host.node().file(NixosNode.SOPS_KEY);
        Files.createDirectories(key.getParent());
        Files.writeString(key, "# lab key\n");
        Result withKey = run(host.publicPort(), activate);

        // Then
        assertThat(withoutKey.code()).isEqualTo(2);
        assertThat(withoutKey.output()).contains("setupSecrets");
        assertThat(withKey.code()).isZero();
        assertThat(host.node().current().number()).isEqualTo(3);
        assertThat(run(host.publicPort(), "nixos-version --json").output()).contains("a".repeat(40));
        assertThat(run(host.publicPort(), "test -d /run/secrets").code()).isZero();
    }

    @Test
    void theSystemDriftFaultSwitchesTheHostToAnOlderGenerationByHandOnce() throws Exception {
        // Given a host that ran two configurations, the newer one current
        Path key = host.node().file(NixosNode.SOPS_KEY);
        Files.createDirectories(key.getParent());
        Files.writeString(key, "# lab key\n");
        for (String revision : List.of("a".repeat(40), "b".repeat(40))) {
            String activate = "handoff-lab-activate --system /nix/store/" + StoreHash.of(revision)
                    + "-nixos-system-cloud-edge-1 --revision " + revision + " --kernel default";
            assertThat(run(host.publicPort(), activate).code()).isZero();
        }
        NixosNode.Generation older =
                host.node().generations().get(host.node().generations().size() - 2);
        int generations = host.node().generations().size();
        String bootId = host.node().bootId();
        NixosFaults faults = new NixosFaults(dir.resolve("world"));
        host.node().switchesByHand(() -> faults.takeSystemDrift("cloud-edge-1"));

        // When someone rolls it back by hand (the lab's faults file)
        faults.systemDrift("cloud-edge-1", older.number());
        Result current = run(host.publicPort(), "readlink -f /run/current-system");

        // Then the host shows what a rolled-back NixOS host shows, and the fault is used up
        assertThat(current.output().strip()).isEqualTo(older.systemPath());
        assertThat(run(host.publicPort(), "nix-env -p /nix/var/nix/profiles/system --list-generations")
                        .output())
                .containsPattern("(?m)^\\s*" + older.number() + "\\s.*\\(current\\)$");
        assertThat(run(host.publicPort(), "nixos-version --json").output()).contains("a".repeat(40));
        assertThat(host.node().generations())
                .as("a rollback makes no generation")
                .hasSize(generations);
        assertThat(Files.readString(faults.file())).doesNotContain("system-drift.cloud-edge-1");
        assertThat(host.node().bootId()).as("nothing rebooted").isEqualTo(bootId);
    }

    @Test
    void aRebootDropsConnectionsAndComesBackWithANewBootId() throws Exception {
        // Given
        String before = host.node().bootId();

        // When
        try {
            run(host.tailnetPort(), "systemctl reboot");
        } catch (java.io.IOException droppedByTheReboot) {
            // a real reboot may cut the connection before the exit status arrives
        }

        // Then
        await().atMost(Duration.ofSeconds(10))
                .ignoreExceptions()
                .untilAsserted(() -> assertThat(run(host.tailnetPort(), "cat /proc/sys/kernel/random/boot_id")
                                .output()
                                .trim())
                        .isNotEqualTo(before));
    }

    @Test
    void aGenerationThatBreaksTailscaleLeavesOnlyThePublicPathUntilRolledBack() throws Exception {
        // Given
        Path key = host.node().file(NixosNode.SOPS_KEY);
        Files.createDirectories(key.getParent());
        Files.writeString(key, "# lab key\n");
        host.node().breakSteadyAccessOnNextActivation();

        // When
        run(
                host.publicPort(),
                "handoff-lab-activate --system /nix/store/" + StoreHash.of("y")
                        + "-nixos-system-cloud-edge-1 --revision " + "b".repeat(40) + " --kernel default");

        // Then
        assertThatThrownBy(() -> run(host.tailnetPort(), "true")).isInstanceOf(Exception.class);
        assertThat(run(
                                host.publicPort(),
                                "nix-env -p /nix/var/nix/profiles/system --switch-generation 1 && "
                                        + "/nix/var/nix/profiles/system/bin/switch-to-configuration switch")
                        .code())
                .isZero();
        assertThat(run(host.tailnetPort(), "true").code()).isZero();
    }

    @Test
    void aChangedHostKeyIsWhatAPinningClientSees() throws Exception {
        // Given
        var before = host.hostKey();

        // When
        host.changeHostKey();

        // Then
        assertThat(KeyUtils.compareKeys(before, host.hostKey())).isFalse();
        assertThatThrownBy(() -> {
                    client.setServerKeyVerifier((session, address, key) -> KeyUtils.compareKeys(key, before));
                    run(host.publicPort(), "true");
                })
                .isInstanceOf(Exception.class);
    }
}
