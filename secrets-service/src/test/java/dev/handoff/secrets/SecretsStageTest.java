package dev.handoff.secrets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.handoff.common.event.EventEnvelope;
import dev.handoff.common.event.EventType;
import dev.handoff.common.event.Topics;
import dev.handoff.common.event.v1.CloudFacts;
import dev.handoff.common.event.v1.CommitPushed;
import dev.handoff.common.lock.HostLock;
import dev.handoff.common.messaging.EventPublisher;
import dev.handoff.common.serde.EventCodec;
import dev.handoff.lab.KafkaTestResource;
import dev.handoff.lab.LabKafka;
import dev.handoff.lab.PostgresTestResource;
import dev.handoff.lab.TopicRecords;
import dev.handoff.lab.forge.ForgePush;
import dev.handoff.secrets.messaging.TriggerConsumer;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * secrets-service end to end against the embedded broker and the lab's secrets repository: a trigger event in,
 * {@code secret-facts.started} then {@code completed} or {@code failed} out, with the real JGit and SOPS drivers.
 */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(
        value = PostgresTestResource.class,
        initArgs = @ResourceArg(name = "prefix", value = "handoff_secrets_test"),
        restrictToAnnotatedClass = true)
@QuarkusTestResource(value = SecretsLabResource.class, restrictToAnnotatedClass = true)
class SecretsStageTest {
    @io.quarkus.test.common.http.TestHTTPResource("/q/metrics")
    java.net.URI metricsUri;

    // the world around the stage publishes as the lab's admin: the stage's own identity may not
    EventPublisher publisher = LabKafka.shared().worldPublisher();

    @Inject
    AgroalDataSource dataSource;

    @Inject
    EventCodec codec;

    private SecretsLab lab;

    @BeforeEach
    void restoreTheLabFiles() {
        lab = SecretsLabResource.lab();
        lab.writeEncrypted(
                SecretsLab.CLOUD_EDGE_FILE,
                SecretsLab.plaintext(SecretsLab.CLOUD_EDGE),
                List.of(SecretsLab.CLOUD_EDGE_RECIPIENT, SecretsLab.OPERATOR_RECIPIENT));
    }

    @Test
    void pushToTheSecretsRepositoryYieldsVerifiedSecretFacts() throws Exception {
        double runsBefore = metric("handoff_stage_runs_total", "stage=\"secrets\"", "result=\"completed\"");
        double timedBefore =
                metric("handoff_stage_duration_seconds_count", "stage=\"secrets\"", "result=\"completed\"");
        // Given
        ForgePush push = lab.push("rotate the restic password");

        // When
        String deployment = pushed(SecretsLab.CLOUD_EDGE, push);

        // Then
        List<EventEnvelope> events = outcome(deployment);
        assertThat(events)
                .extracting(EventEnvelope::type)
                .containsExactly(EventType.SECRET_FACTS_STARTED.type(), EventType.SECRET_FACTS_COMPLETED.type());
        JsonNode facts = events.get(1).data();
        assertThat(facts.path("commit").asText()).isEqualTo(push.after());
        assertThat(facts.path("recipient").asText()).isEqualTo(SecretsLab.CLOUD_EDGE_RECIPIENT);
        JsonNode file = facts.path("files").get(0);
        assertThat(file.path("path").asText()).isEqualTo(SecretsLab.CLOUD_EDGE_FILE);
        assertThat(file.path("mac").asText()).isEqualTo("VERIFIED");
        assertThat(file.path("sha256").asText()).hasSize(64);
        assertThat(file.path("recipients").toString())
                .contains(SecretsLab.CLOUD_EDGE_RECIPIENT, SecretsLab.OPERATOR_RECIPIENT);
        assertThat(file.path("keyPaths").toString())
                .contains("tailscale/auth_key", "restic/password", "restic/repository_unencrypted");
        assertThat(events.get(1).causationId()).isNotNull();

        // And the metrics page counts and times the run under its stage and result
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(metric("handoff_stage_runs_total", "stage=\"secrets\"", "result=\"completed\""))
                    .isGreaterThan(runsBefore);
            assertThat(metric("handoff_stage_duration_seconds_count", "stage=\"secrets\"", "result=\"completed\""))
                    .isGreaterThan(timedBefore);
            assertThat(metric(
                            "handoff_stage_duration_seconds_bucket",
                            "stage=\"secrets\"",
                            "result=\"completed\"",
                            "le=\"3600.0\""))
                    .isGreaterThan(timedBefore);
            assertThat(metric("handoff_host_lock_wait_seconds_count", "stage=\"secrets\""))
                    .isPositive();
            assertThat(metricsPage()).containsPattern("handoff_consumer_lag_records\\{[^}]*topic=\"handoff.commits\"");
        });
    }

    @Test
    void aPushDeliveredAgainAfterItsCheckEndedPublishesTheSameFactsAndChecksNothingAgain() throws Exception {
        // Given: a push the stage checked
        String deployment = pushed(SecretsLab.CLOUD_EDGE, lab.push("checked once"));
        List<EventEnvelope> first = outcome(deployment);
        EventEnvelope trigger = TopicRecords.events(LabKafka.shared().bootstrapServers(), Topics.COMMITS).stream()
                .filter(e -> deployment.equals(e.deploymentId()))
                .findFirst()
                .orElseThrow();

        // When: the same trigger arrives again, as after a crash between the check and its offset commit
        publisher.publishAll(List.of(trigger), Duration.ofSeconds(10));

        // Then: the same secret facts again — same id, same content — and no second check (no second started); for
        // converge-service that is the same trigger again, so it publishes its outcome again and converges nothing
        List<EventEnvelope> events = await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(300))
                .until(() -> secretFacts(deployment), e -> e.size() >= 3);
        assertThat(events)
                .extracting(EventEnvelope::type)
                .containsExactly(
                        EventType.SECRET_FACTS_STARTED.type(),
                        EventType.SECRET_FACTS_COMPLETED.type(),
                        EventType.SECRET_FACTS_COMPLETED.type());
        assertThat(events.get(2).id()).isEqualTo(first.get(1).id());
        assertThat(events.get(2).data()).isEqualTo(first.get(1).data());
    }

    @Test
    void fileWithoutTheHostRecipientFailsNamingFileAndRecipient() throws Exception {
        // Given: the host file re-encrypted for the operator only
        lab.writeEncrypted(
                SecretsLab.CLOUD_EDGE_FILE,
                SecretsLab.plaintext(SecretsLab.CLOUD_EDGE),
                List.of(SecretsLab.OPERATOR_RECIPIENT));
        ForgePush push = lab.push("drop the host key by mistake");

        // When
        String deployment = pushed(SecretsLab.CLOUD_EDGE, push);

        // Then
        JsonNode failed = failed(deployment);
        assertThat(failed.path("reason").asText()).isEqualTo("missing-recipient");
        assertThat(failed.path("retryable").asBoolean()).isFalse();
        JsonNode detail = failed.path("details").get(0);
        assertThat(detail.path("subject").asText()).isEqualTo(SecretsLab.CLOUD_EDGE_FILE);
        assertThat(detail.path("message").asText())
                .contains(SecretsLab.CLOUD_EDGE_FILE)
                .contains(SecretsLab.CLOUD_EDGE_RECIPIENT)
                .contains("sops updatekeys");
    }

    @Test
    void fileMissingARequiredKeyFailsNamingTheKey() throws Exception {
        // Given: the host file without restic/password
        String plain = new String(SecretsLab.plaintext(SecretsLab.CLOUD_EDGE), StandardCharsets.UTF_8)
                .replaceAll("(?m)^    password: .*\\n", "");
        lab.writeEncrypted(
                SecretsLab.CLOUD_EDGE_FILE,
                plain.getBytes(StandardCharsets.UTF_8),
                List.of(SecretsLab.CLOUD_EDGE_RECIPIENT, SecretsLab.OPERATOR_RECIPIENT));
        ForgePush push = lab.push("forget the restic password");

        // When
        String deployment = pushed(SecretsLab.CLOUD_EDGE, push);

        // Then
        JsonNode failed = failed(deployment);
        assertThat(failed.path("reason").asText()).isEqualTo("missing-required-key");
        assertThat(failed.path("details")).hasSize(1);
        assertThat(failed.path("details").get(0).path("subject").asText()).isEqualTo("restic/password");
        assertThat(failed.path("message").asText()).contains("restic/password").contains("cloud-edge-1");
    }

    @Test
    void everyReasonIsReportedNotOnlyTheFirst() throws Exception {
        // Given: operator-only recipients AND a missing required key AND an edited value
        String plain = new String(SecretsLab.plaintext(SecretsLab.CLOUD_EDGE), StandardCharsets.UTF_8)
                .replace("tailscale:", "tailscale_old:");
        lab.writeEncrypted(
                SecretsLab.CLOUD_EDGE_FILE,
                plain.getBytes(StandardCharsets.UTF_8),
                List.of(SecretsLab.OPERATOR_RECIPIENT));
        String text = java.nio.file.Files.readString(lab.file(SecretsLab.CLOUD_EDGE_FILE));
        int data = text.indexOf("data:") + 5;
        char c = text.charAt(data);
        lab.write(
                SecretsLab.CLOUD_EDGE_FILE,
                (text.substring(0, data) + (c == 'A' ? 'B' : 'A') + text.substring(data + 1))
                        .getBytes(StandardCharsets.UTF_8));
        ForgePush push = lab.push("three mistakes at once");

        // When
        String deployment = pushed(SecretsLab.CLOUD_EDGE, push);

        // Then
        JsonNode failed = failed(deployment);
        assertThat(failed.path("details").findValuesAsText("code"))
                .containsExactlyInAnyOrder(
                        "missing-recipient", "value-tampered", "mac-mismatch", "missing-required-key");
        assertThat(failed.path("details").findValuesAsText("subject"))
                .contains("hosts/cloud-edge-1.yaml#tailscale_old/auth_key", "tailscale/auth_key");
    }

    @Test
    void hostileFilesFailNamingFileAndProblemAndTheServiceGoesOn() throws Exception {
        // Given: an alias bomb, then a 50 MiB file
        lab.write(SecretsLab.CLOUD_EDGE_FILE, SecretsLab.resource("hostile/alias-bomb.yaml"));
        String bomb = pushed(SecretsLab.CLOUD_EDGE, lab.push("alias bomb"));
        byte[] huge = new byte[50 * 1024 * 1024];
        java.util.Arrays.fill(huge, (byte) '#');
        lab.write(SecretsLab.CLOUD_EDGE_FILE, huge);
        String large = pushed(SecretsLab.CLOUD_EDGE, lab.push("50 MiB"));
        lab.write(SecretsLab.CLOUD_EDGE_FILE, "a: 1\na: 2\n".getBytes(StandardCharsets.UTF_8));
        String duplicate = pushed(SecretsLab.CLOUD_EDGE, lab.push("duplicate keys"));

        // Then
        assertThat(failed(bomb).path("details").get(0).path("code").asText()).isEqualTo("yaml-aliases");
        JsonNode tooLarge = failed(large).path("details").get(0);
        assertThat(tooLarge.path("code").asText()).isEqualTo("file-too-large");
        assertThat(tooLarge.path("message").asText())
                .contains(SecretsLab.CLOUD_EDGE_FILE)
                .contains("52428800");
        assertThat(failed(duplicate).path("details").get(0).path("message").asText())
                .contains(SecretsLab.CLOUD_EDGE_FILE)
                .contains("duplicate key a");

        // and the next good push still completes
        restoreTheLabFiles();
        String good = pushed(SecretsLab.CLOUD_EDGE, lab.push("fixed"));
        assertThat(outcome(good).get(1).type()).isEqualTo(EventType.SECRET_FACTS_COMPLETED.type());
    }

    @Test
    void aCheckOfAHostQueuesWhileAnotherInstanceHoldsTheHostsLockAndRunsOnceItIsReleased() throws Exception {
        // Given: another instance of the service checks cloud-edge-1 (holds the host's lock on the same database)
        HostLock otherInstance = new HostLock(dataSource, TriggerConsumer.HOST_LOCK_STAGE);
        ForgePush push = lab.push("pushed while another instance checks the host");
        String deployment;
        try (HostLock.Held held = otherInstance.acquire(SecretsLab.CLOUD_EDGE)) {

            // When
            deployment = pushed(SecretsLab.CLOUD_EDGE, push);

            // Then: this instance waits for the host's lock in PostgreSQL and touches nothing meanwhile
            await().atMost(Duration.ofSeconds(60)).until(() -> waitingAdvisoryLocks() == 1);
            await().during(Duration.ofSeconds(2))
                    .atMost(Duration.ofSeconds(10))
                    .until(() -> secretFacts(deployment).isEmpty());
        }

        // and the queued check runs once the other instance is done
        assertThat(outcome(deployment))
                .extracting(EventEnvelope::type)
                .containsExactly(EventType.SECRET_FACTS_STARTED.type(), EventType.SECRET_FACTS_COMPLETED.type());
        assertThat(waitingAdvisoryLocks()).isZero();
    }

    @Test
    void cloudFactsCheckTheNewestCommitOfTheBranch() throws Exception {
        // Given
        ForgePush push = lab.push("newest");
        String deployment = UUID.randomUUID().toString();
        CloudFacts facts = new CloudFacts(
                SecretsLab.CLOUD_EDGE,
                "oci",
                "eu-frankfurt-1",
                "ocid1.instance.oc1.eu-frankfurt-1.lab",
                "10.0.1.10",
                "203.0.113.10",
                "ocid1.subnet.oc1.eu-frankfurt-1.lab",
                List.of(),
                null,
                Instant.now());

        // When
        publisher.publishAll(
                List.of(codec.newEvent(
                        EventType.CLOUD_FACTS_COMPLETED,
                        "/handoff/infra-service",
                        SecretsLab.CLOUD_EDGE,
                        deployment,
                        null,
                        facts)),
                Duration.ofSeconds(10));

        // Then
        List<EventEnvelope> events = outcome(deployment);
        assertThat(events.get(0).data().path("triggerType").asText()).isEqualTo(EventType.CLOUD_FACTS_COMPLETED.type());
        assertThat(events.get(1).type()).isEqualTo(EventType.SECRET_FACTS_COMPLETED.type());
        assertThat(events.get(1).data().path("commit").asText()).isEqualTo(push.after());
    }

    private String pushed(String host, ForgePush push) throws Exception {
        String deployment = UUID.randomUUID().toString();
        CommitPushed payload = new CommitPushed(
                host,
                "ops/infrastructure-secrets",
                push.ref(),
                "main",
                push.before(),
                push.after(),
                "secrets",
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

    private static List<EventEnvelope> secretFacts(String deployment) {
        return TopicRecords.events(LabKafka.shared().bootstrapServers(), Topics.SECRET_FACTS).stream()
                .filter(e -> deployment.equals(e.deploymentId()))
                .toList();
    }

    private int waitingAdvisoryLocks() throws Exception {
        try (Connection c = dataSource.getConnection();
                Statement s = c.createStatement();
                ResultSet rs =
                        s.executeQuery("select count(*) from pg_locks where locktype = 'advisory' and not granted")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private static List<EventEnvelope> outcome(String deployment) {
        return await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(300))
                .until(
                        () -> TopicRecords.events(LabKafka.shared().bootstrapServers(), Topics.SECRET_FACTS).stream()
                                .filter(e -> deployment.equals(e.deploymentId()))
                                .toList(),
                        events -> events.size() >= 2);
    }

    private static JsonNode failed(String deployment) {
        List<EventEnvelope> events = outcome(deployment);
        assertThat(events)
                .extracting(EventEnvelope::type)
                .containsExactly(EventType.SECRET_FACTS_STARTED.type(), EventType.SECRET_FACTS_FAILED.type());
        return events.get(1).data();
    }

    /** The sum of {@code name}'s samples on {@code /q/metrics} whose labels include all of {@code labels}; 0 if none. */
    private double metric(String name, String... labels) throws Exception {
        return dev.handoff.lab.MetricsPage.sum(metricsPage(), name, labels);
    }

    /** {@code /q/metrics} as Prometheus scrapes it. */
    private String metricsPage() throws Exception {
        return dev.handoff.lab.MetricsPage.read(metricsUri);
    }
}
