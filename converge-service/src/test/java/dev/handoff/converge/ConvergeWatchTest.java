package dev.handoff.converge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.handoff.common.event.EventEnvelope;
import dev.handoff.common.event.EventType;
import dev.handoff.common.event.Topics;
import dev.handoff.common.event.v1.CloudFacts;
import dev.handoff.common.event.v1.CommitPushed;
import dev.handoff.common.event.v1.SecretFacts;
import dev.handoff.common.messaging.EventPublisher;
import dev.handoff.common.serde.EventCodec;
import dev.handoff.converge.run.ConvergeWatch;
import dev.handoff.lab.KafkaTestResource;
import dev.handoff.lab.LabKafka;
import dev.handoff.lab.MetricsPage;
import dev.handoff.lab.PostgresTestResource;
import dev.handoff.lab.TopicRecords;
import dev.handoff.lab.forge.ForgePush;
import dev.handoff.lab.world.nixos.NixosNode;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The watch against simulated NixOS hosts over real SSH, the embedded broker and its own PostgreSQL database: a host
 * changed by hand (the lab's {@code system-drift.<host>} fault) is reported once as {@code convergence.drifted}, with
 * {@code onDrift: reconverge} converged back, and a host being converged is left alone. Each test works on its own
 * host; the rounds are run by the test ({@code %test} schedules none).
 */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(
        value = PostgresTestResource.class,
        initArgs = @ResourceArg(name = "prefix", value = "handoff_converge_watch_test"),
        restrictToAnnotatedClass = true)
@QuarkusTestResource(value = ConvergeLabResource.class, restrictToAnnotatedClass = true)
class ConvergeWatchTest {
    @TestHTTPResource("/q/metrics")
    URI metricsUri;

    EventPublisher publisher = LabKafka.shared().worldPublisher();

    @Inject
    EventCodec codec;

    @Inject
    ConvergeWatch watch;

    @Inject
    AgroalDataSource dataSource;

    @Test
    void aHostSwitchedBackByHandIsReportedOnceWithWhatDiffersUntilItConvergesAgain() throws Exception {
        // Given a host converged twice, and a round that finds it in sync
        String host = "edge-drift";
        ConvergeLab lab = ConvergeLabResource.lab();
        NixosNode node = lab.node(host).node();
        convergedOnce(host);
        EventEnvelope converged = pushAndAwaitCompleted(lab, host);
        NixosNode.Generation older = node.generations().get(node.generations().size() - 2);
        watch.checkNow();
        assertThat(drifted(host)).as("a host in sync is not reported").isEmpty();
        assertThat(metric("handoff_host_drifted", "host=\"" + host + "\"")).isZero();

        // When someone rolls it back by hand, and the watch looks twice
        lab.faults().systemDrift(host, older.number());
        int first = watch.checkNow();
        int second = watch.checkNow();

        // Then one drift is published, naming what differs against the last convergence
        assertThat(first).isOne();
        assertThat(second).as("the same drift is not published again").isZero();
        List<EventEnvelope> drifts = drifted(host);
        assertThat(drifts).hasSize(1);
        EventEnvelope drift = drifts.get(0);
        assertThat(drift.deploymentId()).isEqualTo(converged.deploymentId());
        assertThat(drift.causationId()).isEqualTo(converged.id());
        JsonNode data = drift.data();
        assertThat(data.path("onDrift").asText()).isEqualTo("report");
        assertThat(data.has("reconvergeDeployment")).isFalse();
        assertThat(data.path("commit").asText())
                .isEqualTo(converged.data().path("commit").asText());
        assertThat(data.path("differences").findValuesAsText("field"))
                .containsExactly("systemPath", "generation", "configurationRevision");
        JsonNode system = data.path("differences").get(0);
        assertThat(system.path("expected").asText())
                .isEqualTo(converged.data().path("systemPath").asText());
        assertThat(system.path("observed").asText()).isEqualTo(older.systemPath());
        assertThat(data.path("differences").get(1).path("observed").asText())
                .isEqualTo(Integer.toString(older.number()));
        assertThat(data.path("message").asText()).contains(host, converged.deploymentId(), "onDrift: reconverge");
        assertThat(node.current().number())
                .as("reported only: nothing converged it")
                .isEqualTo(older.number());
        assertThat(metric("handoff_host_drifted", "host=\"" + host + "\"")).isOne();

        // And a new convergence clears it: the next rounds publish nothing
        pushAndAwaitCompleted(lab, host);
        assertThat(metric("handoff_host_drifted", "host=\"" + host + "\"")).isZero();
        watch.checkNow();
        assertThat(drifted(host)).hasSize(1);
    }

    @Test
    void withOnDriftReconvergeTheHostIsConvergedBackInADeploymentTheDriftCaused() throws Exception {
        // Given a host whose handoff.yaml says onDrift: reconverge, converged twice
        String host = ConvergeLab.RECONVERGES;
        ConvergeLab lab = ConvergeLabResource.lab();
        NixosNode node = lab.node(host).node();
        convergedOnce(host);
        EventEnvelope converged = pushAndAwaitCompleted(lab, host);
        String system = converged.data().path("systemPath").asText();
        NixosNode.Generation older = node.generations().get(node.generations().size() - 2);

        // When it is switched back by hand and the watch looks
        lab.faults().systemDrift(host, older.number());
        int published = watch.checkNow();

        // Then the drift names the deployment that converges it back, and that run was caused by the drift
        assertThat(published).isOne();
        EventEnvelope drift = drifted(host).get(0);
        assertThat(drift.data().path("onDrift").asText()).isEqualTo("reconverge");
        String reconverge = drift.data().path("reconvergeDeployment").asText();
        assertThat(reconverge).isNotEmpty().isNotEqualTo(converged.deploymentId());
        List<EventEnvelope> run = outcome(reconverge);
        assertThat(run)
                .extracting(EventEnvelope::type)
                .containsExactly(EventType.CONVERGENCE_STARTED.type(), EventType.CONVERGENCE_COMPLETED.type());
        assertThat(run.get(0).causationId()).isEqualTo(drift.id());
        assertThat(run.get(0).data().path("triggerType").asText()).isEqualTo(EventType.CONVERGENCE_DRIFTED.type());
        JsonNode back = run.get(1).data();
        assertThat(back.path("commit").asText())
                .isEqualTo(converged.data().path("commit").asText());
        assertThat(back.path("systemPath").asText()).isEqualTo(system);
        assertThat(node.current().systemPath()).isEqualTo(system);
        assertThat(node.current().revision())
                .isEqualTo(converged.data().path("commit").asText());
        assertThat(back.path("generation").asLong()).isEqualTo(node.current().number());

        // And the host is in sync again: no further drift, no further run
        assertThat(watch.checkNow()).isZero();
        assertThat(drifted(host)).hasSize(1);
        assertThat(metric("handoff_host_drifted", "host=\"" + host + "\"")).isZero();
    }

    @Test
    void aHostBeingConvergedIsSkippedSoTheWatchNeverRacesAnActivation() throws Exception {
        // Given a host converged once, now in the middle of a slow activation
        String host = "edge-drift-busy";
        ConvergeLab lab = ConvergeLabResource.lab();
        NixosNode node = lab.node(host).node();
        convergedOnce(host);
        double quietBefore = metric("handoff_watch_rounds_total", "stage=\"converge\"", "result=\"quiet\"");
        node.activationTime(Duration.ofSeconds(8));
        try {
            lab.write("hosts/" + host + "/revision", UUID.randomUUID().toString());
            String deployment = pushed(host, lab.push(host + ": slow activation"));
            await().atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> eventsOf(deployment).stream()
                            .anyMatch(e -> e.type().equals(EventType.CONVERGENCE_STARTED.type())));

            // When the watch looks while the run holds the host
            watch.checkNow();

            // Then the host was not checked (no drift, though it is switching): a quiet round
            assertThat(drifted(host)).isEmpty();
            assertThat(metric("handoff_watch_rounds_total", "stage=\"converge\"", "result=\"quiet\""))
                    .isGreaterThan(quietBefore);
            assertThat(outcome(deployment).get(1).type()).isEqualTo(EventType.CONVERGENCE_COMPLETED.type());
        } finally {
            node.activationTime(Duration.ZERO);
        }

        // And once the run completed, the host is in sync with it
        watch.checkNow();
        assertThat(drifted(host)).isEmpty();
    }

    // ---- helpers ----------------------------------------------------------------------------------------------

    private static List<EventEnvelope> drifted(String host) {
        return TopicRecords.events(LabKafka.shared().bootstrapServers(), Topics.CONVERGENCE).stream()
                .filter(e -> e.type().equals(EventType.CONVERGENCE_DRIFTED.type()))
                .filter(e -> host.equals(e.subject()))
                .toList();
    }

    private EventEnvelope pushAndAwaitCompleted(ConvergeLab lab, String host) throws Exception {
        lab.write("hosts/" + host + "/revision", UUID.randomUUID().toString());
        List<EventEnvelope> events = outcome(pushed(host, lab.push(host + ": next revision")));
        assertThat(events.get(1).type())
                .as("convergence of %s: %s", host, events.get(1).data())
                .isEqualTo(EventType.CONVERGENCE_COMPLETED.type());
        return events.get(1);
    }

    private void convergedOnce(String host) throws Exception {
        publishCloudFacts(host);
        List<EventEnvelope> events = outcome(publishSecretFacts(host));
        assertThat(events.get(1).type())
                .as("first convergence of %s: %s", host, events.get(1).data())
                .isEqualTo(EventType.CONVERGENCE_COMPLETED.type());
    }

    private void publishCloudFacts(String host) throws Exception {
        CloudFacts cloud = new CloudFacts(
                host,
                "oci",
                "eu-frankfurt-1",
                "ocid1.instance.oc1.." + host,
                "10.0.1.5",
                ConvergeLab.publicIp(host),
                "ocid1.subnet.oc1..lab",
                List.of(),
                null,
                Instant.now());
        publisher.publishAll(
                List.of(codec.newEvent(
                        EventType.CLOUD_FACTS_COMPLETED,
                        "/handoff/infra-service",
                        host,
                        UUID.randomUUID().toString(),
                        null,
                        cloud)),
                Duration.ofSeconds(10));
    }

    private String publishSecretFacts(String host) throws Exception {
        SecretFacts secrets = new SecretFacts(
                host,
                ConvergeLab.SECRETS,
                ConvergeLabResource.lab().secretsCommit(),
                ConvergeLab.RECIPIENT,
                List.of(new SecretFacts.SecretFile(
                        "hosts/" + host + ".yaml",
                        "2".repeat(64),
                        Instant.parse("2026-11-25T09:00:00Z"),
                        List.of(ConvergeLab.RECIPIENT),
                        List.of("tailscale/auth_key", "restic/password"),
                        SecretFacts.MacStatus.VERIFIED)));
        String deployment = UUID.randomUUID().toString();
        // the facts consumer keeps the cloud facts first: a run started before would fail with no-cloud-facts
        await().atMost(Duration.ofSeconds(30)).until(() -> hasCloudFacts(host));
        publisher.publishAll(
                List.of(codec.newEvent(
                        EventType.SECRET_FACTS_COMPLETED, "/handoff/secrets-service", host, deployment, null, secrets)),
                Duration.ofSeconds(10));
        return deployment;
    }

    private boolean hasCloudFacts(String host) throws Exception {
        try (var c = dataSource.getConnection();
                var s = c.prepareStatement("SELECT count(*) FROM host_facts WHERE kind = 'cloud' AND host = ?")) {
            s.setString(1, host);
            try (var r = s.executeQuery()) {
                return r.next() && r.getInt(1) == 1;
            }
        }
    }

    private String pushed(String host, ForgePush push) throws Exception {
        String deployment = UUID.randomUUID().toString();
        CommitPushed payload = new CommitPushed(
                host,
                ConvergeLab.RUNTIME,
                push.ref(),
                "main",
                push.before(),
                push.after(),
                "converge",
                push.cloneUrl(),
                null,
                "operator",
                UUID.randomUUID().toString(),
                push.commits().size(),
                null);
        publisher.publishAll(
                List.of(codec.newEvent(
                        EventType.COMMIT_PUSHED, "/handoff/control-service", host, deployment, null, payload)),
                Duration.ofSeconds(10));
        return deployment;
    }

    private static List<EventEnvelope> eventsOf(String deployment) {
        return TopicRecords.events(LabKafka.shared().bootstrapServers(), Topics.CONVERGENCE).stream()
                .filter(e -> deployment.equals(e.deploymentId()))
                .toList();
    }

    private static List<EventEnvelope> outcome(String deployment) {
        return await().atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(500))
                .until(() -> eventsOf(deployment), events -> events.size() >= 2);
    }

    private double metric(String name, String... labels) throws Exception {
        return MetricsPage.sum(MetricsPage.read(metricsUri), name, labels);
    }
}
