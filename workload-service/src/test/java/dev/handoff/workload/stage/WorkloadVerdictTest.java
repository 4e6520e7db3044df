package dev.handoff.workload.stage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.handoff.common.event.v1.StageFailed.Detail;
import dev.handoff.workload.stage.ObservedObject.ObservedContainer;
import dev.handoff.workload.stage.ObservedObject.ObservedPod;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WorkloadVerdictTest {
    private static final String ADDRESS = "cloud-edge-1.tailnet.ts.net";

    private final List<DeclaredObject> declared;

    WorkloadVerdictTest() throws Exception {
        declared = Manifests.parse("rustdesk.yaml", ManifestsTest.rustdesk());
    }

    @Test
    void everythingRunningAndAnsweringIsClean() {
        // When
        WorkloadVerdict.Result result = WorkloadVerdict.judge(ADDRESS, healthy(0), allPorts(true), Map.of());

        // Then
        assertThat(result.clean()).isTrue();
        assertThat(result.objects()).allMatch(o -> o.ready());
        assertThat(result.objects().get(1).ports()).hasSize(4);
    }

    @Test
    void aRisingRestartCountIsACrashLoopEvenWhileTheContainerRuns() {
        // Given
        WorkloadVerdict.Result first = WorkloadVerdict.judge(ADDRESS, healthy(1), allPorts(true), Map.of());

        // When
        WorkloadVerdict.Result second = WorkloadVerdict.judge(ADDRESS, healthy(2), allPorts(true), first.restarts());

        // Then
        assertThat(first.clean()).isTrue();
        assertThat(second.findings()).extracting(Detail::code).contains("crash-loop");
        assertThat(WorkloadVerdict.mainReason(second.findings())).isEqualTo("crash-loop");
    }

    @Test
    void aMissingObjectAndAnUnreachablePortAreNamed() {
        // Given
        List<ObservedObject> observed = healthy(0);
        observed = List.of(ObservedObject.missing(declared.get(0)), observed.get(1), observed.get(2));

        // When
        WorkloadVerdict.Result result = WorkloadVerdict.judge(
                ADDRESS, observed, Map.of(21115, new PortProbe(21115, false, "connection refused")), Map.of());

        // Then
        assertThat(result.findings())
                .extracting(d -> d.code() + " " + d.subject())
                .contains("missing Namespace/rustdesk", "port-unreachable Deployment/rustdesk/hbbs");
        assertThat(WorkloadVerdict.mainReason(result.findings())).isEqualTo("missing");
    }

    @Test
    void imagesAreComparedWithRegistryAndTagDefaults() {
        assertThat(WorkloadVerdict.sameImage("nginx", "docker.io/library/nginx:latest"))
                .isTrue();
        assertThat(WorkloadVerdict.sameImage(
                        "rustdesk/rustdesk-server:1.1.14", "docker.io/rustdesk/rustdesk-server:1.1.14"))
                .isTrue();
        assertThat(WorkloadVerdict.sameImage("rustdesk/rustdesk-server:1.1.14", "rustdesk/rustdesk-server:1.1.15"))
                .isFalse();
    }

    private List<ObservedObject> healthy(int restarts) {
        return declared.stream()
                .map(d -> d.workload()
                        ? new ObservedObject(
                                d,
                                true,
                                1L,
                                1L,
                                1,
                                1,
                                List.of(new ObservedPod(
                                        d.name() + "-abc",
                                        true,
                                        true,
                                        List.of("/var/lib/rustdesk"),
                                        d.containers().stream()
                                                .map(c -> new ObservedContainer(
                                                        c.name(),
                                                        c.image(),
                                                        c.image(),
                                                        restarts,
                                                        null,
                                                        null,
                                                        c.ports().stream()
                                                                .map(DeclaredObject.Port::containerPort)
                                                                .toList()))
                                                .toList())))
                        : new ObservedObject(d, true, null, null, 0, 0, List.of()))
                .toList();
    }

    private static Map<Integer, PortProbe> allPorts(boolean reachable) {
        return Map.of(
                21115, new PortProbe(21115, reachable, "connected"),
                21116, new PortProbe(21116, reachable, "connected"),
                21117, new PortProbe(21117, reachable, "connected"),
                21118, new PortProbe(21118, reachable, "connected"),
                21119, new PortProbe(21119, reachable, "connected"));
    }
}
