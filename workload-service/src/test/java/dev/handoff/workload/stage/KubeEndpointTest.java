package dev.handoff.workload.stage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class KubeEndpointTest {
    @Test
    void k3sLoopbackServerBecomesTheSteadyAddressOnTheSamePort() {
        assertThat(KubeEndpoint.of("https://127.0.0.1:6443/", "cloud-edge-1.tailnet.ts.net"))
                .isEqualTo(new KubeEndpoint("cloud-edge-1.tailnet.ts.net", 6443));
    }

    @Test
    void aPlainHttpServerIsRefused() {
        assertThatThrownBy(() -> KubeEndpoint.of("http://127.0.0.1:8080", "h")).hasMessageContaining("not https");
    }
}
