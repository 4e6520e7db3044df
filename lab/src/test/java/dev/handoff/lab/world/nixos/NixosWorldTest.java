package dev.handoff.lab.world.nixos;

import static org.assertj.core.api.Assertions.assertThat;

import dev.handoff.lab.world.kube.KubeWorld;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The lab's NixOS world simulates both hosts of the lab inventory, and the services' address maps name both. */
class NixosWorldTest {
    @TempDir
    Path lab;

    @Test
    void bothHostsAreSimulatedWithTheirOwnKeysSandboxesAndAddresses() {
        try (NixosWorld world = NixosWorld.start(lab, "203.0.113.45")) {
            // Then: cloud-edge-1 stays the default host, forgejo-pi is the second one
            assertThat(world.hosts()).containsOnlyKeys("cloud-edge-1", "forgejo-pi");
            assertThat(world.host().node().hostName()).isEqualTo("cloud-edge-1");
            SimulatedNixosHost forgejo = world.forgejoHost();
            assertThat(forgejo).isSameAs(world.host("forgejo-pi"));
            assertThat(forgejo.node().root()).isEqualTo(lab.resolve("nixos/nodes/forgejo-pi"));
            assertThat(forgejo.hostKey()).isNotEqualTo(world.host().hostKey());
            assertThat(lab.resolve("nixos/host-keys/forgejo-pi")).isRegularFile();
            assertThat(lab.resolve("nixos/age-keys/forgejo-pi.agekey"))
                    .content()
                    .contains("AGE-SECRET-KEY-");
            assertThat(lab.resolve("nixos/age-keys/cloud-edge-1.agekey")).isRegularFile();

            // And: converge-service reaches both over their tailnet names
            Map<String, String> env = world.serviceEnvironment();
            assertThat(env.get("HANDOFF_CONVERGE_ADDRESSES"))
                    .isEqualTo("203.0.113.45=127.0.0.1:" + world.host().publicPort()
                            + ",cloud-edge-1.tailnet.ts.net=127.0.0.1:"
                            + world.host().tailnetPort()
                            + ",forgejo-pi.tailnet.ts.net=127.0.0.1:" + forgejo.tailnetPort());
            // And: the activator runs on the control host, as in compose, with a key the hosts authorize
            assertThat(env)
                    .containsEntry("HANDOFF_CONVERGE_BUILD_HOST", "root@forgejo-pi.tailnet.ts.net")
                    .containsEntry("HANDOFF_CONVERGE_ACTIVATOR_EXECUTABLE", "colmena")
                    .containsEntry("HANDOFF_CONVERGE_BUILD_HOST_ADDRESSES", env.get("HANDOFF_CONVERGE_ADDRESSES"));
            assertThat(forgejo.node().file(env.get("HANDOFF_CONVERGE_BUILD_HOST_IDENTITY")))
                    .hasSameBinaryContentAs(lab.resolve("nixos/runner/id_ecdsa"));

            // And: workload-service reaches both over SSH, the K3s API of cloud-edge-1 only
            try (KubeWorld kube = KubeWorld.start(lab, world)) {
                assertThat(kube.serviceEnvironment().get("HANDOFF_WORKLOAD_SSH_ADDRESSES"))
                        .isEqualTo("cloud-edge-1.tailnet.ts.net=127.0.0.1:"
                                + world.host().tailnetPort() + ",forgejo-pi.tailnet.ts.net=127.0.0.1:"
                                + forgejo.tailnetPort());
                assertThat(kube.serviceEnvironment().get("HANDOFF_WORKLOAD_API_ADDRESSES"))
                        .startsWith("cloud-edge-1.tailnet.ts.net:6443=")
                        .doesNotContain("forgejo-pi");
            }
        }
    }
}
