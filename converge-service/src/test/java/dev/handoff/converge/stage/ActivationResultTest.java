package dev.handoff.converge.stage;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ActivationResultTest {
    @Test
    void switchToConfigurationCodesMapToReasons() {
        assertThat(ActivationResult.of(2, false, "").reason()).isEqualTo("activation-script-failed");
        assertThat(ActivationResult.of(3, false, "").reason()).isEqualTo("daemon-reload-failed");
        assertThat(ActivationResult.of(4, false, "").reason()).isEqualTo("units-failed");
        assertThat(ActivationResult.of(-1, true, "").reason()).isEqualTo("activation-timeout");
    }

    @Test
    void colmenaExitOneIsReadThroughTheChildCodeItNames() {
        // Given
        String output = "[ERROR]   failure) Child process exited with error code: 4";

        // When
        ActivationResult result = ActivationResult.of(1, false, output);

        // Then
        assertThat(result.switchCode()).isEqualTo(4);
        assertThat(result.reason()).isEqualTo("units-failed");
    }

    @Test
    void theBuiltSystemIsReadFromTheOutput() {
        // When
        ActivationResult result = ActivationResult.of(
                0, false, "      cloud-edge-1 ✅ 1s Built \"/nix/store/abc-nixos-system-cloud-edge-1\"\n");

        // Then
        assertThat(result.succeeded()).isTrue();
        assertThat(result.builtSystem()).contains("/nix/store/abc-nixos-system-cloud-edge-1");
    }
}
