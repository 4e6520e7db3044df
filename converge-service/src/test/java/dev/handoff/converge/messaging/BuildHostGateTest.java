package dev.handoff.converge.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import dev.handoff.common.inventory.Inventory;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Which host's convergence has the build host to itself: the one reached at handoff.converge.build-host's address. */
class BuildHostGateTest {
    private static final String BUILD_HOST = "forgejo-pi.tailnet.ts.net";

    @Test
    void theHostReachedAtTheBuildHostsAddressIsTheBuildHost() {
        assertThat(ConvergeStageHandler.isBuildHost(host("forgejo-pi", null, BUILD_HOST), BUILD_HOST))
                .isTrue();
        assertThat(ConvergeStageHandler.isBuildHost(host("forgejo-pi", BUILD_HOST, "other"), BUILD_HOST))
                .isTrue();
    }

    @Test
    void aFleetHostWithOnlySteadyAccessOrNoAccessOrNotInTheInventoryIsNot() {
        assertThat(ConvergeStageHandler.isBuildHost(host("fleet-0001", null, "fleet-0001.tailnet.ts.net"), BUILD_HOST))
                .isFalse();
        assertThat(ConvergeStageHandler.isBuildHost(host("edge", "cloud:publicIp", null), BUILD_HOST))
                .isFalse();
        assertThat(ConvergeStageHandler.isBuildHost(
                        new Inventory.Host(
                                "bare",
                                Inventory.Role.EDGE,
                                List.of(),
                                Optional.empty(),
                                Optional.empty(),
                                Optional.empty(),
                                List.of(),
                                List.of()),
                        BUILD_HOST))
                .isFalse();
        assertThat(ConvergeStageHandler.isBuildHost(null, BUILD_HOST)).isFalse();
    }

    private static Inventory.Host host(String name, String bootstrap, String steady) {
        return new Inventory.Host(
                name,
                Inventory.Role.EDGE,
                List.of("ops/nix-k3s-edge-cluster"),
                Optional.empty(),
                Optional.of(new Inventory.Access(
                        bootstrap == null ? null : new Inventory.Endpoint("root", bootstrap),
                        steady == null ? null : new Inventory.Endpoint("root", steady))),
                Optional.empty(),
                List.of(),
                List.of());
    }
}
