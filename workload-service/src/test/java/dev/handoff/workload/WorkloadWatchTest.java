package dev.handoff.workload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.handoff.common.event.EventEnvelope;
import dev.handoff.common.event.EventType;
import dev.handoff.common.event.Topics;
import dev.handoff.common.event.v1.Convergence;
import dev.handoff.common.lock.HostLock;
import dev.handoff.common.messaging.EventPublisher;
import dev.handoff.common.serde.EventCodec;
import dev.handoff.lab.KafkaTestResource;
import dev.handoff.lab.LabKafka;
import dev.handoff.lab.MetricsPage;
import dev.handoff.lab.PostgresTestResource;
import dev.handoff.lab.TopicRecords;
import dev.handoff.lab.world.kube.KubeFaults;
import dev.handoff.lab.world.nixos.NixosNode;
import dev.handoff.support.ssh.HostKeyPins;
import dev.handoff.support.ssh.TopicHostKeyPins;
import dev.handoff.support.watch.Round;
import dev.handoff.workload.messaging.WatchSchedule;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The workload stage's scheduled check end to end: the embedded broker, its PostgreSQL database, simulated NixOS hosts
 * with their simulated K3s (faults switched in {@code kube-faults.properties}) and real TCP connects. Rounds run on
 * demand ({@code handoff.workload.watch.interval=off} in tests), through the same {@link WatchSchedule} the scheduler
 * calls. Each test works on its own host.
 */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(
        value = PostgresTestResource.class,
        initArgs = @ResourceArg(name = "prefix", value = "handoff_workload_watch_test"),
        restrictToAnnotatedClass = true)
@QuarkusTestResource(value = WorkloadLabResource.class, restrictToAnnotatedClass = true)
class WorkloadWatchTest {
    @TestHTTPResource("/q/metrics")
    URI metricsUri;

    // the world around the stage publishes as the lab's admin: the stage's own identity may not
    EventPublisher publisher = LabKafka.shared().worldPublisher();

    @Inject
    EventCodec codec;

    @Inject
    AgroalDataSource dataSource;

    @Inject
    WatchSchedule watch;

    @Test
    void aPortThatStopsAnsweringIsReportedOnceAsDriftAndForgottenWhenARunCompletesAgain() throws Exception {
        // Given: a host whose workloads a run verified
        String host = "edge-watch";
        WorkloadLab lab = WorkloadLabResource.lab();
        lab.activate(host, null);
        String verifiedBy = converged(host);
        assertThat(outcome(verifiedBy).get(1).type()).isEqualTo(EventType.WORKLOAD_COMPLETED.type());
        double reportedRounds = metric("handoff_watch_rounds_total", "stage=\"workload\"", "result=\"reported\"");

        // When: a round finds everything as verified
        int before = events(host).size();
        Round quiet = round();

        // Then: it publishes nothing
        assertThat(quiet.reported()).doesNotContain(host);
        assertThat(quiet.failed()).doesNotContainKey(host);
        assertThat(events(host)).hasSize(before);

        // When: a declared port stops answering between pushes
        KubeFaults faults = lab.kube(host).faults();
        faults.portNotListening(21115);
        Round drifted = await().atMost(Duration.ofSeconds(60))
                .until(this::round, r -> r.reported().contains(host));

        // Then: one new deployment of trigger "schedule", failed with reason drift naming the object and the port
        List<EventEnvelope> report = events(host).subList(before, events(host).size());
        assertThat(report)
                .extracting(EventEnvelope::type)
                .containsExactly(EventType.WORKLOAD_STARTED.type(), EventType.WORKLOAD_FAILED.type());
        assertThat(report.get(0).data().path("triggerType").asText()).isEqualTo("schedule");
        assertThat(report.get(0).deploymentId())
                .isEqualTo(report.get(1).deploymentId())
                .isNotEqualTo(verifiedBy);
        JsonNode failed = report.get(1).data();
        assertThat(failed.path("reason").asText()).isEqualTo("drift");
        assertThat(failed.path("message").asText()).contains(host, "port-unreachable");
        JsonNode port = detail(failed, "port-unreachable");
        assertThat(port.path("message").asText()).contains(host + ".tailnet.ts.net:21115/TCP");
        assertThat(drifted.result()).isIn("reported", "failed");
        assertThat(metric("handoff_watch_rounds_total", "stage=\"workload\"", "result=\"reported\""))
                .isGreaterThan(reportedRounds);
        assertThat(metric("handoff_watch_last_round_timestamp_seconds", "stage=\"workload\""))
                .isGreaterThan(System.currentTimeMillis() / 1000.0 - 600);

        // When: the next round finds the same drift
        int reported = events(host).size();
        Round again = round();

        // Then: nothing more is published
        assertThat(again.reported()).doesNotContain(host);
        assertThat(events(host)).hasSize(reported);

        // When: the port answers again and a run verifies the host again
        faults.clear(KubeFaults.Fault.PORT_NOT_LISTENING);
        assertThat(outcome(converged(host)).get(1).type()).isEqualTo(EventType.WORKLOAD_COMPLETED.type());

        // Then: the drift is forgotten: a round is quiet, and the same fault later is a new drift, reported again
        int verified = events(host).size();
        assertThat(round().reported()).doesNotContain(host);
        assertThat(events(host)).hasSize(verified);
        faults.portNotListening(21115);
        await().atMost(Duration.ofSeconds(60))
                .until(this::round, r -> r.reported().contains(host));
        assertThat(events(host).subList(verified, events(host).size()))
                .extracting(EventEnvelope::type)
                .containsExactly(EventType.WORKLOAD_STARTED.type(), EventType.WORKLOAD_FAILED.type());
    }

    @Test
    void aHostARunIsVerifyingIsLeftToTheRunAndCheckedByTheNextRound() throws Exception {
        // Given: a verified host whose port stopped answering, and a run of it holding its lock
        String host = "edge-watch-busy";
        WorkloadLab lab = WorkloadLabResource.lab();
        lab.activate(host, null);
        assertThat(outcome(converged(host)).get(1).type()).isEqualTo(EventType.WORKLOAD_COMPLETED.type());
        lab.kube(host).faults().portNotListening(21116);
        int before = events(host).size();

        // When
        Round busy;
        try (HostLock.Held run = new HostLock(dataSource, "workload").acquire(host)) {
            busy = round();
        }

        // Then: the round left the host alone, and the next one reports its drift
        assertThat(busy.reported()).doesNotContain(host);
        assertThat(busy.failed()).doesNotContainKey(host);
        assertThat(events(host)).hasSize(before);
        await().atMost(Duration.ofSeconds(60))
                .until(this::round, r -> r.reported().contains(host));
        assertThat(detail(events(host).get(before + 1).data(), "port-unreachable")
                        .path("message")
                        .asText())
                .contains(":21116/TCP");
    }

    @Test
    void aRustdeskKeyChangedBetweenPushesIsReportedByFingerprintAndNeverTakenAsTheHostsKey() throws Exception {
        // Given: a verified RustDesk host whose key pair is then replaced on the host, with no rotation declared
        String host = "edge-watch-key";
        WorkloadLab lab = WorkloadLabResource.lab();
        lab.activate(host, null);
        assertThat(outcome(converged(host)).get(1).type()).isEqualTo(EventType.WORKLOAD_COMPLETED.type());
        List<String> recorded = rustdeskKeys(host);
        Path publicKey = lab.node(host).file("/var/lib/rustdesk/id_ed25519.pub");
        String oldKey = Files.readString(publicKey);
        lab.kube(host).faults().rotateKey();
        await().atMost(Duration.ofSeconds(10))
                .until(() -> !Files.readString(publicKey).equals(oldKey));
        int before = events(host).size();

        // When
        await().atMost(Duration.ofSeconds(60))
                .until(this::round, r -> r.reported().contains(host));

        // Then: a drift naming the object and both fingerprints; the recorded key stays the verified one
        JsonNode failed = events(host).get(before + 1).data();
        assertThat(failed.path("reason").asText()).isEqualTo("drift");
        JsonNode changed = detail(failed, "rustdesk-key-changed");
        assertThat(changed.path("subject").asText()).isEqualTo("Deployment/rustdesk/hbbs");
        assertThat(changed.path("message").asText()).contains(recorded.get(0), "SHA256:");
        assertThat(rustdeskKeys(host)).isEqualTo(recorded);
        // and the key material itself is in no event of the host (only fingerprints)
        String privateKey = Files.readString(lab.node(host).file("/var/lib/rustdesk/id_ed25519"));
        String newPublicKey = Files.readString(publicKey).trim();
        assertThat(events(host))
                .allSatisfy(e -> assertThat(e.data().toString())
                        .doesNotContain(privateKey.trim())
                        .doesNotContain(newPublicKey));
    }

    // ---- helpers ----------------------------------------------------------------------------------------------

    private List<String> rustdeskKeys(String host) throws Exception {
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement("SELECT fingerprint FROM rustdesk_keys WHERE host = ?")) {
            s.setString(1, host);
            try (ResultSet r = s.executeQuery()) {
                List<String> out = new java.util.ArrayList<>();
                while (r.next()) {
                    out.add(r.getString(1));
                }
                return out;
            }
        }
    }

    private Round round() {
        return watch.round().orElseThrow();
    }

    /** The host's events on the workload topic, in order. */
    private static List<EventEnvelope> events(String host) {
        return TopicRecords.events(LabKafka.shared().bootstrapServers(), Topics.WORKLOAD).stream()
                .filter(e -> host.equals(e.subject()))
                .toList();
    }

    /**
     * Publishes a convergence.completed of {@code host} as converge-service would, after the pin it writes at the
     * host's first bootstrap; returns its deployment.
     */
    private String converged(String host) throws Exception {
        WorkloadLab lab = WorkloadLabResource.lab();
        String kafka = LabKafka.shared().bootstrapServers();
        try (TopicHostKeyPins pins = new TopicHostKeyPins(
                kafka, "converge-service", new EventCodec(), Duration.ofSeconds(30), LabKafka.adminSecurity(kafka))) {
            pins.pin(host, HostKeyPins.pinOf(lab.hostKey(host)));
        }
        String commit = lab.commit(host);
        Convergence convergence = new Convergence(
                host,
                WorkloadLab.RUNTIME,
                commit,
                "/nix/store/" + "0".repeat(32) + "-nixos-system-" + host + "-" + NixosNode.NIXOS_VERSION,
                2,
                commit,
                UUID.randomUUID().toString(),
                false,
                Convergence.AccessPhase.STEADY,
                List.of(new Convergence.Check("k3s-active", true, "active")));
        String deployment = UUID.randomUUID().toString();
        publisher.publishAll(
                List.of(codec.newEvent(
                        EventType.CONVERGENCE_COMPLETED,
                        "/handoff/converge-service",
                        host,
                        deployment,
                        UUID.randomUUID().toString(),
                        convergence)),
                Duration.ofSeconds(10));
        return deployment;
    }

    private static List<EventEnvelope> outcome(String deployment) {
        return await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(300))
                .until(
                        () -> TopicRecords.events(LabKafka.shared().bootstrapServers(), Topics.WORKLOAD).stream()
                                .filter(e -> deployment.equals(e.deploymentId()))
                                .toList(),
                        events -> events.size() >= 2);
    }

    private static JsonNode detail(JsonNode failed, String code) {
        for (JsonNode d : failed.path("details")) {
            if (d.path("code").asText().equals(code)) {
                return d;
            }
        }
        throw new AssertionError("no " + code + " in " + failed);
    }

    private double metric(String name, String... labels) throws Exception {
        return MetricsPage.sum(MetricsPage.read(metricsUri), name, labels);
    }
}
