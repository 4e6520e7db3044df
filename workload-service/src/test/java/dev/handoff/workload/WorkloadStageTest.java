package dev.handoff.workload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.handoff.common.event.EventEnvelope;
import dev.handoff.common.event.EventType;
import dev.handoff.common.event.Topics;
import dev.handoff.common.event.v1.Convergence;
import dev.handoff.common.messaging.EventPublisher;
import dev.handoff.common.serde.EventCodec;
import dev.handoff.lab.KafkaTestResource;
import dev.handoff.lab.LabKafka;
import dev.handoff.lab.PostgresTestResource;
import dev.handoff.lab.TopicRecords;
import dev.handoff.lab.world.kube.KubeWorld;
import dev.handoff.lab.world.nixos.NixosNode;
import dev.handoff.support.ssh.HostKeyPins;
import dev.handoff.support.ssh.TopicHostKeyPins;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * workload-service end to end: the embedded broker, its PostgreSQL database, simulated NixOS hosts activated by the
 * stand-in colmena from the lab's runtime repository (manifests linked into K3s's folder, kubeconfig written), the
 * simulated K3s (fabric8 mock API over HTTPS, deploy controller, kubelet) and real TCP connects. Each test works on its
 * own host.
 */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(
        value = PostgresTestResource.class,
        initArgs = @ResourceArg(name = "prefix", value = "handoff_workload_test"),
        restrictToAnnotatedClass = true)
@QuarkusTestResource(value = WorkloadLabResource.class, restrictToAnnotatedClass = true)
class WorkloadStageTest {
    @io.quarkus.test.common.http.TestHTTPResource("/q/metrics")
    java.net.URI metricsUri;

    // the world around the stage publishes as the lab's admin: the stage's own identity may not
    EventPublisher publisher = LabKafka.shared().worldPublisher();

    @Inject
    EventCodec codec;

    @Inject
    AgroalDataSource dataSource;

    @Test
    void aConvergedRustdeskHostHasItsObjectsReadyItsPortsReachableAndItsKeyRecorded() throws Exception {
        double runsBefore = metric("handoff_stage_runs_total", "stage=\"workload\"", "result=\"completed\"");
        double timedBefore =
                metric("handoff_stage_duration_seconds_count", "stage=\"workload\"", "result=\"completed\"");
        // Given: as on NixOS, the manifest is a symbolic link into the store (sftp-server lists the link, not a file)
        WorkloadLab lab = WorkloadLabResource.lab();
        lab.activate("cloud-edge-1", null);
        NixosNode node = lab.node("cloud-edge-1");
        Path manifest = node.file(NixosNode.K3S_MANIFESTS + "/rustdesk.yaml");
        assertThat(manifest).isSymbolicLink();
        assertThat(manifest.toRealPath())
                .isEqualTo(node.file(node.declaredManifests().get("rustdesk")).toRealPath());

        // When
        List<EventEnvelope> events = outcome(converged("cloud-edge-1"));

        // Then
        assertThat(events)
                .extracting(EventEnvelope::type)
                .containsExactly(EventType.WORKLOAD_STARTED.type(), EventType.WORKLOAD_COMPLETED.type());
        assertThat(events.get(0).data().path("commit").asText()).isEqualTo(lab.commit("cloud-edge-1"));
        JsonNode facts = events.get(1).data();
        assertThat(facts.path("objects").findValuesAsText("name")).containsExactly("rustdesk", "hbbs", "hbbr");
        assertThat(facts.path("objects").findValuesAsText("ready")).containsOnly("true");
        assertThat(object(facts, "hbbs").path("image").asText()).isEqualTo("docker.io/rustdesk/rustdesk-server:1.1.14");
        for (int port : List.of(21115, 21116, 21117)) {
            assertThat(reachable(facts, port)).as("port %d/TCP", port).isTrue();
        }
        JsonNode key = facts.path("checks").get(0);
        assertThat(key.path("name").asText()).isEqualTo("rustdesk-key");
        assertThat(key.path("passed").asBoolean()).isTrue();
        String fingerprint = fingerprintIn(key.path("detail").asText());
        assertThat(query("SELECT fingerprint FROM rustdesk_keys WHERE host = 'cloud-edge-1'"))
                .containsExactly(fingerprint);

        // And the metrics page counts and times the run under its stage and result
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(metric("handoff_stage_runs_total", "stage=\"workload\"", "result=\"completed\""))
                    .isGreaterThan(runsBefore);
            assertThat(metric("handoff_stage_duration_seconds_count", "stage=\"workload\"", "result=\"completed\""))
                    .isGreaterThan(timedBefore);
            assertThat(metric(
                            "handoff_stage_duration_seconds_bucket",
                            "stage=\"workload\"",
                            "result=\"completed\"",
                            "le=\"3600.0\""))
                    .isGreaterThan(timedBefore);
            assertThat(metric("handoff_host_lock_wait_seconds_count", "stage=\"workload\""))
                    .isPositive();
            assertThat(metricsPage())
                    .containsPattern("handoff_consumer_lag_records\\{[^}]*topic=\"handoff.convergence\"");
        });
    }

    @Test
    void anImagePullFailureFailsNamingTheObjectAndTheReason() throws Exception {
        // Given
        WorkloadLab lab = WorkloadLabResource.lab();
        lab.kube("edge-pull").faults().imagePullFailure("rustdesk/hbbr");
        lab.activate("edge-pull", null);

        // When
        JsonNode failed = failure(converged("edge-pull"));

        // Then
        assertThat(failed.path("reason").asText()).isEqualTo("image-pull-failed");
        assertThat(failed.path("retryable").asBoolean()).isTrue();
        assertThat(detail(failed, "image-pull-failed").path("subject").asText()).isEqualTo("Deployment/rustdesk/hbbr");
        assertThat(detail(failed, "image-pull-failed").path("message").asText())
                .containsAnyOf("ErrImagePull", "ImagePullBackOff")
                .contains("docker.io/rustdesk/rustdesk-server:1.1.14");
        assertThat(failed.path("message").asText()).contains("edge-pull", "Deployment/rustdesk/hbbr");
    }

    @Test
    void aCrashLoopFailsNamingTheObjectAndTheReason() throws Exception {
        // Given
        WorkloadLab lab = WorkloadLabResource.lab();
        lab.kube("edge-crash").faults().crashLoop("rustdesk/hbbs");
        lab.activate("edge-crash", null);

        // When
        JsonNode failed = failure(converged("edge-crash"));

        // Then
        assertThat(failed.path("reason").asText()).isEqualTo("crash-loop");
        JsonNode crash = detail(failed, "crash-loop");
        assertThat(crash.path("subject").asText()).isEqualTo("Deployment/rustdesk/hbbs");
        assertThat(crash.path("message").asText()).contains("CrashLoopBackOff", "restart count");
    }

    @Test
    void aDeclaredPortThatDoesNotListenFailsNamingTheObjectAndThePort() throws Exception {
        // Given
        WorkloadLab lab = WorkloadLabResource.lab();
        lab.kube("edge-port").faults().portNotListening(21115);
        lab.activate("edge-port", null);

        // When
        JsonNode failed = failure(converged("edge-port"));

        // Then
        assertThat(failed.path("reason").asText()).isEqualTo("port-unreachable");
        JsonNode port = detail(failed, "port-unreachable");
        assertThat(port.path("subject").asText()).isEqualTo("Deployment/rustdesk/hbbs");
        assertThat(port.path("message").asText()).contains("edge-port.tailnet.ts.net:21115/TCP");
        assertThat(failed.path("details").findValuesAsText("code")).containsOnly("port-unreachable");
    }

    @Test
    void aKubeconfigWhoseClientCertificateTheApiRefusesFailsNamingTheKubeconfig() throws Exception {
        // Given: K3s no longer trusts the client certificate in the host's kubeconfig
        WorkloadLab lab = WorkloadLabResource.lab();
        lab.kube("edge-stale").faults().staleKubeconfig();
        lab.activate("edge-stale", null);

        // When
        JsonNode failed = failure(converged("edge-stale"));

        // Then
        assertThat(failed.path("reason").asText()).isEqualTo("api-unauthorized");
        assertThat(failed.path("retryable").asBoolean()).isTrue();
        assertThat(failed.path("message").asText())
                .contains("edge-stale", NixosNode.K3S_KUBECONFIG, "not one the API trusts");
        assertThat(detail(failed, "api-unauthorized").path("subject").asText()).isEqualTo("edge-stale.tailnet.ts.net");
    }

    @Test
    void aKubeconfigWithAnExecPluginIsRefusedNamingTheFieldAndItsCommandNeverRuns() throws Exception {
        // Given: the host's kubeconfig asks the client to run a command that leaves a marker file
        WorkloadLab lab = WorkloadLabResource.lab();
        lab.activate("edge-exec", null);
        Path kubeconfig = lab.node("edge-exec").file(NixosNode.K3S_KUBECONFIG);
        Path marker = Files.createTempDirectory("kubeconfig-exec").resolve("exec-plugin-ran");
        Files.writeString(
                kubeconfig,
                Files.readString(kubeconfig)
                        .replace(
                                "  user:\n",
                                "  user:\n"
                                        + "    exec:\n"
                                        + "      apiVersion: client.authentication.k8s.io/v1\n"
                                        + "      command: /bin/sh\n"
                                        + "      args:\n"
                                        + "      - -c\n"
                                        + "      - touch '" + marker + "'; echo '{\"apiVersion\":"
                                        + "\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\","
                                        + "\"status\":{\"token\":\"from-exec\"}}'\n"
                                        + "      interactiveMode: Never\n"));

        // When
        JsonNode failed = failure(converged("edge-exec"));

        // Then
        assertThat(marker).doesNotExist();
        Files.delete(marker.getParent());
        assertThat(failed.path("reason").asText()).isEqualTo("kubeconfig-refused");
        assertThat(failed.path("retryable").asBoolean()).isFalse();
        assertThat(failed.path("message").asText())
                .contains("edge-exec", NixosNode.K3S_KUBECONFIG, "users[default].user.exec", "inline certificate data")
                .doesNotContain(marker.toString());
        assertThat(detail(failed, "kubeconfig-refused").path("subject").asText())
                .isEqualTo("edge-exec:" + NixosNode.K3S_KUBECONFIG);
    }

    @Test
    void aRotatedKeyFailsUntilTheRotationIsDeclaredInGit() throws Exception {
        // Given
        WorkloadLab lab = WorkloadLabResource.lab();
        lab.activate("edge-key", null);
        List<EventEnvelope> first = outcome(converged("edge-key"));
        assertThat(first.get(1).type()).isEqualTo(EventType.WORKLOAD_COMPLETED.type());
        String before = fingerprintIn(
                first.get(1).data().path("checks").get(0).path("detail").asText());
        KubeWorld kube = lab.kube("edge-key");
        Path publicKey = lab.node("edge-key").file("/var/lib/rustdesk/id_ed25519.pub");
        String oldKey = Files.readString(publicKey);
        kube.faults().rotateKey();
        await().atMost(Duration.ofSeconds(10))
                .until(() -> !Files.readString(publicKey).equals(oldKey));

        // When
        JsonNode failed = failure(converged("edge-key"));
        lab.activate(
                "edge-key",
                WorkloadLab.rustdeskManifest()
                        .replace(
                                "  name: hbbs\n  namespace: rustdesk\n",
                                "  name: hbbs\n  namespace: rustdesk\n  annotations: { handoff.dev/rustdesk-key-rotation:"
                                        + " \"2026-11-25\" }\n"));
        List<EventEnvelope> declared = outcome(converged("edge-key"));

        // Then
        assertThat(failed.path("reason").asText()).isEqualTo("rustdesk-key-changed");
        assertThat(failed.path("retryable").asBoolean()).isFalse();
        JsonNode changed = detail(failed, "rustdesk-key-changed");
        assertThat(changed.path("subject").asText()).isEqualTo("Deployment/rustdesk/hbbs");
        assertThat(changed.path("message").asText()).contains(before, "handoff.dev/rustdesk-key-rotation");
        assertThat(declared.get(1).type()).isEqualTo(EventType.WORKLOAD_COMPLETED.type());
        String after = fingerprintIn(
                declared.get(1).data().path("checks").get(0).path("detail").asText());
        assertThat(after).isNotEqualTo(before);
        assertThat(query("SELECT fingerprint FROM rustdesk_keys WHERE host = 'edge-key'"))
                .containsExactly(after);
    }

    @Test
    void aManifestLinkWhoseStorePathIsGoneFailsNamingTheLinkItsTargetAndTheFix() throws Exception {
        // Given: the store path the link points to was garbage-collected
        WorkloadLab lab = WorkloadLabResource.lab();
        lab.activate("edge-dangling", null);
        NixosNode node = lab.node("edge-dangling");
        String storePath = node.declaredManifests().get("rustdesk");
        Files.delete(node.file(storePath));

        // When
        JsonNode failed = failure(converged("edge-dangling"));

        // Then
        assertThat(failed.path("reason").asText()).isEqualTo("manifest-unreadable");
        assertThat(failed.path("retryable").asBoolean()).isFalse();
        JsonNode unreadable = detail(failed, "manifest-unreadable");
        assertThat(unreadable.path("subject").asText()).isEqualTo(NixosNode.K3S_MANIFESTS + "/rustdesk.yaml");
        assertThat(unreadable.path("message").asText())
                .contains("symbolic link to " + storePath, "does not exist", "Re-run the activation");
        assertThat(failed.path("message").asText()).contains("edge-dangling", "rustdesk.yaml", storePath);
        assertThat(failed.path("details").findValuesAsText("code")).doesNotContain("manifest-missing");
    }

    @Test
    void aManifestOverTheSizeLimitFailsNamingHostPathSizeAndLimitWithoutReadingIt() throws Exception {
        // Given: a manifest of more than the default limit (1 MiB)
        WorkloadLab lab = WorkloadLabResource.lab();
        lab.activate("edge-big", WorkloadLab.rustdeskManifest() + "# " + "x".repeat(1024 * 1024) + "\n");
        NixosNode node = lab.node("edge-big");
        long size = Files.size(node.file(node.declaredManifests().get("rustdesk")));

        // When
        JsonNode failed = failure(converged("edge-big"));

        // Then
        assertThat(failed.path("reason").asText()).isEqualTo("host-file-too-large");
        assertThat(failed.path("retryable").asBoolean()).isFalse();
        assertThat(detail(failed, "host-file-too-large").path("subject").asText())
                .isEqualTo(NixosNode.K3S_MANIFESTS + "/rustdesk.yaml");
        assertThat(failed.path("message").asText())
                .contains(
                        "edge-big",
                        NixosNode.K3S_MANIFESTS + "/rustdesk.yaml",
                        size + " bytes",
                        "limit of 1048576 bytes",
                        "handoff.workload.max-host-file-size");
    }

    @Test
    void aListedWorkloadWhoseManifestHoldsNoObjectFailsInsteadOfPassingOnNothing() throws Exception {
        // Given: handoff.yaml lists rustdesk for the host, its manifest is there but declares nothing
        WorkloadLab lab = WorkloadLabResource.lab();
        lab.activate("edge-empty", "# rustdesk: objects to come\n");

        // When
        JsonNode failed = failure(converged("edge-empty"));

        // Then
        assertThat(failed.path("reason").asText()).isEqualTo("manifest-empty");
        assertThat(failed.path("retryable").asBoolean()).isFalse();
        assertThat(detail(failed, "manifest-empty").path("subject").asText())
                .isEqualTo(NixosNode.K3S_MANIFESTS + "/rustdesk.yaml");
        assertThat(failed.path("message").asText()).contains("edge-empty", "rustdesk", "holds no Kubernetes object");
    }

    @Test
    void aConvergedHostWithoutWorkloadsCompletesWithNoObjectsSoTheChainGoesOn() throws Exception {
        // When
        List<EventEnvelope> events = outcome(converged(WorkloadLab.CONTROL_HOST));

        // Then
        assertThat(events.get(1).type()).isEqualTo(EventType.WORKLOAD_COMPLETED.type());
        assertThat(events.get(1).data().path("objects").size()).isZero();
    }

    @Test
    void aConvergenceDeliveredAgainAfterItsRunEndedPublishesTheSameCompletionAndVerifiesNothing() throws Exception {
        // Given: a convergence the stage verified
        converged(WorkloadLab.CONTROL_HOST);
        EventEnvelope trigger = codec.newEvent(
                EventType.CONVERGENCE_COMPLETED,
                "/handoff/converge-service",
                WorkloadLab.CONTROL_HOST,
                UUID.randomUUID().toString(),
                UUID.randomUUID().toString(),
                new Convergence(
                        WorkloadLab.CONTROL_HOST,
                        WorkloadLab.RUNTIME,
                        "b".repeat(40),
                        "/nix/store/" + "0".repeat(32) + "-nixos-system-" + WorkloadLab.CONTROL_HOST,
                        3,
                        "b".repeat(40),
                        UUID.randomUUID().toString(),
                        false,
                        Convergence.AccessPhase.STEADY,
                        List.of(new Convergence.Check("k3s-active", true, "active"))));
        publisher.publishAll(List.of(trigger), Duration.ofSeconds(10));
        List<EventEnvelope> first = outcome(trigger.deploymentId());

        // When: the same trigger arrives again, as after a crash between the run and its offset commit
        publisher.publishAll(List.of(trigger), Duration.ofSeconds(10));

        // Then: its completion is published again, same id and facts; no second run (no second started)
        List<EventEnvelope> events = await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(300))
                .until(
                        () -> TopicRecords.events(LabKafka.shared().bootstrapServers(), Topics.WORKLOAD).stream()
                                .filter(e -> trigger.deploymentId().equals(e.deploymentId()))
                                .toList(),
                        e -> e.size() >= 3);
        assertThat(events)
                .extracting(EventEnvelope::type)
                .containsExactly(
                        EventType.WORKLOAD_STARTED.type(),
                        EventType.WORKLOAD_COMPLETED.type(),
                        EventType.WORKLOAD_COMPLETED.type());
        assertThat(events.get(2).id()).isEqualTo(first.get(1).id());
        assertThat(events.get(2).data()).isEqualTo(first.get(1).data());
    }

    @Test
    void anUnreadableRecordGoesToTheDeadLetterTopicAndTheStreamGoesOn() throws Exception {
        // Given
        String marker = "not an event " + UUID.randomUUID();
        try (KafkaProducer<String, byte[]> raw = new KafkaProducer<>(
                LabKafka.asAdmin(Map.of("bootstrap.servers", LabKafka.shared().bootstrapServers())),
                new StringSerializer(),
                new ByteArraySerializer())) {
            raw.send(new ProducerRecord<>(Topics.CONVERGENCE, "cloud-edge-1", marker.getBytes(StandardCharsets.UTF_8)))
                    .get();
        }

        // When
        List<EventEnvelope> after = outcome(converged(WorkloadLab.CONTROL_HOST));

        // Then
        ConsumerRecord<String, byte[]> dead = await().atMost(Duration.ofSeconds(30))
                .until(
                        () ->
                                TopicRecords.records(LabKafka.shared().bootstrapServers(), Topics.CONVERGENCE + ".dlq")
                                        .stream()
                                        .filter(r -> new String(r.value(), StandardCharsets.UTF_8).equals(marker))
                                        .filter(r -> header(r, "handoff-dlq-consumer")
                                                .equals(WorkloadLabResource.group))
                                        .findFirst()
                                        .orElse(null),
                        r -> r != null);
        assertThat(header(dead, "handoff-dlq-reason")).isEqualTo("missing-header");
        assertThat(after.get(1).type()).isEqualTo(EventType.WORKLOAD_COMPLETED.type());
    }

    @Test
    void noKubeconfigKeyOrK3sTokenReachesATopicTableOrLog() throws Exception {
        // Given
        WorkloadLab lab = WorkloadLabResource.lab();
        lab.activate("edge-secrets", null);
        NixosNode node = lab.node("edge-secrets");
        String kubeconfig = Files.readString(node.file(NixosNode.K3S_KUBECONFIG));
        String token = Files.readString(node.file(NixosNode.K3S_TOKEN)).trim();
        List<String> keyLines = lab.kube("edge-secrets").api().clientKeyLines();
        String clientKeyData = kubeconfig
                .lines()
                .filter(l -> l.trim().startsWith("client-key-data:"))
                .map(l -> l.substring(l.indexOf(':') + 1).trim())
                .findFirst()
                .orElseThrow();

        // When
        List<EventEnvelope> events = outcome(converged("edge-secrets"));

        // Then
        assertThat(events.get(1).type()).isEqualTo(EventType.WORKLOAD_COMPLETED.type());
        StringBuilder everything = new StringBuilder();
        for (ConsumerRecord<String, byte[]> r :
                TopicRecords.records(LabKafka.shared().bootstrapServers(), Topics.WORKLOAD)) {
            everything.append(new String(r.value(), StandardCharsets.UTF_8)).append('\n');
        }
        everything.append(String.join(
                "\n",
                query("SELECT host || ' ' || data_dir || ' ' || fingerprint || ' ' || coalesce(rotation, '')"
                        + " FROM rustdesk_keys")));
        everything.append(Files.readString(Path.of("target/quarkus.log")));
        String all = everything.toString();
        assertThat(all)
                .contains("edge-secrets")
                .doesNotContain(clientKeyData)
                .doesNotContain(token)
                .doesNotContain(token.substring(token.indexOf("::server:") + 9))
                .doesNotContain("PRIVATE KEY");
        for (String line : keyLines) {
            assertThat(all).doesNotContain(line);
        }
    }

    @Test
    void aHostWhoseKeyNoServiceTrustedIsRefusedNamingItsFingerprintAndTheTrustCommand() throws Exception {
        // Given: converge-service never pinned the host's key
        String presented = HostKeyPins.pinOf(WorkloadLabResource.lab().hostKey(WorkloadLab.UNTRUSTED))
                .fingerprint();

        // When
        JsonNode failed = failure(converged(WorkloadLab.UNTRUSTED));

        // Then
        assertThat(failed.path("message").asText())
                .contains(
                        WorkloadLab.UNTRUSTED,
                        presented,
                        "handoffctl hosts trust " + WorkloadLab.UNTRUSTED,
                        "nothing was read");
    }

    // ---- helpers ----------------------------------------------------------------------------------------------

    /**
     * Publishes a convergence.completed of {@code host} as converge-service would, right after the pin it writes at
     * the host's first bootstrap (a later pin of a host is ignored: the first one wins); returns its deployment.
     */
    private String converged(String host) throws Exception {
        WorkloadLab lab = WorkloadLabResource.lab();
        if (!host.equals(WorkloadLab.UNTRUSTED) && lab.hostKey(host) != null) {
            // the pin converge-service writes at the host's first bootstrap, through the same store
            String kafka = LabKafka.shared().bootstrapServers();
            try (TopicHostKeyPins pins = new TopicHostKeyPins(
                    kafka,
                    "converge-service",
                    new EventCodec(),
                    Duration.ofSeconds(30),
                    LabKafka.adminSecurity(kafka))) {
                pins.pin(host, HostKeyPins.pinOf(lab.hostKey(host)));
            }
        }
        String commit = lab.commit(host) != null ? lab.commit(host) : "a".repeat(40);
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

    private static JsonNode failure(String deployment) {
        List<EventEnvelope> events = outcome(deployment);
        assertThat(events.get(1).type()).as("%s", events.get(1).data()).isEqualTo(EventType.WORKLOAD_FAILED.type());
        return events.get(1).data();
    }

    private static JsonNode detail(JsonNode failed, String code) {
        for (JsonNode d : failed.path("details")) {
            if (d.path("code").asText().equals(code)) {
                return d;
            }
        }
        throw new AssertionError("no " + code + " in " + failed);
    }

    private static JsonNode object(JsonNode facts, String name) {
        for (JsonNode o : facts.path("objects")) {
            if (o.path("name").asText().equals(name)) {
                return o;
            }
        }
        throw new AssertionError("no object " + name + " in " + facts);
    }

    private static boolean reachable(JsonNode facts, int port) {
        for (JsonNode o : facts.path("objects")) {
            for (JsonNode p : o.path("ports")) {
                if (p.path("port").asInt() == port
                        && p.path("protocol").asText().equals("TCP")) {
                    return p.path("reachable").asBoolean();
                }
            }
        }
        throw new AssertionError("port " + port + " not in " + facts);
    }

    private static String fingerprintIn(String detail) {
        int at = detail.indexOf("SHA256:");
        assertThat(at).as(detail).isNotNegative();
        return detail.substring(at).split("\\s+")[0];
    }

    private static String header(ConsumerRecord<String, byte[]> r, String name) {
        var h = r.headers().lastHeader(name);
        return h == null ? "" : new String(h.value(), StandardCharsets.UTF_8);
    }

    private List<String> query(String sql) throws Exception {
        try (Connection c = dataSource.getConnection();
                Statement s = c.createStatement();
                ResultSet r = s.executeQuery(sql)) {
            List<String> rows = new java.util.ArrayList<>();
            while (r.next()) {
                rows.add(r.getString(1));
            }
            return rows;
        }
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
