package dev.handoff.converge.stage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.handoff.common.event.v1.Convergence;
import dev.handoff.common.event.v1.ConvergenceDrifted.Difference;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DriftCheckTest {
    private static final String COMMIT = "c".repeat(40);
    private static final Convergence CONVERGED = new Convergence(
            "edge-1",
            "ops/nix-k3s-edge-cluster",
            COMMIT,
            "/nix/store/new",
            5,
            COMMIT,
            "boot-1",
            false,
            Convergence.AccessPhase.STEADY,
            List.of(new Convergence.Check("current-system", true, "ok")));

    private static HostObservation seen(
            String system, long generation, String revision, List<String> failed, String kernel) {
        return new HostObservation(
                system,
                revision,
                generation,
                failed.isEmpty() ? "running" : "degraded",
                failed,
                Map.of("k3s", "active", "tailscaled", "active"),
                true,
                kernel,
                "/k",
                "boot-1");
    }

    @Test
    void aHostRunningWhatWasConvergedIsInSync() {
        // When
        List<Difference> differences =
                DriftCheck.differences(CONVERGED, seen("/nix/store/new", 5, COMMIT, List.of(), "/k"));

        // Then
        assertThat(differences).isEmpty();
    }

    @Test
    void aRollbackByHandNamesSystemGenerationAndRevisionExpectedAgainstObserved() {
        // When
        List<Difference> differences =
                DriftCheck.differences(CONVERGED, seen("/nix/store/old", 4, "a".repeat(40), List.of(), "/k"));

        // Then
        assertThat(differences)
                .containsExactly(
                        new Difference("systemPath", "/nix/store/new", "/nix/store/old"),
                        new Difference("generation", "5", "4"),
                        new Difference("configurationRevision", COMMIT, "a".repeat(40)));
        assertThat(DriftCheck.message("edge-1", "d-1", CONVERGED, differences, null))
                .contains("edge-1", "d-1", "ops/nix-k3s-edge-cluster@ccccccc", "systemPath, generation")
                .contains("onDrift: reconverge");
    }

    @Test
    void aFailedUnitAndAPendingRebootAreDriftTooAndTheSameFindingsGiveTheSameFingerprint() {
        // When
        List<Difference> differences =
                DriftCheck.differences(CONVERGED, seen("/nix/store/new", 5, COMMIT, List.of("k3s.service"), "/k2"));

        // Then
        assertThat(differences).extracting(Difference::field).containsExactly("failedUnits", "rebootPending");
        assertThat(differences.get(0).observed()).isEqualTo("k3s.service");
        assertThat(DriftCheck.fingerprint(differences))
                .isEqualTo(DriftCheck.fingerprint(DriftCheck.differences(
                        CONVERGED, seen("/nix/store/new", 5, COMMIT, List.of("k3s.service"), "/k2"))))
                .isNotEqualTo(DriftCheck.fingerprint(DriftCheck.differences(
                        CONVERGED, seen("/nix/store/new", 5, COMMIT, List.of("tailscaled.service"), "/k2"))));
    }
}
