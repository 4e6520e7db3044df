package dev.handoff.backup.stage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.handoff.backup.stage.InfraStateCheck.Archive;
import dev.handoff.backup.stage.InfraStateCheck.Stack;
import dev.handoff.backup.stage.InfraStateCheck.StateHeader;
import dev.handoff.common.event.v1.Backup;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class InfraStateCheckTest {
    static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");
    static final Duration MAX = Duration.ofDays(8);

    static Stack stack(long live, Optional<Archive> archive) {
        return new Stack("ops_infra/stacks_compute", new StateHeader("L", live), archive);
    }

    static Optional<Archive> archive(String lineage, long serial, Instant taken) {
        return Optional.of(
                new Archive("a.tfstate.gz", taken, Optional.empty(), Optional.of(new StateHeader(lineage, serial))));
    }

    @Test
    void anArchiveOfTheSameLineageNotAheadOfTheLiveStateHolds() {
        var r = InfraStateCheck.evaluate("h", "infra-state", List.of(stack(4, archive("L", 3, NOW))), NOW, MAX);
        assertThat(r.findings()).isEmpty();
        assertThat(r.archives()).containsExactly("a.tfstate.gz");
        assertThat(InfraStateCheck.evaluate("h", "infra-state", List.of(stack(3, archive("L", 3, NOW))), NOW, MAX)
                        .findings())
                .isEmpty();
    }

    @Test
    void eachBrokenPropertyHasItsReason() {
        assertThat(codes(stack(4, Optional.empty()))).containsExactly("archive-missing");
        assertThat(codes(stack(4, archive("other", 3, NOW)))).containsExactly("lineage-mismatch");
        assertThat(codes(stack(2, archive("L", 3, NOW)))).containsExactly("serial-behind");
        assertThat(codes(stack(4, archive("L", 3, NOW.minus(Duration.ofDays(9))))))
                .containsExactly("stale");
        assertThat(codes(stack(
                        4,
                        Optional.of(new Archive(
                                "a", NOW, Optional.of("has sha256 x but its .sha256 file says y"), Optional.empty())))))
                .containsExactly("archive-checksum");
        assertThat(InfraStateCheck.evaluate("h", "infra-state", List.of(), NOW, MAX)
                        .findings())
                .extracting(Finding::code)
                .containsExactly("no-state");
    }

    @Test
    void onlyEmptyArchivesCompareNothingWithTheLiveStates() {
        // Given: archives taken before a first apply hold no state
        Optional<Archive> empty = Optional.of(new Archive("e.tfstate.gz", NOW, Optional.empty(), Optional.empty()));
        Stack network = new Stack("ops_infra/stacks_network", new StateHeader("N", 5), empty);

        // When / Then: with nothing else compared, the rehearsal is not-compared
        var alone = InfraStateCheck.evaluate("h", "infra-state", List.of(stack(4, empty), network), NOW, MAX);
        assertThat(alone.findings()).extracting(Finding::code).containsExactly("rehearsal-not-compared");
        assertThat(alone.findings().get(0).message())
                .contains("ops_infra/stacks_compute, ops_infra/stacks_network")
                .contains("not-compared");
        // an empty archive beside one whose lineage and serial were compared still passes on its checksum
        assertThat(InfraStateCheck.evaluate(
                                "h", "infra-state", List.of(stack(4, archive("L", 3, NOW)), network), NOW, MAX)
                        .findings())
                .isEmpty();
    }

    @Test
    void theRunReportPublishesCompletedFirstAndOneFailureListingEveryBrokenContract() {
        Backup facts = new Backup("h", "runtime", "/r", NOW, 1, 2, List.of("/p"), "passed", null);
        List<ContractOutcome> outcomes = List.of(
                new ContractOutcome.Broken(
                        "control-plane", List.of(new Finding("stale", "control-plane", "", "h: old", false))),
                new ContractOutcome.Holds(facts),
                new ContractOutcome.Broken(
                        "infra-state", List.of(new Finding("archive-missing", "infra-state", "s", "h: none", false))));
        assertThat(RunReport.completed(outcomes)).containsExactly(facts);
        RunReport.Failure f = RunReport.failure("h", outcomes).orElseThrow();
        assertThat(f.reason()).isEqualTo("stale");
        assertThat(f.message())
                .startsWith("h: 2 of 3 recovery contracts broken")
                .contains("infra-state (archive-missing)");
        assertThat(f.details()).extracting(d -> d.subject()).containsExactly("control-plane", "infra-state:s");
        assertThat(RunReport.failure("h", List.of(new ContractOutcome.Holds(facts))))
                .isEmpty();
    }

    private static List<String> codes(Stack s) {
        return InfraStateCheck.evaluate("h", "infra-state", List.of(s), NOW, MAX).findings().stream()
                .map(Finding::code)
                .toList();
    }
}
