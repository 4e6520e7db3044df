package dev.handoff.lab.world.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.handoff.lab.world.fleet.FleetWorld.FleetHost;
import dev.handoff.lab.world.nixos.LabSshIdentity;
import dev.handoff.lab.world.nixos.NixosNode;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.client.channel.ClientChannelEvent;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.sftp.client.SftpClientFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FleetWorldTest {
    private static final Duration ACTIVATION = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private FleetWorld fleet;
    private SshClient client;
    private LabSshIdentity runner;

    @BeforeEach
    void startAFleetOfThree() {
        runner = LabSshIdentity.create(dir.resolve("id_ecdsa"));
        fleet = FleetWorld.start(dir, 3, ACTIVATION, runner, dir.resolve("age-keys"), true, null);
        client = SshClient.setUpDefaultClient();
        client.addPublicKeyIdentity(runner.keyPair());
        // the key the host on the dialled address must present
        client.setServerKeyVerifier((session, address, key) -> fleet.hosts().values().stream()
                .filter(h -> h.address().equals(((java.net.InetSocketAddress) address).getAddress()))
                .anyMatch(h -> KeyUtils.compareKeys(
                        key, expected != null ? expected : h.ssh().hostKey())));
        client.start();
    }

    /** A key to expect instead of the dialled host's own (the test of a wrong key). */
    private volatile PublicKey expected;

    @AfterEach
    void stop() throws Exception {
        client.stop();
        fleet.close();
    }

    private ClientSession connect(FleetHost host) throws Exception {
        ClientSession session = client.connect("root", host.address().getHostAddress(), fleet.sshPort())
                .verify(Duration.ofSeconds(5))
                .getSession();
        session.auth().verify(Duration.ofSeconds(5));
        return session;
    }

    private String run(FleetHost host, String command) throws Exception {
        try (ClientSession session = connect(host);
                ChannelExec exec = session.createExecChannel(command)) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            exec.setOut(out);
            exec.setErr(out);
            exec.open().verify(Duration.ofSeconds(5));
            exec.waitFor(List.of(ClientChannelEvent.CLOSED), Duration.ofMinutes(2));
            return exec.getExitStatus() + ":" + out.toString(StandardCharsets.UTF_8);
        }
    }

    @Test
    void everyHostAnswersSshOnItsOwnAddressWithItsOwnKeyAndState() throws Exception {
        // Given
        List<FleetHost> hosts = List.copyOf(fleet.hosts().values());
        Path onlyOnTwo = hosts.get(1).ssh().node().file("/etc/only-on-two");
        Files.createDirectories(onlyOnTwo.getParent());
        Files.writeString(onlyOnTwo, "two\n");

        // When / Then
        assertThat(hosts).extracting(FleetHost::name).containsExactly("fleet-0001", "fleet-0002", "fleet-0003");
        assertThat(hosts).extracting(FleetHost::address).doesNotHaveDuplicates();
        for (FleetHost host : hosts) {
            assertThat(run(host, "cat /proc/sys/kernel/random/boot_id"))
                    .isEqualTo("0:" + host.ssh().node().bootId() + "\n");
            try (ClientSession session = connect(host);
                    var sftp = SftpClientFactory.instance().createSftpClient(session)) {
                boolean present;
                try {
                    sftp.stat("/etc/only-on-two");
                    present = true;
                } catch (org.apache.sshd.sftp.common.SftpException missing) {
                    present = false;
                }
                assertThat(present).as(host.name()).isEqualTo(host.name().equals("fleet-0002"));
            }
        }
        assertThat(hosts.get(0).ssh().hostKey()).isNotEqualTo(hosts.get(1).ssh().hostKey());
        expected = hosts.get(1).ssh().hostKey();
        assertThatThrownBy(() -> connect(hosts.get(0)))
                .as("fleet-0001 presents its own host key, not fleet-0002's")
                .isInstanceOf(Exception.class);
        assertThat(dir.resolve("age-keys").resolve("fleet-0003.agekey")).exists();
    }

    @Test
    void everyHostHasItsOwnKubernetesApiOnItsAddress() {
        // Given
        List<FleetHost> hosts = List.copyOf(fleet.hosts().values());
        hosts.get(0)
                .kube()
                .api()
                .admin()
                .configMaps()
                .inNamespace("default")
                .resource(new ConfigMapBuilder()
                        .withNewMetadata()
                        .withName("only-on-one")
                        .endMetadata()
                        .build())
                .create();

        // When / Then: as workload-service connects, the host's CA and client certificate, host name verified
        for (FleetHost host : hosts) {
            Config config = Config.fromKubeconfig(host.kube().api().kubeconfig());
            config.setMasterUrl("https://" + host.address().getHostAddress() + ":"
                    + host.kube().api().port());
            config.setDisableHostnameVerification(false);
            try (KubernetesClient kube =
                    new KubernetesClientBuilder().withConfig(config).build()) {
                boolean present = kube.configMaps()
                                .inNamespace("default")
                                .withName("only-on-one")
                                .get()
                        != null;
                assertThat(present).as(host.name()).isEqualTo(host.name().equals("fleet-0001"));
            }
        }
        assertThat(fleet.workloadAddresses().get("api"))
                .contains("fleet-0002.tailnet.ts.net:6443="
                        + hosts.get(1).address().getHostAddress() + ":");
    }

    @Test
    void anActivationTakesTheConfiguredTimeWhileTheHostAnswersFromItsCurrentGeneration() throws Exception {
        // Given
        FleetHost first = fleet.hosts().get("fleet-0001");
        FleetHost second = fleet.hosts().get("fleet-0002");
        for (FleetHost host : List.of(first, second)) {
            Path key = host.ssh().node().file(NixosNode.SOPS_KEY);
            Files.createDirectories(key.getParent());
            Files.writeString(key, "# lab key\n");
        }
        second.ssh().node().activationTime(Duration.ZERO);
        String activate = "handoff-lab-activate --system /nix/store/" + "a".repeat(32)
                + "-nixos-system-fleet --revision " + "b".repeat(40) + " --kernel default";
        String infect = first.ssh().node().current().systemPath();

        // When: both activate; the second takes no time, the first its 30 s
        CompletableFuture<String> slow = CompletableFuture.supplyAsync(() -> {
            try {
                return run(first, activate);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        String fast = run(second, activate);

        // Then: the second is done, the first still answers from the system it had
        assertThat(fast).startsWith("0:");
        assertThat(second.ssh().node().activations()).isEqualTo(1);
        assertThat(slow).isNotDone();
        assertThat(run(first, "readlink -f /run/current-system")).isEqualTo("0:" + infect + "\n");
        assertThat(first.ssh().node().activations()).isZero();
        await().atMost(ACTIVATION.plusSeconds(30)).until(slow::isDone);
        assertThat(slow.join()).startsWith("0:");
        assertThat(first.ssh().node().activations()).isEqualTo(1);
        assertThat(fleet.activation()).isEqualTo(ACTIVATION);
    }
}
