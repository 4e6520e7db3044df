package dev.handoff.lab.world;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.handoff.lab.world.nixos.LabSshIdentity;
import dev.handoff.lab.world.nixos.NixosNode;
import dev.handoff.lab.world.nixos.SimulatedNixosHost;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.client.channel.ClientChannelEvent;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ./handoff partition <host> [--heal]}: the lab's network to two simulated hosts, one of them cut off. */
class HostNetworkTest {
    private static final Duration PATIENCE = Duration.ofSeconds(2);

    @TempDir
    Path dir;

    private SimulatedNixosHost edge;
    private SimulatedNixosHost forgejo;
    private HostNetwork network;
    private SshClient client;

    @BeforeEach
    void twoHostsBehindTheLabsNetwork() {
        LabSshIdentity runner = LabSshIdentity.create(dir.resolve("id_ecdsa"));
        edge = SimulatedNixosHost.start(new NixosNode("cloud-edge-1", dir.resolve("edge")), runner.publicKey(), 0, 0);
        forgejo =
                SimulatedNixosHost.start(new NixosNode("forgejo-pi", dir.resolve("forgejo")), runner.publicKey(), 0, 0);
        network = new HostNetwork();
        network.link("cloud-edge-1", "ssh", edge.tailnetPort());
        network.link("forgejo-pi", "ssh", forgejo.tailnetPort());
        client = SshClient.setUpDefaultClient();
        client.setServerKeyVerifier((session, address, key) ->
                KeyUtils.compareKeys(key, edge.hostKey()) || KeyUtils.compareKeys(key, forgejo.hostKey()));
        client.addPublicKeyIdentity(runner.keyPair());
        client.start();
    }

    @AfterEach
    void stopThem() throws IOException {
        client.stop();
        network.close();
        edge.close();
        forgejo.close();
    }

    @Test
    void theServicesAreRoutedThroughTheNetworkToTheHosts() throws Exception {
        // When
        Map<String, String> routed = network.route(Map.of(
                "HANDOFF_CONVERGE_ADDRESSES",
                "cloud-edge-1.tailnet.ts.net=127.0.0.1:" + edge.tailnetPort() + ",other=127.0.0.1:1",
                "KAFKA_BOOTSTRAP_SERVERS",
                "localhost:9092"));

        // Then: only the hosts' listeners are replaced, and the host answers through its link
        int link = port(routed.get("HANDOFF_CONVERGE_ADDRESSES"));
        assertThat(link).isNotEqualTo(edge.tailnetPort());
        assertThat(routed.get("HANDOFF_CONVERGE_ADDRESSES")).endsWith(",other=127.0.0.1:1");
        assertThat(routed).containsEntry("KAFKA_BOOTSTRAP_SERVERS", "localhost:9092");
        try (ClientSession session = login(link)) {
            assertThat(run(session, "readlink -f /run/current-system")).startsWith("/nix/store/");
        }
        assertThat(network.hosts()).containsExactly("cloud-edge-1", "forgejo-pi");
    }

    @Test
    void aPartitionedHostGetsNoAnswerThroughAndTheOthersDoUntilItHeals() throws Exception {
        // Given: a session to the edge host, open before the partition
        int edgeLink = port(network.route("127.0.0.1:" + edge.tailnetPort()));
        int forgejoLink = port(network.route("127.0.0.1:" + forgejo.tailnetPort()));
        ClientSession open = login(edgeLink);

        // When
        network.partition("cloud-edge-1");

        // Then: a new SSH connection gets no answer, the open session stalls, the other host answers
        assertThat(network.partitioned("cloud-edge-1")).isTrue();
        assertThatThrownBy(() -> login(edgeLink).close()).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> open.createExecChannel("true").open().verify(PATIENCE))
                .isInstanceOf(IOException.class);
        try (ClientSession other = login(forgejoLink)) {
            assertThat(run(other, "readlink -f /run/current-system")).startsWith("/nix/store/");
        }

        // When
        network.heal("cloud-edge-1");

        // Then: new connections answer, and the stalled session goes on
        assertThat(network.partitioned("cloud-edge-1")).isFalse();
        try (ClientSession again = login(edgeLink)) {
            assertThat(run(again, "readlink -f /run/current-system")).startsWith("/nix/store/");
        }
        assertThat(run(open, "readlink -f /run/current-system")).startsWith("/nix/store/");
        open.close();
    }

    @Test
    void anUnknownHostIsNamedWithTheHostsTheNetworkHas() {
        assertThatThrownBy(() -> network.partition("fleet-0001"))
                .hasMessage("the lab's network has no simulated host fleet-0001; it has cloud-edge-1, forgejo-pi");
    }

    private ClientSession login(int port) throws IOException {
        ClientSession session =
                client.connect("root", "127.0.0.1", port).verify(PATIENCE).getSession();
        try {
            session.auth().verify(PATIENCE);
            return session;
        } catch (IOException e) {
            session.close(true);
            throw e;
        }
    }

    private static String run(ClientSession session, String command) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ChannelExec exec = session.createExecChannel(command)) {
            exec.setOut(out);
            exec.setErr(out);
            exec.open().verify(Duration.ofSeconds(10));
            exec.waitFor(List.of(ClientChannelEvent.CLOSED), Duration.ofSeconds(10));
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static int port(String address) {
        java.util.regex.Matcher m =
                java.util.regex.Pattern.compile("127\\.0\\.0\\.1:(\\d+)").matcher(address);
        assertThat(m.find()).as(address).isTrue();
        return Integer.parseInt(m.group(1));
    }
}
