package dev.handoff.converge.stage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.handoff.common.event.v1.CloudFacts;
import dev.handoff.common.event.v1.Convergence.AccessPhase;
import dev.handoff.common.inventory.Inventory;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AccessPlanTest {
    static final Inventory.Host HOST = new Inventory.Host(
            "cloud-edge-1",
            Inventory.Role.EDGE,
            List.of("ops/nix-k3s-edge-cluster"),
            Optional.of(new Inventory.Cloud("oci", "eu-frankfurt-1", "ocid1.instance", "ocid1.compartment")),
            Optional.of(new Inventory.Access(
                    new Inventory.Endpoint("root", "cloud:publicIp"),
                    new Inventory.Endpoint("root", "cloud-edge-1.tailnet.ts.net"))),
            Optional.empty(),
            List.of(),
            List.of());

    static CloudFacts cloud(String publicIp) {
        return new CloudFacts(
                "cloud-edge-1",
                "oci",
                "eu-frankfurt-1",
                "ocid1.instance",
                "10.0.1.5",
                publicIp,
                "ocid1.subnet",
                List.of(),
                null,
                Instant.parse("2026-11-25T10:00:00Z"));
    }

    @Test
    void aNewHostIsReachedOnItsPublicIpFromTheCloudFactsWithSteadyAsTheOtherPath() {
        // Given
        Optional<CloudFacts> facts = Optional.of(cloud("203.0.113.10"));

        // When
        AccessPlan plan = AccessPlan.choose(HOST, facts, false);

        // Then
        assertThat(plan.phase()).isEqualTo(AccessPhase.BOOTSTRAP);
        assertThat(plan.primary().address()).isEqualTo("203.0.113.10");
        assertThat(plan.primary().user()).isEqualTo("root");
        assertThat(plan.steady()).map(AccessPlan.Target::address).contains("cloud-edge-1.tailnet.ts.net");
    }

    @Test
    void aHostThatReachedSteadyAccessIsOnlyReachedThereWithBootstrapKeptForRollback() {
        // Given
        Optional<CloudFacts> facts = Optional.of(cloud("203.0.113.10"));

        // When
        AccessPlan plan = AccessPlan.choose(HOST, facts, true);

        // Then
        assertThat(plan.phase()).isEqualTo(AccessPhase.STEADY);
        assertThat(plan.primary().address()).isEqualTo("cloud-edge-1.tailnet.ts.net");
        assertThat(plan.fallback()).map(AccessPlan.Target::address).contains("203.0.113.10");
    }

    @Test
    void bootstrapOnACloudAddressWithoutCloudFactsFailsNamingHostAndWhatToDo() {
        // Given no cloud facts

        // When / Then
        assertThatThrownBy(() -> AccessPlan.choose(HOST, Optional.empty(), false))
                .hasMessageContaining("hosts.cloud-edge-1.access.bootstrap")
                .hasMessageContaining("no cloud facts of cloud-edge-1")
                .hasMessageContaining("infra stage");
    }

    @Test
    void cloudFactsWithoutAPublicIpCannotServeBootstrap() {
        // Given
        Optional<CloudFacts> facts = Optional.of(cloud(null));

        // When / Then
        assertThatThrownBy(() -> AccessPlan.choose(HOST, facts, false)).hasMessageContaining("have none");
    }
}
