package dev.handoff.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.handoff.backup.messaging.BackupSchedule;
import dev.handoff.common.event.EventEnvelope;
import dev.handoff.common.event.EventType;
import dev.handoff.common.event.Topics;
import dev.handoff.common.messaging.EventPublisher;
import dev.handoff.lab.KafkaTestResource;
import dev.handoff.lab.LabKafka;
import dev.handoff.lab.PostgresTestResource;
import dev.handoff.lab.TopicRecords;
import dev.handoff.lab.world.nixos.NixosNode;
import dev.handoff.lab.world.restic.ResticFaults.Fault;
import dev.handoff.lab.world.restic.ResticWorld;
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
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * backup-service end to end: the embedded broker, its PostgreSQL database, simulated NixOS hosts over real SSH (sshj →
 * Apache MINA SSHD), the real restic against the lab's restic world, and infra-service's state folders. Each test
 * takes its own snapshot first and puts every fault back afterwards.
 */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(
        value = PostgresTestResource.class,
        initArgs = @ResourceArg(name = "prefix", value = "handoff_backup_test"),
        restrictToAnnotatedClass = true)
@QuarkusTestResource(value = BackupLabResource.class, restrictToAnnotatedClass = true)
class BackupStageTest {
    @io.quarkus.test.common.http.TestHTTPResource("/q/metrics")
    java.net.URI metricsUri;

    // the world around the stage publishes as the lab's admin: the stage's own identity may not
    EventPublisher publisher = LabKafka.shared().worldPublisher();

    @Inject
    AgroalDataSource dataSource;

    @Inject
    BackupSchedule schedule;

    @AfterEach
    void noFaults() {
        BackupLabResource.lab().restic().reset();
    }

    @Test
    void aCompletedWorkloadGivesACompletedBackupPerContract() throws Exception {
        double runsBefore = metric("handoff_stage_runs_total", "stage=\"backup\"", "result=\"completed\"");
        double timedBefore = metric("handoff_stage_duration_seconds_count", "stage=\"backup\"", "result=\"completed\"");
        // Given
        BackupLab lab = BackupLabResource.lab();
        ResticWorld.Snapshot snapshot = lab.restic().snapshot(lab.node(BackupLab.EDGE));

        // When
        List<EventEnvelope> events = outcome(workloadCompleted(BackupLab.EDGE), 3);

        // Then
        assertThat(events)
                .extracting(EventEnvelope::type)
                .containsExactly(
                        EventType.BACKUP_STARTED.type(),
                        EventType.BACKUP_COMPLETED.type(),
                        EventType.BACKUP_COMPLETED.type());
        JsonNode runtime = events.get(1).data();
        assertThat(runtime.path("contract").asText()).isEqualTo("runtime");
        assertThat(runtime.path("newestSnapshotTime").asText())
                .startsWith(snapshot.time().toString().substring(0, 16));
        assertThat(runtime.path("pathsCovered").toString())
                .contains("/var/lib/rustdesk")
                .contains("/var/lib/rancher/k3s/server/token");
        assertThat(runtime.path("checkResult").asText()).isIn("passed", "skipped");
        assertThat(runtime.path("rehearsal").path("passed").asBoolean()).isTrue();
        assertThat(runtime.path("rehearsal").path("detail").asText()).contains("all equal");
        assertThat(runtime.path("repository").asText()).endsWith("restic/repos/runtime");
        JsonNode infra = events.get(2).data();
        assertThat(infra.path("contract").asText()).isEqualTo("infra-state");
        assertThat(infra.path("pathsCovered").get(0).asText()).startsWith("ops_edge-cluster-infra__stacks_compute__");
        assertThat(rehearsalFolders()).as("the scratch folders are deleted").isEmpty();

        // And the metrics page counts and times the run under its stage and result
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(metric("handoff_stage_runs_total", "stage=\"backup\"", "result=\"completed\""))
                    .isGreaterThan(runsBefore);
            assertThat(metric("handoff_stage_duration_seconds_count", "stage=\"backup\"", "result=\"completed\""))
                    .isGreaterThan(timedBefore);
            assertThat(metric(
                            "handoff_stage_duration_seconds_bucket",
                            "stage=\"backup\"",
                            "result=\"completed\"",
                            "le=\"3600.0\""))
                    .isGreaterThan(timedBefore);
            assertThat(metric("handoff_host_lock_wait_seconds_count", "stage=\"backup\""))
                    .isPositive();
            assertThat(metricsPage()).containsPattern("handoff_consumer_lag_records\\{[^}]*topic=\"handoff.workload\"");
            assertThat(metric("handoff_backup_age_seconds", "host=\"" + BackupLab.EDGE + "\"", "contract=\"runtime\""))
                    .isPositive();
            assertThat(metric(
                            "handoff_backup_max_age_seconds",
                            "host=\"" + BackupLab.EDGE + "\"",
                            "contract=\"runtime\""))
                    .isPositive();
        });
    }

    @Test
    void aWorkloadDeliveredAgainAfterItsRunEndedPublishesTheSameOutcomeAndChecksNothingAgain() throws Exception {
        // Given: a workload completion the stage checked
        String deployment = workloadCompleted(BackupLab.EDGE);
        List<EventEnvelope> first = outcome(deployment, 3);
        EventEnvelope trigger = TopicRecords.events(LabKafka.shared().bootstrapServers(), Topics.WORKLOAD).stream()
                .filter(e -> deployment.equals(e.deploymentId()))
                .findFirst()
                .orElseThrow();
        List<String> outcomeIds = first.stream()
                .filter(e -> !e.type().equals(EventType.BACKUP_STARTED.type()))
                .map(EventEnvelope::id)
                .toList();

        // When: the same trigger arrives again, as after a crash between the run and its offset commit
        publisher.publishAll(List.of(trigger), Duration.ofSeconds(10));

        // Then: the same outcome events again (same ids); no second run (no second started, no second rehearsal)
        List<EventEnvelope> events = await().atMost(Duration.ofSeconds(120))
                .pollInterval(Duration.ofMillis(500))
                .until(
                        () -> TopicRecords.events(LabKafka.shared().bootstrapServers(), Topics.BACKUP).stream()
                                .filter(e -> deployment.equals(e.deploymentId()))
                                .toList(),
                        e -> e.size() >= first.size() + outcomeIds.size());
        assertThat(events).hasSize(first.size() + outcomeIds.size());
        assertThat(events)
                .filteredOn(e -> e.type().equals(EventType.BACKUP_STARTED.type()))
                .hasSize(1);
        assertThat(events.subList(first.size(), events.size()))
                .extracting(EventEnvelope::id)
                .containsExactlyElementsOf(outcomeIds);
    }

    @Test
    void aStaleSnapshotFailsNamingTheContract() throws Exception {
        // Given
        BackupLab lab = BackupLabResource.lab();
        lab.restic().faults().set(Fault.STALE, "runtime");
        lab.restic().snapshot(lab.node(BackupLab.STALE));

        // Then
        assertFailed(BackupLab.STALE, "stale", "runtime");
    }

    @Test
    void aSnapshotWithoutAPathFailsMissingPath() throws Exception {
        // Given
        BackupLab lab = BackupLabResource.lab();
        lab.restic().faults().set(Fault.MISSING_PATH, "runtime");
        lab.restic().snapshot(lab.node(BackupLab.MISSING));

        // Then
        JsonNode failed = assertFailed(BackupLab.MISSING, "missing-path", "runtime:/var/lib/rustdesk");
        assertThat(failed.path("message").asText()).contains("runtime").contains("/var/lib/rustdesk");
    }

    @Test
    void aWrongPasswordFailsWrongCredentials() throws Exception {
        // Given
        BackupLab lab = BackupLabResource.lab();
        lab.restic().snapshot(lab.node(BackupLab.EDGE));
        lab.restic().faults().set(Fault.WRONG_PASSWORD, "runtime");
        lab.restic().applyFaults();

        // Then
        assertFailed(BackupLab.EDGE, "wrong-credentials", "runtime");
    }

    @Test
    void aDamagedPackFailsRepositoryDamaged() throws Exception {
        // Given
        BackupLab lab = BackupLabResource.lab();
        lab.restic().snapshot(lab.node(BackupLab.EDGE));
        makeChecksDue();
        lab.restic().faults().set(Fault.DAMAGED_PACK, "runtime");
        lab.restic().applyFaults();

        // Then
        assertFailed(BackupLab.EDGE, "repository-damaged", "runtime");
    }

    @Test
    void aCheckRefusedByABackupJobsLockWaitsForTheLockAndThenPasses() throws Exception {
        // Given: a check is due, and a backup job is writing to the runtime repository (restic backup --stdin holds
        // its lock until its input ends), so restic check cannot take the exclusive lock
        BackupLab lab = BackupLabResource.lab();
        lab.restic().snapshot(lab.node(BackupLab.EDGE));
        makeChecksDue();
        Path log = Path.of("target/quarkus.log");
        long logBefore = Files.size(log);
        Process backupJob = runtimeRestic(lab, "backup", "--stdin", "--stdin-filename", "job.txt", "--host", "job")
                .start();
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> locks(lab) > 0);

            // When: the stage runs while the job holds the lock, and the job ends once the stage has been refused
            String deployment = workloadCompleted(BackupLab.EDGE);
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> logSince(log, logBefore)
                            .contains("the repository is locked by another restic process; restic check again"));
            backupJob.getOutputStream().write("the job's data\n".getBytes(StandardCharsets.UTF_8));
            backupJob.getOutputStream().close();
            List<EventEnvelope> events = outcome(deployment, 3);

            // Then: the check waited for the lock, ran and passed
            assertThat(events)
                    .extracting(EventEnvelope::type)
                    .containsExactly(
                            EventType.BACKUP_STARTED.type(),
                            EventType.BACKUP_COMPLETED.type(),
                            EventType.BACKUP_COMPLETED.type());
            assertThat(events.get(1).data().path("contract").asText()).isEqualTo("runtime");
            assertThat(events.get(1).data().path("checkResult").asText()).isEqualTo("passed");
            assertThat(backupJob.waitFor(30, java.util.concurrent.TimeUnit.SECONDS))
                    .as("the backup job ended")
                    .isTrue();
        } finally {
            backupJob.destroyForcibly().waitFor();
            if (locks(lab) > 0) {
                // a job killed by a failed test leaves its lock behind: remove it for the next tests
                runtimeRestic(lab, "unlock").start().waitFor();
            }
        }
    }

    @Test
    void hostsThatShareARepositoryShareItsCheckWhenTheyAreVerifiedAtOnce() throws Exception {
        // Given: a due check of the runtime repository, which two hosts share
        BackupLab lab = BackupLabResource.lab();
        lab.restic().snapshot(lab.node(BackupLab.EDGE));
        lab.restic().snapshot(lab.node(BackupLab.MISSING));
        makeChecksDue();

        // When: both hosts' workloads complete at once
        String first = workloadCompleted(BackupLab.EDGE);
        String second = workloadCompleted(BackupLab.MISSING);
        List<EventEnvelope> a = outcome(first, 3);
        List<EventEnvelope> b = outcome(second, 2); // edge-missing has only the runtime contract

        // Then: each host's runtime contract says the check passed, and both rest on one run of restic check
        assertThat(runtimeCheck(a)).isEqualTo("passed");
        assertThat(runtimeCheck(b)).isEqualTo("passed");
        try (Connection c = dataSource.getConnection();
                Statement s = c.createStatement();
                ResultSet rows = s.executeQuery("SELECT count(DISTINCT passed_at), count(*), min(repository) FROM"
                        + " restic_checks WHERE contract = 'runtime' AND host IN ('" + BackupLab.EDGE + "', '"
                        + BackupLab.MISSING + "')")) {
            assertThat(rows.next()).isTrue();
            assertThat(rows.getInt(2)).isEqualTo(2);
            assertThat(rows.getInt(1)).as("one check for both hosts").isEqualTo(1);
            assertThat(rows.getString(3)).startsWith("sha256:").doesNotContain("restic/repos");
        }
    }

    private static String runtimeCheck(List<EventEnvelope> events) {
        return events.stream()
                .filter(e -> e.type().equals(EventType.BACKUP_COMPLETED.type()))
                .filter(e -> e.data().path("contract").asText().equals("runtime"))
                .map(e -> e.data().path("checkResult").asText())
                .findFirst()
                .orElse("no completed runtime contract: " + events);
    }

    /** Forgets every recorded check, so the next run checks each repository. */
    private void makeChecksDue() throws java.sql.SQLException {
        try (Connection c = dataSource.getConnection();
                Statement s = c.createStatement()) {
            s.executeUpdate("DELETE FROM restic_checks");
        }
    }

    /** restic against the lab's runtime repository, with its password file. */
    private static ProcessBuilder runtimeRestic(BackupLab lab, String... args) {
        List<String> command = new java.util.ArrayList<>(List.of("restic", "--no-cache"));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD);
        builder.environment()
                .put("RESTIC_REPOSITORY", lab.restic().repository("runtime").toString());
        builder.environment()
                .put(
                        "RESTIC_PASSWORD_FILE",
                        lab.restic().passwordFile("runtime").toString());
        return builder;
    }

    private static long locks(BackupLab lab) throws java.io.IOException {
        try (var files = Files.list(lab.restic().repository("runtime").resolve("locks"))) {
            return files.count();
        }
    }

    private static String logSince(Path log, long offset) throws java.io.IOException {
        byte[] all = Files.readAllBytes(log);
        return new String(
                all,
                (int) Math.min(offset, all.length),
                (int) Math.max(0, all.length - offset),
                StandardCharsets.UTF_8);
    }

    @Test
    void aTokenChangedAfterTheSnapshotFailsTheRehearsal() throws Exception {
        // Given
        BackupLab lab = BackupLabResource.lab();
        NixosNode node = lab.node(BackupLab.EDGE);
        lab.restic().snapshot(node);
        Path token = node.file(NixosNode.K3S_TOKEN);
        String before = Files.readString(token);
        Files.writeString(token, "K10rotated::server:" + UUID.randomUUID() + "\n");
        try {
            // Then
            JsonNode failed =
                    assertFailed(BackupLab.EDGE, "rehearsal-mismatch", "runtime:/var/lib/rancher/k3s/server/token");
            assertThat(failed.toString()).doesNotContain("K10");
        } finally {
            Files.writeString(token, before);
            lab.restic().snapshot(node);
        }
    }

    @Test
    void aHostWhoseLiveFilesCannotBeAskedForIsNotComparedAndItsContractDoesNotHold() throws Exception {
        // Given: a fresh, complete runtime snapshot of a host that handoff.yaml gives no access
        BackupLab lab = BackupLabResource.lab();
        lab.restic().snapshot(lab.node(BackupLab.NO_ACCESS));

        // When
        List<EventEnvelope> events = outcome(workloadCompleted(BackupLab.NO_ACCESS), 2);

        // Then: the restored files were compared with nothing, so the contract is not reported verified
        assertThat(events)
                .extracting(EventEnvelope::type)
                .containsExactly(EventType.BACKUP_STARTED.type(), EventType.BACKUP_FAILED.type());
        JsonNode failed = events.get(1).data();
        assertThat(failed.path("reason").asText()).as(failed.toString()).isEqualTo("rehearsal-not-compared");
        assertThat(failed.path("details").findValuesAsText("subject")).containsExactly("runtime:access");
        assertThat(failed.path("message").asText())
                .contains(BackupLab.NO_ACCESS)
                .contains("not-compared")
                .contains("hosts." + BackupLab.NO_ACCESS + ".access.steady");
        assertThat(failed.path("retryable").asBoolean()).isFalse();
        assertThat(rehearsalFolders()).as("the scratch folders are deleted").isEmpty();
    }

    @Test
    void aHostThatDoesNotAnswerOverSshLeavesTheRehearsalNotCompared() throws Exception {
        // Given: a fresh, complete runtime snapshot of a host whose SSH port nobody listens on
        BackupLab lab = BackupLabResource.lab();
        lab.restic().snapshot(lab.node(BackupLab.UNREACHABLE));

        // Then: the stage fails, saying that nothing was compared, and may be run again
        JsonNode failed = assertFailed(
                BackupLab.UNREACHABLE, "host-unreachable", "runtime:" + BackupLab.UNREACHABLE + ".tailnet.ts.net");
        assertThat(failed.path("message").asText()).contains("not compared").contains("not-compared");
        assertThat(failed.path("retryable").asBoolean()).isTrue();
    }

    @Test
    void aRehearsalWhoseVerifiedFileIsNeitherInTheSnapshotNorOnTheHostIsNotCompared() throws Exception {
        // Given: the contract verifies a file that the host never had, so no snapshot has it either
        BackupLab lab = BackupLabResource.lab();
        NixosNode node = lab.node(BackupLab.UNVERIFIABLE);
        assertThat(node.file(BackupLab.ABSENT_FILE)).doesNotExist();
        lab.restic().snapshot(node);

        // Then: nothing was compared, which is neither a pass nor a difference
        JsonNode failed =
                assertFailed(BackupLab.UNVERIFIABLE, "rehearsal-not-compared", "runtime:" + BackupLab.ABSENT_FILE);
        assertThat(failed.path("details").findValuesAsText("code")).containsOnly("rehearsal-not-compared");
        assertThat(failed.path("message").asText())
                .contains("not-compared")
                .contains("hosts." + BackupLab.UNVERIFIABLE + ".backups.runtime.verify");
    }

    @Test
    void aContractThatListsNoFileToVerifyIsNotCompared() throws Exception {
        // Given: a fresh, complete runtime snapshot; the contract says verify: [] (as control-plane's default does)
        BackupLab lab = BackupLabResource.lab();
        lab.restic().snapshot(lab.node(BackupLab.VERIFY_NONE));

        // Then: a restore alone does not verify the backup
        JsonNode failed = assertFailed(BackupLab.VERIFY_NONE, "rehearsal-not-compared", "runtime:verify");
        assertThat(failed.path("message").asText())
                .contains("not-compared")
                .contains("hosts." + BackupLab.VERIFY_NONE + ".backups.runtime.verify lists no file");
    }

    @Test
    void aRestoreOfZeroFilesIsNotCountedAsAComparison() throws Exception {
        // Given: the host's RustDesk folder is empty, so its snapshot holds the folder and no file; restic restore
        // of it succeeds and writes nothing
        BackupLab lab = BackupLabResource.lab();
        ResticWorld.Snapshot snapshot = lab.restic().snapshot(lab.node(BackupLab.EMPTY_FOLDER));

        // Then
        JsonNode failed = assertFailed(
                BackupLab.EMPTY_FOLDER,
                "rehearsal-not-compared",
                "runtime:snapshot " + snapshot.id().substring(0, 8));
        assertThat(failed.path("message").asText()).contains("restored no file").contains("not-compared");
    }

    @Test
    void anArchiveAheadOfTheLiveStateFailsTheInfraStateContractAfterTheRuntimeOneCompleted() throws Exception {
        // Given
        BackupLab lab = BackupLabResource.lab();
        lab.restic().snapshot(lab.node(BackupLab.EDGE));
        Path archive =
                lab.writeInfraState(3, 7, BackupLab.LINEAGE, Instant.now().plusSeconds(5));
        try {
            // When
            List<EventEnvelope> events = outcome(workloadCompleted(BackupLab.EDGE), 3);

            // Then
            assertThat(events)
                    .extracting(EventEnvelope::type)
                    .as("completed first, the failure last: the ledger ends the stage failed")
                    .containsExactly(
                            EventType.BACKUP_STARTED.type(),
                            EventType.BACKUP_COMPLETED.type(),
                            EventType.BACKUP_FAILED.type());
            assertThat(events.get(2).data().path("reason").asText()).isEqualTo("serial-behind");
            assertThat(events.get(2)
                            .data()
                            .path("details")
                            .get(0)
                            .path("subject")
                            .asText())
                    .isEqualTo("infra-state:ops_edge-cluster-infra/stacks_compute");
        } finally {
            Files.delete(archive);
            Files.delete(archive.resolveSibling(archive.getFileName() + ".sha256"));
        }
    }

    @Test
    void aScheduledRunIsItsOwnDeployment() throws Exception {
        // Given
        BackupLab lab = BackupLabResource.lab();
        lab.restic().snapshot(lab.node(BackupLab.EDGE));

        // When
        List<String> hosts = schedule.runAll();

        // Then
        assertThat(hosts).containsExactlyElementsOf(BackupLab.HOSTS);
        List<EventEnvelope> scheduled =
                TopicRecords.events(LabKafka.shared().bootstrapServers(), Topics.BACKUP).stream()
                        .filter(e -> e.type().equals(EventType.BACKUP_STARTED.type()))
                        .filter(e -> e.data().path("triggerType").asText().equals("schedule"))
                        .toList();
        assertThat(scheduled).hasSizeGreaterThanOrEqualTo(3);
        assertThat(scheduled).allSatisfy(e -> assertThat(e.causationId()).isNull());
        assertThat(scheduled.stream().map(EventEnvelope::deploymentId).distinct())
                .hasSameSizeAs(scheduled);
    }

    @Test
    void badInputGoesToTheDeadLetterTopicAndTheStreamGoesOn() throws Exception {
        // Given
        BackupLab lab = BackupLabResource.lab();
        lab.restic().snapshot(lab.node(BackupLab.EDGE));
        String marker = "not-json-" + UUID.randomUUID();
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(
                LabKafka.asAdmin(
                        java.util.Map.of("bootstrap.servers", LabKafka.shared().bootstrapServers())),
                new StringSerializer(),
                new ByteArraySerializer())) {
            ProducerRecord<String, byte[]> bad =
                    new ProducerRecord<>(Topics.WORKLOAD, BackupLab.EDGE, marker.getBytes(StandardCharsets.UTF_8));
            bad.headers().add("ce_specversion", "1.0".getBytes(StandardCharsets.UTF_8));
            producer.send(bad).get();
        }

        // When
        List<EventEnvelope> events = outcome(workloadCompleted(BackupLab.EDGE), 3);

        // Then
        assertThat(events.get(events.size() - 1).type()).isEqualTo(EventType.BACKUP_COMPLETED.type());
        await().atMost(Duration.ofSeconds(30))
                .until(() ->
                        TopicRecords.records(LabKafka.shared().bootstrapServers(), Topics.WORKLOAD + ".dlq").stream()
                                .anyMatch(r -> new String(r.value(), StandardCharsets.UTF_8).equals(marker)));
    }

    @Test
    void noCredentialOrRestoredSecretReachesATopicATableOrTheLog() throws Exception {
        // Given
        BackupLab lab = BackupLabResource.lab();
        NixosNode node = lab.node(BackupLab.EDGE);
        lab.restic().snapshot(node);
        String password = Files.readString(lab.restic().passwordFile("runtime")).strip();
        String token = Files.readString(node.file(NixosNode.K3S_TOKEN)).strip();
        String privateKey =
                Files.readString(node.file("/var/lib/rustdesk/id_ed25519")).strip();
        outcome(workloadCompleted(BackupLab.EDGE), 3);
        lab.restic().faults().set(Fault.WRONG_PASSWORD, "runtime");
        lab.restic().applyFaults();
        String wrong = Files.readString(lab.restic().passwordFile("runtime")).strip();
        outcome(workloadCompleted(BackupLab.EDGE), 3);

        // Then
        List<String> secrets = List.of(password, wrong, token, "s3cr3t-", privateKey, "PRIVATE-RUSTDESK-KEY");
        for (String topic : List.of(Topics.BACKUP, Topics.WORKLOAD, Topics.WORKLOAD + ".dlq")) {
            for (ConsumerRecord<String, byte[]> r :
                    TopicRecords.records(LabKafka.shared().bootstrapServers(), topic)) {
                String value = new String(r.value(), StandardCharsets.UTF_8);
                secrets.forEach(s -> assertThat(value).doesNotContain(s));
            }
        }
        try (Connection c = dataSource.getConnection();
                Statement s = c.createStatement();
                ResultSet rows = s.executeQuery("SELECT host || contract || subset FROM restic_checks")) {
            while (rows.next()) {
                String row = rows.getString(1);
                secrets.forEach(secret -> assertThat(row).doesNotContain(secret));
            }
        }
        String log = Files.readString(Path.of("target/quarkus.log"));
        assertThat(log).contains("backup completed for " + BackupLab.EDGE).contains("wrong-credentials");
        secrets.forEach(s -> assertThat(log).doesNotContain(s));
    }

    private JsonNode assertFailed(String host, String reason, String subject) throws Exception {
        List<EventEnvelope> events = outcome(workloadCompleted(host), 2).stream()
                .filter(e -> e.type().equals(EventType.BACKUP_FAILED.type()))
                .toList();
        assertThat(events).hasSize(1);
        JsonNode failed = events.get(0).data();
        assertThat(failed.path("reason").asText()).as(failed.toString()).isEqualTo(reason);
        assertThat(failed.path("stage").asText()).isEqualTo("backup");
        assertThat(failed.path("details").findValuesAsText("subject"))
                .as("a finding names the contract (and what in it)")
                .anyMatch(found -> found.equals(subject) || found.startsWith(subject + ":"));
        assertThat(failed.path("message").asText()).contains(host);
        return failed;
    }

    private String workloadCompleted(String host) throws Exception {
        String deployment = UUID.randomUUID().toString();
        ObjectNode data = JsonNodeFactory.instance.objectNode().put("host", host);
        data.putArray("objects");
        EventEnvelope event = new EventEnvelope(
                UUID.randomUUID().toString(),
                "/handoff/workload-service",
                EventType.WORKLOAD_COMPLETED.type(),
                host,
                OffsetDateTime.now(ZoneOffset.UTC),
                EventType.WORKLOAD_COMPLETED.dataSchema(1),
                deployment,
                null,
                null,
                data);
        publisher.publishAll(List.of(event), Duration.ofSeconds(10));
        return deployment;
    }

    /** The backup events of {@code deployment}, once its last one (a failure, or the expected count) is there. */
    private static List<EventEnvelope> outcome(String deployment, int completeCount) {
        return await().atMost(Duration.ofSeconds(120))
                .pollInterval(Duration.ofMillis(500))
                .until(
                        () -> TopicRecords.events(LabKafka.shared().bootstrapServers(), Topics.BACKUP).stream()
                                .filter(e -> deployment.equals(e.deploymentId()))
                                .toList(),
                        events -> events.size() >= completeCount
                                || events.stream().anyMatch(e -> e.type().equals(EventType.BACKUP_FAILED.type())));
    }

    private static List<Path> rehearsalFolders() throws Exception {
        Path dir =
                BackupLabResource.lab().restic().dir().resolve("backup-service").resolve("rehearsals");
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (var files = Files.list(dir)) {
            return files.toList();
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
