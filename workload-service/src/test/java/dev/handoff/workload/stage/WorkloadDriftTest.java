package dev.handoff.workload.stage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.handoff.common.event.v1.StageFailed.Detail;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the scheduled check calls a drift, and when two reads are the same drift. */
class WorkloadDriftTest {
    private static final Instant VERIFIED = Instant.parse("2026-12-07T05:40:12Z");

    private static final Detail PORT = new Detail(
            "port-unreachable",
            "Deployment/rustdesk/hbbs",
            "cloud-edge-1.tailnet.ts.net:21115/TCP does not answer from Handoff: connection refused");
    private static final Detail CRASH = new Detail(
            "crash-loop",
            "Deployment/rustdesk/hbbr",
            "pod hbbr-0 container hbbr is crash-looping: restart count 3 → 4");

    @Test
    void whatAReadOfTheHostJudgesIsADriftWhileAHostThatCannotBeReadIsNot() {
        assertThat(WorkloadDrift.isDrift(List.of(PORT, CRASH))).isTrue();
        assertThat(WorkloadDrift.isDrift(
                        List.of(new Detail("rustdesk-key-changed", "Deployment/rustdesk/hbbs", "changed from A to B"))))
                .isTrue();
        assertThat(WorkloadDrift.isDrift(
                        List.of(new Detail("ssh-unreachable", "cloud-edge-1 cloud-edge-1.tailnet.ts.net", "refused"))))
                .isFalse();
        assertThat(WorkloadDrift.isDrift(List.of(new Detail("api-unreachable", "cloud-edge-1", "timeout"))))
                .isFalse();
        assertThat(WorkloadDrift.isDrift(List.of())).isFalse();
    }

    @Test
    void theSameFindingsAreTheSameDriftHoweverTheyReadNowAndInWhateverOrder() {
        // Given: the next round reads a higher restart count and lists the findings the other way round
        Detail crashLater = new Detail(
                "crash-loop", "Deployment/rustdesk/hbbr", "pod hbbr-0 container hbbr is crash-looping: 7 → 9");

        // When
        WorkloadDrift first = WorkloadDrift.of("cloud-edge-1", VERIFIED, List.of(PORT, CRASH));
        WorkloadDrift later = WorkloadDrift.of("cloud-edge-1", VERIFIED, List.of(crashLater, PORT));
        WorkloadDrift fewer = WorkloadDrift.of("cloud-edge-1", VERIFIED, List.of(PORT));

        // Then
        assertThat(later.fingerprint()).isEqualTo(first.fingerprint());
        assertThat(fewer.fingerprint()).isNotEqualTo(first.fingerprint());
        assertThat(first.fingerprint())
                .isEqualTo("Deployment/rustdesk/hbbr crash-loop; Deployment/rustdesk/hbbs port-unreachable");
    }

    @Test
    void theMessageNamesTheHostWhatDiffersSinceWhenAndWhatToDo() {
        // When
        String message =
                WorkloadDrift.of("cloud-edge-1", VERIFIED, List.of(PORT)).message();

        // Then
        assertThat(message)
                .startsWith("cloud-edge-1: ")
                .contains("2026-12-07T05:40:12Z", "Deployment/rustdesk/hbbs port-unreachable", "21115/TCP")
                .contains("converge it again", "until a workload run completes");
    }
}
