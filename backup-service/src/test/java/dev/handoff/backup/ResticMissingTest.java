package dev.handoff.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.handoff.backup.messaging.BackupSchedule;
import dev.handoff.common.event.EventEnvelope;
import dev.handoff.common.event.EventType;
import dev.handoff.common.event.Topics;
import dev.handoff.lab.KafkaTestResource;
import dev.handoff.lab.LabKafka;
import dev.handoff.lab.PostgresTestResource;
import dev.handoff.lab.TopicRecords;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** backup-service without restic: each restic contract fails {@code restic-not-installed}, naming the executable. */
@QuarkusTest
@TestProfile(ResticMissingTest.NoRestic.class)
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(
        value = PostgresTestResource.class,
        initArgs = @ResourceArg(name = "prefix", value = "handoff_backup_norestic_test"),
        restrictToAnnotatedClass = true)
@QuarkusTestResource(value = BackupLabResource.class, restrictToAnnotatedClass = true)
class ResticMissingTest {
    static final String MISSING = "/nonexistent/bin/restic";

    /** The restic executable points nowhere. */
    public static class NoRestic implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("handoff.backup.restic-executable", MISSING);
        }
    }

    @Inject
    BackupSchedule schedule;

    @Test
    void aMissingResticFailsNamingTheConfiguredExecutable() {
        // When
        schedule.runAll();

        // Then
        List<EventEnvelope> failed = await().atMost(Duration.ofSeconds(60))
                .until(
                        () -> TopicRecords.events(LabKafka.shared().bootstrapServers(), Topics.BACKUP).stream()
                                .filter(e -> e.type().equals(EventType.BACKUP_FAILED.type()))
                                .filter(e -> e.data().path("reason").asText().equals("restic-not-installed"))
                                .toList(),
                        l -> !l.isEmpty());
        var data = failed.get(0).data();
        assertThat(data.path("message").asText()).contains(MISSING).contains("apt-get install restic");
        assertThat(data.path("details").findValuesAsText("subject")).anyMatch(s -> s.startsWith("runtime"));
        assertThat(data.path("retryable").asBoolean()).isFalse();
    }
}
