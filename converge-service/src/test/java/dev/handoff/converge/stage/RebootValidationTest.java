package dev.handoff.converge.stage;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RebootValidationTest {
    static HostObservation seen(String bootId, String currentKernel, String bootedKernel) {
        return new HostObservation(
                "/nix/store/x-system",
                "c".repeat(40),
                2,
                "running",
                List.of(),
                Map.of("k3s", "active", "tailscaled", "active"),
                true,
                currentKernel,
                bootedKernel,
                bootId);
    }

    @Test
    void aRebootIsValidatedWhenPendingOrAskedFor() {
        assertThat(RebootValidation.needed(true, false)).isTrue();
        assertThat(RebootValidation.needed(false, true)).isTrue();
        assertThat(RebootValidation.needed(false, false)).isFalse();
    }

    @Test
    void aPendingRebootIsSeenWhenBootedAndCurrentKernelDiffer() {
        assertThat(seen("b1", "/nix/store/k2", "/nix/store/k1").rebootPending()).isTrue();
        assertThat(seen("b1", "/nix/store/k2", "/nix/store/k2").rebootPending()).isFalse();
    }

    @Test
    void aNewBootIdWithNothingPendingPasses() {
        // When
        var check = RebootValidation.check("boot-1", seen("boot-2", "/nix/store/k2", "/nix/store/k2"));

        // Then
        assertThat(check.passed()).isTrue();
        assertThat(check.detail()).contains("boot-1 -> boot-2");
    }

    @Test
    void theSameBootIdFails() {
        // When
        var check = RebootValidation.check("boot-1", seen("boot-1", "/nix/store/k2", "/nix/store/k2"));

        // Then
        assertThat(check.passed()).isFalse();
        assertThat(check.detail()).contains("did not reboot");
    }
}
