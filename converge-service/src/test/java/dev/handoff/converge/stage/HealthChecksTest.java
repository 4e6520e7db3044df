package dev.handoff.converge.stage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.handoff.common.event.v1.Convergence.Check;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HealthChecksTest {
    @Test
    void aDegradedSystemNamesItsFailedUnits() {
        // Given
        HostObservation seen = new HostObservation(
                "/nix/store/new",
                "c".repeat(40),
                2,
                "degraded",
                List.of("k3s.service"),
                new java.util.LinkedHashMap<>(Map.of("k3s", "failed", "tailscaled", "active")),
                true,
                "/k",
                "/k",
                "b");

        // When
        List<Check> checks = HealthChecks.evaluate(seen, "/nix/store/new", "c".repeat(40));

        // Then
        assertThat(checks)
                .filteredOn(c -> !c.passed())
                .extracting(Check::name)
                .containsExactly("system-running", "k3s-active");
        assertThat(checks)
                .filteredOn(c -> c.name().equals("system-running"))
                .singleElement()
                .satisfies(c -> assertThat(c.detail()).contains("degraded", "k3s.service"));
    }

    @Test
    void aDifferentSystemOrRevisionFails() {
        // Given
        HostObservation seen = new HostObservation(
                "/nix/store/old",
                "d".repeat(40),
                1,
                "running",
                List.of(),
                Map.of("k3s", "active", "tailscaled", "active"),
                true,
                "/k",
                "/k",
                "b");

        // When
        List<Check> checks = HealthChecks.evaluate(seen, "/nix/store/new", "c".repeat(40));

        // Then
        assertThat(checks)
                .filteredOn(c -> !c.passed())
                .extracting(Check::name)
                .containsExactly("current-system", "configuration-revision");
    }

    @Test
    void anEdgeHostNeedsK3sAndTailscaleAControlHostOnlyTailscale() {
        assertThat(HealthChecks.requiredUnits(dev.handoff.common.inventory.Inventory.Role.EDGE))
                .containsExactly("k3s", "tailscaled");
        assertThat(HealthChecks.requiredUnits(dev.handoff.common.inventory.Inventory.Role.CONTROL))
                .containsExactly("tailscaled");
    }

    @Test
    void aSystemNobodySaidWasBuiltIsNotProvenCurrent() {
        // Given: an activator that did not say which system it built (nixos-rebuild prints no store path)
        HostObservation seen = new HostObservation(
                "/nix/store/whatever",
                "c".repeat(40),
                2,
                "running",
                List.of(),
                new java.util.LinkedHashMap<>(Map.of("k3s", "active", "tailscaled", "active")),
                true,
                "/k",
                "/k",
                "b");

        // When
        List<Check> checks = HealthChecks.evaluate(seen, null, "c".repeat(40));

        // Then
        assertThat(checks)
                .filteredOn(c -> c.name().equals("current-system"))
                .singleElement()
                .satisfies(c -> {
                    assertThat(c.passed()).isFalse();
                    assertThat(c.detail()).contains("did not say which system it built");
                });
        assertThat(HealthChecks.allPassed(checks)).isFalse();
    }
}
