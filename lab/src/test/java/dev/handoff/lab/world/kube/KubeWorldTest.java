package dev.handoff.lab.world.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.handoff.lab.world.nixos.LabSshIdentity;
import dev.handoff.lab.world.nixos.NixosNode;
import dev.handoff.lab.world.nixos.SimulatedNixosHost;
import dev.handoff.lab.world.nixos.StandInColmena;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KubeWorldTest {
    private static final String RUSTDESK = "lab/repos/nix-k3s-edge-cluster/manifests/rustdesk.yaml";
    private static final String CONFIGURATION = "lab/repos/nix-k3s-edge-cluster/hosts/cloud-edge-1/configuration.nix";

    @TempDir
    Path dir;

    private LabSshIdentity runner;
    private SimulatedNixosHost host;
    private KubeWorld world;
    private Path worktree;

    @BeforeEach
    void startTheWorld() throws IOException {
        runner = LabSshIdentity.create(dir.resolve("runner").resolve("id_ecdsa"));
        NixosNode node = new NixosNode("cloud-edge-1", dir.resolve("root"));
        host = SimulatedNixosHost.start(node, runner.publicKey(), 0, 0);
        world = KubeWorld.start(
                dir.resolve("kube"),
                host,
                runner.privateKeyFile(),
                "cloud-edge-1.tailnet.ts.net",
                Duration.ofMillis(50));
        Files.createDirectories(node.file(NixosNode.SOPS_KEY).getParent());
        Files.writeString(node.file(NixosNode.SOPS_KEY), "# lab placeholder\n");
        worktree = dir.resolve("worktree");
        write("hosts/cloud-edge-1/configuration.nix", resource(CONFIGURATION));
        write("manifests/rustdesk.yaml", resource(RUSTDESK));
        write(".git/HEAD", "0123456789abcdef0123456789abcdef01234567\n");
    }

    @AfterEach
    void stopTheWorld() {
        world.close();
        host.close();
    }

    @Test
    void anActivationLinksTheManifestsWritesTheKubeconfigAndRunsTheRustdeskPods() throws Exception {
        // When
        int code = activate();

        // Then
        NixosNode node = host.node();
        assertThat(code).isZero();
        assertThat(node.file(NixosNode.K3S_MANIFESTS + "/rustdesk.yaml")).hasContent(resource(RUSTDESK));
        Path kubeconfig = node.file(NixosNode.K3S_KUBECONFIG);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(kubeconfig)))
                .isEqualTo("rw-------");
        try (KubernetesClient client = clientFromKubeconfig(Files.readString(kubeconfig))) {
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                Deployment hbbs = client.apps()
                        .deployments()
                        .inNamespace("rustdesk")
                        .withName("hbbs")
                        .get();
                assertThat(hbbs.getStatus().getObservedGeneration())
                        .isEqualTo(hbbs.getMetadata().getGeneration());
                assertThat(hbbs.getStatus().getReadyReplicas()).isEqualTo(1);
            });
            List<Pod> pods = client.pods().inNamespace("rustdesk").list().getItems();
            assertThat(pods).hasSize(2);
            assertThat(pods.get(0).getStatus().getContainerStatuses().get(0).getImage())
                    .isEqualTo("docker.io/rustdesk/rustdesk-server:1.1.14");
            assertThat(client.namespaces().withName("rustdesk").get()).isNotNull();
        }
        for (int port : List.of(21115, 21116, 21117, 21118, 21119)) {
            assertThat(connects(port)).as("port %d", port).isTrue();
        }
        assertThat(node.file("/var/lib/rustdesk/id_ed25519.pub")).exists();
        assertThat(node.file("/var/lib/rustdesk/id_ed25519")).exists();
    }

    @Test
    void faultsShowInPodStatusesAndPorts() throws Exception {
        // Given
        activate();
        KubernetesClient admin = world.api().admin();

        // When
        world.faults().imagePullFailure("rustdesk/hbbr");
        world.faults().portNotListening(21115);
        world.kubeletRound();

        // Then
        Pod hbbr = admin.pods().inNamespace("rustdesk").list().getItems().stream()
                .filter(p -> p.getMetadata().getName().startsWith("hbbr"))
                .findFirst()
                .orElseThrow();
        assertThat(hbbr.getStatus()
                        .getContainerStatuses()
                        .get(0)
                        .getState()
                        .getWaiting()
                        .getReason())
                .isIn("ErrImagePull", "ImagePullBackOff");
        assertThat(connects(21117)).isFalse();
        assertThat(connects(21115)).isFalse();
        assertThat(connects(21116)).isTrue();
    }

    @Test
    void aManifestNoLongerDeclaredIsRemovedWithItsObjects() throws Exception {
        // Given
        activate();
        write("hosts/cloud-edge-1/configuration.nix", resource(CONFIGURATION).replace("manifests.rustdesk", "#"));

        // When
        activate();

        // Then
        assertThat(host.node().file(NixosNode.K3S_MANIFESTS + "/rustdesk.yaml")).doesNotExist();
        assertThat(world.api()
                        .admin()
                        .apps()
                        .deployments()
                        .inNamespace("rustdesk")
                        .list()
                        .getItems())
                .isEmpty();
    }

    private KubernetesClient clientFromKubeconfig(String kubeconfig) {
        Config config = Config.fromKubeconfig(kubeconfig);
        config.setMasterUrl("https://" + KubeApi.SERVER_NAME + ":" + world.api().port());
        return new KubernetesClientBuilder().withConfig(config).build();
    }

    private int activate() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = StandInColmena.applyTo(
                host, runner.privateKeyFile(), worktree, new PrintStream(out, true, StandardCharsets.UTF_8));
        assertThat(code).as(out.toString(StandardCharsets.UTF_8)).isZero();
        return code;
    }

    private boolean connects(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(world.nodeAddress(), port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private void write(String path, String content) throws IOException {
        Path file = worktree.resolve(path);
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = KubeWorldTest.class.getClassLoader().getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
