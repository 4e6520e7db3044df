package dev.handoff.converge.stage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.handoff.common.event.v1.Convergence.Check;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConfirmDecisionTest {
    @Test
    void aNewConnectionAndPassingChecksConfirm() {
        // Given
        List<Check> checks = List.of(new Check("k3s-active", true, "k3s.service is active"));

        // When / Then
        assertThat(ConfirmDecision.decide("cloud-edge-1", 3, true, Duration.ofSeconds(30), checks))
                .isEmpty();
    }

    @Test
    void noNewConnectionWithinTheTimeoutRollsBack() {
        // When
        var decision = ConfirmDecision.decide("cloud-edge-1", 3, false, Duration.ofSeconds(30), List.of());

        // Then
        assertThat(decision).hasValueSatisfying(r -> {
            assertThat(r.reason()).isEqualTo("confirm-timeout");
            assertThat(r.message()).contains("cloud-edge-1", "30 s", "generation 3");
        });
    }

    @Test
    void aFailedCheckRollsBackNamingIt() {
        // Given
        List<Check> checks = List.of(
                new Check("current-system", true, "ok"), new Check("k3s-active", false, "k3s.service is failed"));

        // When
        var decision = ConfirmDecision.decide("cloud-edge-1", 3, true, Duration.ofSeconds(30), checks);

        // Then
        assertThat(decision).hasValueSatisfying(r -> {
            assertThat(r.reason()).isEqualTo("check-failed");
            assertThat(r.details())
                    .singleElement()
                    .satisfies(d -> assertThat(d.subject()).isEqualTo("k3s-active"));
        });
    }
}
