package dev.handoff.converge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.handoff.common.event.EventEnvelope;
import dev.handoff.common.event.EventType;
import dev.handoff.common.event.Topics;
import dev.handoff.common.event.v1.CloudFacts;
import dev.handoff.common.event.v1.CommitPushed;
import dev.handoff.common.event.v1.HostKeyTrusted;
import dev.handoff.common.event.v1.SecretFacts;
import dev.handoff.common.event.v1.StageStarted;
import dev.handoff.common.messaging.EventPublisher;
import dev.handoff.common.serde.EventCodec;
import dev.handoff.lab.KafkaTestResource;
import dev.handoff.lab.LabKafka;
import dev.handoff.lab.LabPostgres;
import dev.handoff.lab.PostgresOutage;
import dev.handoff.lab.PostgresTestResource;
import dev.handoff.lab.TopicRecords;
import dev.handoff.lab.forge.ForgePush;
import dev.handoff.lab.world.nixos.NixosNode;
import dev.handoff.lab.world.nixos.SimulatedNixosHost;
import dev.handoff.support.ssh.HostKeyPins;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * converge-service end to end: the embedded broker, its PostgreSQL database, the lab forge, simulated NixOS hosts
 * over real SSH (sshj → Apache MINA SSHD) and the stand-in colmena as an external process. Each test works on its
 * own host.
 */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(
        value = PostgresTestResource.class,
        initArgs = @ResourceArg(name = "prefix", value = "handoff_converge_test"),
        restrictToAnnotatedClass = true)
@QuarkusTestResource(value = ConvergeLabResource.class, restrictToAnnotatedClass = true)
class ConvergeStageTest {
    @io.quarkus.test.common.http.TestHTTPResource("/q/metrics")
    java.net.URI metricsUri;

    // the world around the stage publishes as the lab's admin: the stage's own identity may not
    EventPublisher publisher = LabKafka.shared().worldPublisher();

    @Inject
    EventCodec codec;

    @Inject
    AgroalDataSource dataSource;

    @Inject
    dev.handoff.support.StageLoops loops;

    @Test
    void aPushConvergesTheHostAndTheFirstSuccessMovesItFromBootstrapToSteady() throws Exception {
        double runsBefore = metric("handoff_stage_runs_total", "stage=\"converge\"", "result=\"completed\"");
        double timedBefore =
                metric("handoff_stage_duration_seconds_count", "stage=\"converge\"", "result=\"completed\"");
        // Given
        ConvergeLab lab = ConvergeLabResource.lab();
        NixosNode node = lab.node("cloud-edge-1").node();
        JsonNode first = convergedOnce("cloud-edge-1");
        lab.write("manifests/rustdesk.yaml", "# rustdesk, second revision\n" + UUID.randomUUID() + "\n");
        ForgePush push = lab.push("rustdesk: next revision");

        // When
        List<EventEnvelope> events = outcome(pushed("cloud-edge-1", push));

        // Then
        assertThat(first.path("accessPhase").asText()).isEqualTo("BOOTSTRAP");
        assertThat(first.path("checks").toString()).contains("steady-access");
        assertThat(events)
                .extracting(EventEnvelope::type)
                .containsExactly(EventType.CONVERGENCE_STARTED.type(), EventType.CONVERGENCE_COMPLETED.type());
        JsonNode facts = events.get(1).data();
        assertThat(facts.path("accessPhase").asText()).isEqualTo("STEADY");
        assertThat(facts.path("commit").asText()).isEqualTo(push.after());
        assertThat(facts.path("configurationRevision").asText()).isEqualTo(push.after());
        assertThat(facts.path("systemPath").asText()).isEqualTo(node.current().systemPath());
        assertThat(facts.path("generation").asLong())
                .isEqualTo(node.current().number())
                .isEqualTo(first.path("generation").asLong() + 1);
        assertThat(facts.path("systemPath").asText())
                .isNotEqualTo(first.path("systemPath").asText());
        assertThat(facts.path("checks").findValuesAsText("passed")).doesNotContain("false");

        // And the metrics page counts and times the run under its stage and result
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(metric("handoff_stage_runs_total", "stage=\"converge\"", "result=\"completed\""))
                    .isGreaterThan(runsBefore);
            assertThat(metric("handoff_stage_duration_seconds_count", "stage=\"converge\"", "result=\"completed\""))
                    .isGreaterThan(timedBefore);
            assertThat(metric(
                            "handoff_stage_duration_seconds_bucket",
                            "stage=\"converge\"",
                            "result=\"completed\"",
                            "le=\"3600.0\""))
                    .isGreaterThan(timedBefore);
            assertThat(metric("handoff_host_lock_wait_seconds_count", "stage=\"converge\""))
                    .isPositive();
            assertThat(metricsPage())
                    .containsPattern("handoff_consumer_lag_records\\{[^}]*topic=\"handoff.secret-facts\"");
        });
    }

    @Test
    void theStagedKeyIsPrivateAndNoKeyMaterialReachesATopicOrTable() throws Exception {
        // Given
        ConvergeLab lab = ConvergeLabResource.lab();
        String secretLine = new String(ConvergeLab.resource("lab/keys/cloud-edge-1.agekey"), StandardCharsets.UTF_8)
                .lines()
                .filter(l -> l.startsWith("AGE-SECRET-KEY-"))
                .findFirst()
                .orElseThrow();

        // When
        convergedOnce("edge-queue");

        // Then
        Path key = lab.node("edge-queue").node().file(NixosNode.SOPS_KEY);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key)))
                .isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key.getParent())))
                .isEqualTo("rwx------");
        assertThat(Files.readString(key)).contains(secretLine);
        var stagedAt = Files.getLastModifiedTime(key);
        convergedOnce("edge-queue");
        assertThat(Files.getLastModifiedTime(key))
                .as("an unchanged key is not written again")
                .isEqualTo(stagedAt);
        for (String topic : List.of(Topics.CONVERGENCE, Topics.CLOUD_FACTS, Topics.SECRET_FACTS)) {
            for (ConsumerRecord<String, byte[]> r :
                    TopicRecords.records(LabKafka.shared().bootstrapServers(), topic)) {
                assertThat(new String(r.value(), StandardCharsets.UTF_8))
                        .doesNotContain(secretLine)
                        .doesNotContain("AGE-SECRET-KEY");
            }
        }
        assertThat(Files.readString(Path.of("target/quarkus.log")))
                .contains("sops-nix key for " + ConvergeLab.RECIPIENT)
                .doesNotContain(secretLine)
                .doesNotContain("AGE-SECRET-KEY");
        try (Connection c = dataSource.getConnection();
                Statement s = c.createStatement();
                ResultSet rows = s.executeQuery("SELECT payload::text FROM host_facts")) {
            while (rows.next()) {
                assertThat(rows.getString(1)).doesNotContain("AGE-SECRET-KEY");
            }
        }
    }

    @Test
    void anActivationThatBreaksSshIsRolledBackWithinTheConfirmTimeout() throws Exception {
        // Given
        ConvergeLab lab = ConvergeLabResource.lab();
        NixosNode node = lab.node("edge-rollback").node();
        convergedOnce("edge-rollback");
        pushAndAwaitCompleted(lab, "edge-rollback");
        NixosNode.Generation before = node.current();
        node.breakSteadyAccessOnNextActivation();
        lab.write("hosts/edge-rollback/tailscale.nix", "# breaks tailscale " + UUID.randomUUID() + "\n");
        ForgePush push = lab.push("tailscale: broken flags");

        // When
        List<EventEnvelope> events = outcome(pushed("edge-rollback", push));

        // Then
        assertThat(events.get(1).type()).isEqualTo(EventType.CONVERGENCE_FAILED.type());
        JsonNode failed = events.get(1).data();
        assertThat(failed.path("reason").asText()).isEqualTo("confirm-timeout");
        assertThat(failed.path("rolledBack").asBoolean()).isTrue();
        assertThat(failed.path("details").findValuesAsText("code")).contains("rolled-back");
        assertThat(failed.path("message").asText()).contains("edge-rollback", "rolled back to generation");
        assertThat(node.current().number()).isEqualTo(before.number());
        assertThat(node.current().systemPath()).isEqualTo(before.systemPath());
        assertThat(node.generations()).hasSizeGreaterThan(before.number());
    }

    @Test
    void aChangedHostKeyFailsNamingHostAndBothFingerprintsAndActivatesNothing() throws Exception {
        // Given
        ConvergeLab lab = ConvergeLabResource.lab();
        SimulatedNixosHost host = lab.node("edge-hostkey");
        convergedOnce("edge-hostkey");
        int activations = host.node().activations();
        host.changeHostKey();
        lab.write("hosts/edge-hostkey/motd", "hello " + UUID.randomUUID() + "\n");
        ForgePush push = lab.push("motd");

        // When
        List<EventEnvelope> events = outcome(pushed("edge-hostkey", push));

        // Then
        assertThat(events.get(1).type()).isEqualTo(EventType.CONVERGENCE_FAILED.type());
        JsonNode failed = events.get(1).data();
        assertThat(failed.path("reason").asText()).isEqualTo("host-key-changed");
        assertThat(failed.path("rolledBack").asBoolean(true)).isFalse();
        assertThat(failed.path("message").asText()).contains("edge-hostkey", "HOST KEY CHANGED");
        java.util.regex.Matcher fingerprints = java.util.regex.Pattern.compile(
                        "trusted (SHA256:[A-Za-z0-9+/]+), presented (SHA256:[A-Za-z0-9+/]+)")
                .matcher(failed.path("message").asText());
        assertThat(fingerprints.find()).as(failed.path("message").asText()).isTrue();
        assertThat(fingerprints.group(1)).isNotEqualTo(fingerprints.group(2));
        // and the message says how an operator trusts the new key, once verified
        assertThat(failed.path("message").asText())
                .contains("handoffctl hosts trust edge-hostkey " + fingerprints.group(2));
        assertThat(host.node().activations()).isEqualTo(activations);
    }

    @Test
    void ofThePushesThatWaitedForABusyHostOnlyTheNewestConvergesAndTheOthersAreSuperseded() throws Exception {
        // Given: the host is busy activating a first push
        ConvergeLab lab = ConvergeLabResource.lab();
        NixosNode node = lab.node("edge-queue").node();
        convergedOnce("edge-queue");
        node.activationTime(Duration.ofSeconds(3));
        lab.write("hosts/edge-queue/a", UUID.randomUUID().toString());
        ForgePush first = lab.push("first");
        String one = pushed("edge-queue", first);
        awaitType(one, EventType.CONVERGENCE_STARTED);

        // When: two more pushes arrive while it runs
        lab.write("hosts/edge-queue/b", UUID.randomUUID().toString());
        ForgePush second = lab.push("second");
        String two = pushed("edge-queue", second);
        lab.write("hosts/edge-queue/c", UUID.randomUUID().toString());
        ForgePush third = lab.push("third");
        String three = pushed("edge-queue", third);

        // Then: the first and the newest converge, one after the other; the second never runs
        assertThat(outcome(one).get(1).type()).isEqualTo(EventType.CONVERGENCE_COMPLETED.type());
        EventEnvelope superseded = awaitType(two, EventType.CONVERGENCE_SUPERSEDED);
        List<EventEnvelope> last = outcome(three);
        assertThat(last.get(1).type()).isEqualTo(EventType.CONVERGENCE_COMPLETED.type());
        assertThat(last.get(1).data().path("commit").asText()).isEqualTo(third.after());
        assertThat(superseded.data().path("commit").asText()).isEqualTo(second.after());
        assertThat(superseded.data().path("newerCommit").asText()).isEqualTo(third.after());
        assertThat(eventsOf(two))
                .extracting(EventEnvelope::type)
                .containsExactly(EventType.CONVERGENCE_SUPERSEDED.type());
        assertThat(node.overlappingActivations()).isZero();
        assertThat(node.current().revision()).isEqualTo(third.after());
        node.activationTime(Duration.ZERO);
    }

    @Test
    void aTriggerWhileTheHostsInfraDeploymentRunsWaitsForItsCloudFactsInsteadOfFailing() throws Exception {
        // Given: the infra stage has started the host's first deployment, no cloud facts yet
        String host = "edge-waiting";
        String infraDeployment = UUID.randomUUID().toString();
        publisher.publishAll(
                List.of(codec.newEvent(
                        EventType.CLOUD_FACTS_STARTED,
                        "/handoff/infra-service",
                        host,
                        infraDeployment,
                        null,
                        new StageStarted(host, "infra", EventType.COMMIT_PUSHED.type(), null, null))),
                Duration.ofSeconds(10));
        await().atMost(Duration.ofSeconds(30)).until(() -> infraRunning(host));

        // When: its secret facts arrive (a trigger of converge)
        String deployment = publishSecretFacts(host, ConvergeLabResource.lab().secretsCommit());

        // Then: converge waits, visibly
        EventEnvelope waiting = awaitType(deployment, EventType.CONVERGENCE_WAITING);
        assertThat(waiting.data().path("producedBy").asText()).isEqualTo(infraDeployment);
        assertThat(waiting.data().path("waitingFor").asText()).isEqualTo("cloud-facts");
        assertThat(eventsOf(deployment))
                .extracting(EventEnvelope::type)
                .containsExactly(EventType.CONVERGENCE_WAITING.type());

        // And: once the cloud facts arrive it converges the host
        publishCloudFacts(host, infraDeployment);
        EventEnvelope done = await().atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(500))
                .until(
                        () -> eventsOf(deployment).stream()
                                .filter(e -> !e.type().equals(EventType.CONVERGENCE_WAITING.type())
                                        && !e.type().equals(EventType.CONVERGENCE_STARTED.type()))
                                .findFirst(),
                        java.util.Optional::isPresent)
                .orElseThrow();
        assertThat(done.type()).as("%s", done.data()).isEqualTo(EventType.CONVERGENCE_COMPLETED.type());
        assertThat(eventsOf(deployment))
                .extracting(EventEnvelope::type)
                .containsExactly(
                        EventType.CONVERGENCE_WAITING.type(),
                        EventType.CONVERGENCE_STARTED.type(),
                        EventType.CONVERGENCE_COMPLETED.type());
    }

    @Test
    void aPendingRebootIsValidatedWithANewBootIdAndPassingChecks() throws Exception {
        // Given
        ConvergeLab lab = ConvergeLabResource.lab();
        NixosNode node = lab.node("edge-reboot").node();
        convergedOnce("edge-reboot");
        String bootBefore = node.bootId();
        lab.write(
                "hosts/edge-reboot/configuration.nix",
                "{ pkgs, ... }: { boot.kernelPackages = pkgs.linuxPackages_6_6_"
                        + UUID.randomUUID().toString().substring(0, 4) + "; }\n");
        ForgePush push = lab.push("edge-reboot: new kernel");

        // When
        List<EventEnvelope> events = outcome(pushed("edge-reboot", push));

        // Then
        assertThat(events.get(1).type()).isEqualTo(EventType.CONVERGENCE_COMPLETED.type());
        JsonNode facts = events.get(1).data();
        assertThat(facts.path("bootId").asText()).isNotEqualTo(bootBefore).isEqualTo(node.bootId());
        assertThat(facts.path("rebootPending").asBoolean()).isFalse();
        assertThat(facts.path("checks").toString()).contains("\"reboot\"");
        assertThat(facts.path("checks").findValuesAsText("passed")).doesNotContain("false");
    }

    @Test
    void aPushBeforeAnyFactsFailsClearly() throws Exception {
        // Given
        ConvergeLab lab = ConvergeLabResource.lab();
        ForgePush push = lab.push("early");

        // When
        List<EventEnvelope> events = outcome(pushed("edge-nofacts", push));

        // Then
        assertThat(events.get(1).type()).isEqualTo(EventType.CONVERGENCE_FAILED.type());
        assertThat(events.get(1).data().path("reason").asText()).isEqualTo("no-cloud-facts");
        assertThat(events.get(1).data().path("message").asText()).contains("edge-nofacts", "infra stage");
        assertThat(lab.node("edge-nofacts").node().activations()).isZero();
    }

    @Test
    void aPushNamingACloneUrlTheInventoryDoesNotListIsRefusedAndNothingIsCloned() throws Exception {
        // Given a commit.pushed (from control-service's identity) whose clone URL is not handoff.yaml's
        ConvergeLab lab = ConvergeLabResource.lab();
        ForgePush push = lab.push("forged clone url");
        String deployment = pushed("edge-nofacts", push, "file:///var/lib/attacker/nix-k3s-edge-cluster.git");

        // When converge-service reads it
        EventEnvelope failed = await().atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(500))
                .until(
                        () -> TopicRecords.events(LabKafka.shared().bootstrapServers(), Topics.CONVERGENCE).stream()
                                .filter(e -> deployment.equals(e.deploymentId()))
                                .filter(e -> e.type().equals(EventType.CONVERGENCE_FAILED.type()))
                                .findFirst(),
                        java.util.Optional::isPresent)
                .orElseThrow();

        // Then it is refused, naming the inventory's URL, before any run started or anything was cloned
        assertThat(failed.data().path("reason").asText()).isEqualTo("clone-url-not-listed");
        assertThat(failed.data().path("message").asText()).contains(lab.cloneUrl(), "nothing was cloned");
        assertThat(TopicRecords.events(LabKafka.shared().bootstrapServers(), Topics.CONVERGENCE).stream()
                        .filter(e -> deployment.equals(e.deploymentId()))
                        .map(EventEnvelope::type))
                .containsExactly(EventType.CONVERGENCE_FAILED.type());
        assertThat(lab.node("edge-nofacts").node().activations()).isZero();
    }

    @Test
    void anActivationWhoseUnitsFailIsReportedWithItsExitCodeAndRolledBack() throws Exception {
        // Given
        ConvergeLab lab = ConvergeLabResource.lab();
        NixosNode node = lab.node("edge-units").node();
        convergedOnce("edge-units");
        NixosNode.Generation before = node.current();
        node.failNextActivation(4);
        lab.write("hosts/edge-units/k3s.nix", "# k3s flags that fail " + UUID.randomUUID() + "\n");
        ForgePush push = lab.push("k3s: bad flags");

        // When
        List<EventEnvelope> events = outcome(pushed("edge-units", push));

        // Then
        JsonNode failed = events.get(1).data();
        assertThat(failed.path("reason").asText()).isEqualTo("units-failed");
        assertThat(failed.path("rolledBack").asBoolean()).isTrue();
        assertThat(failed.path("details").findValuesAsText("message")).contains("exit code 4");
        assertThat(node.current().number()).isEqualTo(before.number());
    }

    @Test
    void aKeyWhoseRecipientIsNotTheHostsIsNeitherStagedNorActivated() throws Exception {
        // Given
        ConvergeLab lab = ConvergeLabResource.lab();
        NixosNode node = lab.node("edge-wrongkey").node();

        // When
        JsonNode failed = failedFirstConvergence("edge-wrongkey");

        // Then
        assertThat(failed.path("reason").asText()).isEqualTo("key-recipient-mismatch");
        assertThat(failed.path("message").asText()).contains("edge-wrongkey", ConvergeLab.RECIPIENT);
        assertThat(Files.exists(node.file(NixosNode.SOPS_KEY))).isFalse();
        assertThat(node.activations()).isZero();
    }

    @Test
    void anActivationThatBreaksEveryAccessPathIsRolledBackByTheHostsOwnGuard() throws Exception {
        // Given
        ConvergeLab lab = ConvergeLabResource.lab();
        NixosNode node = lab.node("edge-guard").node();
        convergedOnce("edge-guard");
        int before = node.current().number();
        node.breakAllAccessOnNextActivation();
        lab.write("hosts/edge-guard/revision", UUID.randomUUID().toString());

        // When
        List<EventEnvelope> events = outcome(pushed("edge-guard", lab.push("edge-guard: a generation that cuts SSH")));

        // Then
        assertThat(events.get(1).type()).isEqualTo(EventType.CONVERGENCE_FAILED.type());
        JsonNode failed = events.get(1).data();
        assertThat(failed.path("rolledBack").asBoolean()).isTrue();
        assertThat(failed.path("message").asText()).contains("rolled back to generation " + before, "rollback guard");
        assertThat(node.guardRollbacks()).isEqualTo(1);
        assertThat(node.current().number()).isEqualTo(before);
        assertThat(node.down()).isFalse();
        assertThat(node.armedGuards()).isEmpty();
    }

    @Test
    void aConfirmedGenerationDisarmsItsGuard() throws Exception {
        // Given
        NixosNode node = ConvergeLabResource.lab().node("edge-reboot").node();

        // When
        convergedOnce("edge-reboot");

        // Then
        assertThat(node.armedGuards())
                .as("a confirmed generation leaves no guard armed")
                .isEmpty();
        assertThat(node.guardRollbacks()).isZero();
    }

    @Test
    void aConfigurationThatDoesNotEvaluateFailsAsSuchAndSwitchesNothing() throws Exception {
        // Given: a configuration reading a secrets file the verified secrets commit does not have
        ConvergeLab lab = ConvergeLabResource.lab();
        NixosNode node = lab.node("edge-eval").node();
        lab.write(
                "hosts/edge-eval/configuration.nix",
                "{ secrets, ... }: {\n  sops.defaultSopsFile = \"${secrets}/hosts/edge-eval-missing.yaml\";\n}\n");
        lab.push("edge-eval: reads a secrets file that is not there");

        // When
        JsonNode failed = failedFirstConvergence("edge-eval");

        // Then
        assertThat(failed.path("reason").asText()).isEqualTo("evaluation-failed");
        assertThat(failed.path("message").asText()).contains("edge-eval", "nothing was switched");
        assertThat(failed.path("details").toString()).contains("hosts/edge-eval-missing.yaml", "does not exist");
        assertThat(node.activations()).isZero();
        // the shared runtime repository evaluates again for the other tests' hosts
        lab.write("hosts/edge-eval/configuration.nix", "{ ... }: { }\n");
        lab.push("edge-eval: evaluates again");
    }

    @Test
    void hostsThatDeployOneCommitShareOneEvaluation() throws Exception {
        // Given: two hosts of one runtime repository, both converged once
        ConvergeLab lab = ConvergeLabResource.lab();
        convergedOnce("edge-fleet-a");
        convergedOnce("edge-fleet-b");
        lab.write("hosts/edge-fleet-a/configuration.nix", "{ ... }: { networking.hostName = \"edge-fleet-a\"; }\n");
        lab.write("hosts/edge-fleet-b/configuration.nix", "{ ... }: { networking.hostName = \"edge-fleet-b\"; }\n");
        ForgePush push = lab.push("fleet: both hosts");

        // When: the push deploys both
        List<EventEnvelope> a = outcome(pushed("edge-fleet-a", push));
        List<EventEnvelope> b = outcome(pushed("edge-fleet-b", push));

        // Then: both converged to the commit; the second host's run reused the first's evaluation
        assertThat(a.get(1).type()).isEqualTo(EventType.CONVERGENCE_COMPLETED.type());
        assertThat(b.get(1).type()).isEqualTo(EventType.CONVERGENCE_COMPLETED.type());
        assertThat(b.get(1).data().path("configurationRevision").asText()).isEqualTo(push.after());
        String log = Files.readString(Path.of("target/quarkus.log"));
        assertThat(log)
                .contains("edge-fleet-a: evaluated " + ConvergeLab.RUNTIME + "@" + push.after())
                .contains("edge-fleet-b: evaluation of " + ConvergeLab.RUNTIME + "@" + push.after() + " reused")
                .doesNotContain("edge-fleet-b: evaluated " + ConvergeLab.RUNTIME + "@" + push.after());
    }

    @Test
    void theVerifiedSecretsCommitAndTheFactsAreBuiltInAndNamedInTheConvergence() throws Exception {
        // Given: a host whose configuration reads its secrets file and its facts through the flake's inputs
        ConvergeLab lab = ConvergeLabResource.lab();
        lab.write(
                "hosts/edge-secrets/configuration.nix",
                "{ secrets, handoff-facts, ... }: {\n"
                        + "  sops.defaultSopsFile = \"${secrets}/hosts/edge-secrets.yaml\";\n"
                        + "  environment.etc.\"handoff/facts.json\".source = \"${handoff-facts}/hosts/edge-secrets/handoff.json\";\n"
                        + "}\n");
        lab.push("edge-secrets: configuration");
        String first = lab.pushSecrets("hosts/edge-secrets.yaml", "token: ENC[first]\n", "edge-secrets: first")
                .after();
        JsonNode converged = convergedOnce("edge-secrets");
        String second = lab.pushSecrets("hosts/edge-secrets.yaml", "token: ENC[second]\n", "edge-secrets: second")
                .after();

        // When: the secrets stage verified the second commit
        List<EventEnvelope> events = outcome(publishFacts("edge-secrets", second));

        // Then
        assertThat(converged.path("builtFrom").path("secretsCommit").asText()).isEqualTo(first);
        assertThat(converged.path("builtFrom").path("secretsRepository").asText())
                .isEqualTo(ConvergeLab.SECRETS);
        assertThat(converged.path("builtFrom").path("factsSha256").asText()).hasSize(64);
        assertThat(events.get(1).type()).isEqualTo(EventType.CONVERGENCE_COMPLETED.type());
        JsonNode again = events.get(1).data();
        assertThat(again.path("builtFrom").path("secretsCommit").asText()).isEqualTo(second);
        assertThat(again.path("systemPath").asText())
                .as("another verified secrets commit is another system")
                .isNotEqualTo(converged.path("systemPath").asText());
        assertThat(again.path("configurationRevision").asText())
                .isEqualTo(converged.path("commit").asText());
        assertThat(Files.readString(Path.of("target/quarkus.log")))
                .as("an aarch64-linux host is built on the host itself")
                .contains("colmena build --on edge-secrets --build-on-target")
                .contains("colmena apply --on edge-secrets --build-on-target switch");
    }

    @Test
    void aHostsFirstBootstrapPinsTheKeyItPresentsInTheSharedStore() throws Exception {
        // Given
        ConvergeLab lab = ConvergeLabResource.lab();
        String presented = HostKeyPins.pinOf(lab.node("edge-pin").hostKey()).fingerprint();

        // When
        convergedOnce("edge-pin");

        // Then
        List<JsonNode> pins = TopicRecords.events(LabKafka.shared().bootstrapServers(), Topics.HOST_KEYS).stream()
                .filter(e -> e.subject().equals("edge-pin"))
                .map(EventEnvelope::data)
                .toList();
        assertThat(pins).hasSize(1);
        assertThat(pins.get(0).path("fingerprint").asText()).isEqualTo(presented);
        assertThat(pins.get(0).path("source").asText()).isEqualTo("first-bootstrap");
        assertThat(pins.get(0).path("decidedBy").asText()).isEqualTo("converge-service");
    }

    @Test
    void aHostPresentingAnUnknownKeyOutsideItsFirstBootstrapGetsNoAgeKeyUntilAnOperatorTrustsIt() throws Exception {
        // Given: the host converged before (its access is steady) but no key is trusted for it
        ConvergeLab lab = ConvergeLabResource.lab();
        SimulatedNixosHost host = lab.node("edge-unknown");
        String presented = HostKeyPins.pinOf(host.hostKey()).fingerprint();
        try (Connection c = dataSource.getConnection();
                Statement s = c.createStatement()) {
            s.executeUpdate("INSERT INTO host_access (host, steady_reached) VALUES ('edge-unknown', true)");
        }

        // When
        JsonNode failed = failedFirstConvergence("edge-unknown");

        // Then
        assertThat(failed.path("reason").asText()).isEqualTo("host-key-unknown");
        assertThat(failed.path("retryable").asBoolean(true)).isFalse();
        assertThat(failed.path("message").asText())
                .contains("edge-unknown", presented, "not its first bootstrap", "handoffctl hosts trust edge-unknown");
        assertThat(Files.exists(host.node().file(NixosNode.SOPS_KEY)))
                .as("no age key staged")
                .isFalse();
        assertThat(host.node().activations()).isZero();

        // When an operator trusts the key the host presents (control-service publishes the decision)
        publisher.publishAll(
                List.of(codec.newEvent(
                        EventType.HOST_KEY_TRUSTED,
                        "/handoff/control-service",
                        "edge-unknown",
                        null,
                        null,
                        new HostKeyTrusted(
                                "edge-unknown", null, presented, null, "operator", "ops-admin", "checked console"))),
                Duration.ofSeconds(10));

        // Then the next run converges it and stages its key
        convergedOnce("edge-unknown");
        assertThat(Files.exists(host.node().file(NixosNode.SOPS_KEY))).isTrue();
    }

    @Test
    void aHostWhoseKeyIsNotTheOneHandoffYamlRequiresIsRefusedAtItsFirstBootstrapAndGetsNoAgeKey() throws Exception {
        // Given
        ConvergeLab lab = ConvergeLabResource.lab();
        SimulatedNixosHost host = lab.node("edge-required");
        String presented = HostKeyPins.pinOf(host.hostKey()).fingerprint();

        // When
        JsonNode failed = failedFirstConvergence("edge-required");

        // Then
        assertThat(failed.path("reason").asText()).isEqualTo("host-key-mismatch");
        assertThat(failed.path("message").asText())
                .contains("edge-required", presented, ConvergeLab.REQUIRED_HOST_KEY, "access.hostKey");
        assertThat(Files.exists(host.node().file(NixosNode.SOPS_KEY))).isFalse();
        assertThat(host.node().activations()).isZero();
        assertThat(TopicRecords.events(LabKafka.shared().bootstrapServers(), Topics.HOST_KEYS))
                .as("nothing pinned for a host whose key handoff.yaml gives")
                .noneMatch(e -> e.subject().equals("edge-required"));
    }

    @Test
    void aPushWhileTheDatabaseIsAwayConvergesOnceSoonAfterItComesBack() throws Exception {
        // Given: the host converged, and the service's pool holds idle connections, as a busy service's does
        ConvergeLab lab = ConvergeLabResource.lab();
        NixosNode node = lab.node("edge-outage").node();
        convergedOnce("edge-outage");
        holdIdleConnections(8);
        int activations = node.activations();
        PostgresOutage outage = new PostgresOutage(LabPostgres.shared(), List.of(databaseName()));
        lab.write("hosts/edge-outage/revision", UUID.randomUUID().toString());
        ForgePush push = lab.push("edge-outage: during an outage");

        // When: the database goes away (sessions ended, new ones refused), the push arrives and the stage fails to
        // take it up, then the database comes back
        String databaseUnreachable = "FATAL";
        outage.begin();
        String deployment;
        try {
            deployment = pushed("edge-outage", push);
            await("the stage tried the push while the database was away")
                    .atMost(Duration.ofSeconds(60))
                    .until(() -> String.valueOf(loops.lastError()).contains(databaseUnreachable));
        } finally {
            outage.end();
        }
        Instant back = Instant.now();

        // Then: the push converges within seconds of the database's return, once: one activation, one completion
        List<EventEnvelope> events = outcome(deployment);
        Duration recovered = Duration.between(back, Instant.now());
        assertThat(events)
                .extracting(EventEnvelope::type)
                .containsExactly(EventType.CONVERGENCE_STARTED.type(), EventType.CONVERGENCE_COMPLETED.type());
        assertThat(events.get(1).data().path("commit").asText()).isEqualTo(push.after());
        assertThat(recovered)
                .as("time from the database's return to the completion")
                .isLessThan(Duration.ofSeconds(20));
        assertThat(node.activations()).isEqualTo(activations + 1);
        assertThat(node.current().revision()).isEqualTo(push.after());
    }

    @Test
    void aPushDeliveredAgainAfterItsRunEndedPublishesTheSameCompletionAndActivatesNothing() throws Exception {
        // Given: a push that converged the host
        ConvergeLab lab = ConvergeLabResource.lab();
        NixosNode node = lab.node("edge-redelivered").node();
        convergedOnce("edge-redelivered");
        lab.write("hosts/edge-redelivered/revision", UUID.randomUUID().toString());
        EventEnvelope trigger = pushEvent("edge-redelivered", lab.push("edge-redelivered: once"));
        publisher.publishAll(List.of(trigger), Duration.ofSeconds(10));
        EventEnvelope completed = awaitType(trigger.deploymentId(), EventType.CONVERGENCE_COMPLETED);
        int activations = node.activations();

        // When: the same trigger arrives again, as after a crash between the run and its offset commit
        publisher.publishAll(List.of(trigger), Duration.ofSeconds(10));

        // Then: the same completion is published again — same id, same facts — and the host is not activated again
        List<EventEnvelope> events = await().atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(300))
                .until(
                        () -> eventsOf(trigger.deploymentId()),
                        e -> e.stream()
                                        .filter(x -> x.type().equals(EventType.CONVERGENCE_COMPLETED.type()))
                                        .count()
                                == 2);
        assertThat(events)
                .extracting(EventEnvelope::type)
                .containsExactly(
                        EventType.CONVERGENCE_STARTED.type(),
                        EventType.CONVERGENCE_COMPLETED.type(),
                        EventType.CONVERGENCE_COMPLETED.type());
        assertThat(events.get(2).id()).isEqualTo(completed.id());
        assertThat(events.get(2).data()).isEqualTo(completed.data());
        assertThat(node.activations()).isEqualTo(activations);
    }

    @Test
    void aRunThatFailsAfterTheActivationRunsAgainUnderTheHostLockAndCompletesOnce() throws Exception {
        // Given: the host converged; its next activation takes the database away right after it switched, so the run
        // fails half-way: the host activated, no outcome kept or published
        ConvergeLab lab = ConvergeLabResource.lab();
        NixosNode node = lab.node("edge-halfway").node();
        convergedOnce("edge-halfway");
        int activations = node.activations();
        PostgresOutage outage = new PostgresOutage(LabPostgres.shared(), List.of(databaseName()));
        java.util.concurrent.atomic.AtomicBoolean armed = new java.util.concurrent.atomic.AtomicBoolean(true);
        node.addActivationListener((n, generation) -> {
            if (armed.getAndSet(false)) {
                outage.begin();
            }
        });
        lab.write("hosts/edge-halfway/revision", UUID.randomUUID().toString());
        ForgePush push = lab.push("edge-halfway: fails half-way");

        // When: the push runs, fails after the activation, and the database comes back
        String deployment;
        try {
            deployment = pushed("edge-halfway", push);
            await("the run failed after the activation")
                    .atMost(Duration.ofSeconds(90))
                    .until(() ->
                            !armed.get() && String.valueOf(loops.lastError()).contains("FATAL"));
        } finally {
            outage.end();
        }

        // Then: the stage runs the push again under the host's lock: the host activates the same commit a second
        // time, never two at once, and one completion is published
        EventEnvelope completed = awaitType(deployment, EventType.CONVERGENCE_COMPLETED);
        assertThat(completed.data().path("commit").asText()).isEqualTo(push.after());
        assertThat(node.activations()).isEqualTo(activations + 2);
        assertThat(node.overlappingActivations()).isZero();
        assertThat(node.current().revision()).isEqualTo(push.after());
        assertThat(eventsOf(deployment))
                .filteredOn(e -> e.type().equals(EventType.CONVERGENCE_COMPLETED.type())
                        || e.type().equals(EventType.CONVERGENCE_FAILED.type()))
                .hasSize(1);
    }

    // ---- helpers ----------------------------------------------------------------------------------------------

    /** A {@code commit.pushed} of {@code push} for {@code host}, not yet published. */
    private EventEnvelope pushEvent(String host, ForgePush push) {
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
        return codec.newEvent(
                EventType.COMMIT_PUSHED,
                "/handoff/control-service",
                host,
                UUID.randomUUID().toString(),
                null,
                payload);
    }

    /** Opens {@code n} connections of the service's pool at once and returns them: they stay in the pool, idle. */
    private void holdIdleConnections(int n) throws Exception {
        List<Connection> held = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                Connection c = dataSource.getConnection();
                held.add(c);
                try (Statement s = c.createStatement()) {
                    s.execute("SELECT 1");
                }
            }
        } finally {
            for (Connection c : held) {
                c.close();
            }
        }
    }

    private String databaseName() throws Exception {
        try (Connection c = dataSource.getConnection();
                Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SELECT current_database()")) {
            r.next();
            return r.getString(1);
        }
    }

    private void pushAndAwaitCompleted(ConvergeLab lab, String host) throws Exception {
        lab.write("hosts/" + host + "/revision", UUID.randomUUID().toString());
        List<EventEnvelope> events = outcome(pushed(host, lab.push(host + ": steady run")));
        assertThat(events.get(1).type()).isEqualTo(EventType.CONVERGENCE_COMPLETED.type());
    }

    /** Publishes the host's cloud facts and secret facts and awaits the convergence they start: completed. */
    private JsonNode convergedOnce(String host) throws Exception {
        List<EventEnvelope> events = outcome(publishFacts(host));
        assertThat(events.get(1).type())
                .as("first convergence of %s: %s", host, events.get(1).data())
                .isEqualTo(EventType.CONVERGENCE_COMPLETED.type());
        return events.get(1).data();
    }

    /** Publishes the host's cloud facts, then its secret facts (which start a convergence); returns its deployment. */
    private String publishFacts(String host) throws Exception {
        return publishFacts(host, ConvergeLabResource.lab().secretsCommit());
    }

    /** As {@link #publishFacts(String)} with secret facts that name {@code secretsCommit}. */
    private String publishFacts(String host, String secretsCommit) throws Exception {
        publishCloudFacts(host, UUID.randomUUID().toString());
        await().atMost(Duration.ofSeconds(30)).until(() -> hasCloudFacts(host));
        return publishSecretFacts(host, secretsCommit);
    }

    private void publishCloudFacts(String host, String deployment) throws Exception {
        CloudFacts cloud = new CloudFacts(
                host,
                "oci",
                "eu-frankfurt-1",
                "ocid1.instance.oc1.." + host,
                "10.0.1.5",
                ConvergeLab.publicIp(host),
                "ocid1.subnet.oc1..lab",
                List.of(new CloudFacts.VolumeAttachment(
                        "ocid1.volume.oc1..lab", "/dev/oracleoci/oraclevdb", "paravirtualized")),
                null,
                Instant.now());
        publisher.publishAll(
                List.of(codec.newEvent(
                        EventType.CLOUD_FACTS_COMPLETED, "/handoff/infra-service", host, deployment, null, cloud)),
                Duration.ofSeconds(10));
    }

    /** Publishes the host's secret facts, which start a convergence; returns its deployment. */
    private String publishSecretFacts(String host, String secretsCommit) throws Exception {
        SecretFacts secrets = new SecretFacts(
                host,
                ConvergeLab.SECRETS,
                secretsCommit,
                ConvergeLab.RECIPIENT,
                List.of(new SecretFacts.SecretFile(
                        "hosts/" + host + ".yaml",
                        "2".repeat(64),
                        Instant.parse("2026-11-25T09:00:00Z"),
                        List.of(ConvergeLab.RECIPIENT),
                        List.of("tailscale/auth_key", "restic/password"),
                        SecretFacts.MacStatus.VERIFIED)));
        String deployment = UUID.randomUUID().toString();
        publisher.publishAll(
                List.of(codec.newEvent(
                        EventType.SECRET_FACTS_COMPLETED, "/handoff/secrets-service", host, deployment, null, secrets)),
                Duration.ofSeconds(10));
        return deployment;
    }

    private boolean infraRunning(String host) throws Exception {
        try (Connection c = dataSource.getConnection();
                Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SELECT count(*) FROM infra_running WHERE host = '" + host + "'")) {
            return r.next() && r.getInt(1) == 1;
        }
    }

    private static List<EventEnvelope> eventsOf(String deployment) {
        return TopicRecords.events(LabKafka.shared().bootstrapServers(), Topics.CONVERGENCE).stream()
                .filter(e -> deployment.equals(e.deploymentId()))
                .toList();
    }

    private static EventEnvelope awaitType(String deployment, EventType type) {
        return await().atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(300))
                .until(
                        () -> eventsOf(deployment).stream()
                                .filter(e -> e.type().equals(type.type()))
                                .findFirst(),
                        java.util.Optional::isPresent)
                .orElseThrow();
    }

    /** As {@link #convergedOnce} for a host whose convergence must fail; returns the failure. */
    private JsonNode failedFirstConvergence(String host) throws Exception {
        List<EventEnvelope> events = outcome(publishFacts(host));
        assertThat(events.get(1).type()).isEqualTo(EventType.CONVERGENCE_FAILED.type());
        return events.get(1).data();
    }

    private boolean hasCloudFacts(String host) throws Exception {
        try (Connection c = dataSource.getConnection();
                Statement s = c.createStatement();
                ResultSet r = s.executeQuery(
                        "SELECT count(*) FROM host_facts WHERE kind = 'cloud' AND host = '" + host + "'")) {
            return r.next() && r.getInt(1) == 1;
        }
    }

    private String pushed(String host, ForgePush push) throws Exception {
        return pushed(host, push, push.cloneUrl());
    }

    private String pushed(String host, ForgePush push, String cloneUrl) throws Exception {
        String deployment = UUID.randomUUID().toString();
        CommitPushed payload = new CommitPushed(
                host,
                ConvergeLab.RUNTIME,
                push.ref(),
                "main",
                push.before(),
                push.after(),
                "converge",
                cloneUrl,
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

    private static List<EventEnvelope> outcome(String deployment) {
        return await().atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(500))
                .until(
                        () -> TopicRecords.events(LabKafka.shared().bootstrapServers(), Topics.CONVERGENCE).stream()
                                .filter(e -> deployment.equals(e.deploymentId()))
                                .toList(),
                        events -> events.size() >= 2);
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
