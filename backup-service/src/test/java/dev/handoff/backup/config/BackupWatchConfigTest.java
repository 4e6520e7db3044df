package dev.handoff.backup.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.EnvConfigSource;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The scheduled check's period and delay as an operator sets them: {@code HANDOFF_BACKUP_WATCH_*}, or the deprecated
 * {@code HANDOFF_BACKUP_SCHEDULE_*} an existing installation still has in its environment.
 */
class BackupWatchConfigTest {
    @Test
    void withNothingSetTheCheckRunsEverySixHoursFromAMinuteAfterStart() {
        // When
        BackupConfig.Watch watch = watch(Map.of());

        // Then
        assertThat(watch.interval()).isEqualTo("6h");
        assertThat(watch.delay()).isEqualTo("1m");
    }

    @Test
    void theDeprecatedScheduleVariablesStillSetTheCheck() {
        // When
        BackupConfig.Watch watch =
                watch(Map.of("HANDOFF_BACKUP_SCHEDULE_INTERVAL", "off", "HANDOFF_BACKUP_SCHEDULE_DELAY", "1h"));

        // Then
        assertThat(watch.interval()).isEqualTo("off");
        assertThat(watch.delay()).isEqualTo("1h");
    }

    @Test
    void theWatchVariablesWinOverTheDeprecatedOnes() {
        // When
        BackupConfig.Watch watch = watch(Map.of(
                "HANDOFF_BACKUP_SCHEDULE_INTERVAL", "12h",
                "HANDOFF_BACKUP_WATCH_INTERVAL", "30m",
                "HANDOFF_BACKUP_WATCH_DELAY", "5m"));

        // Then
        assertThat(watch.interval()).isEqualTo("30m");
        assertThat(watch.delay()).isEqualTo("5m");
    }

    private static BackupConfig.Watch watch(Map<String, String> environment) {
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .addDefaultInterceptors() // expressions, as in Quarkus
                .withMapping(BackupConfig.class)
                // as in Quarkus: durations such as 30s and 2m
                .withConverter(Duration.class, 200, new DurationConverter())
                .withSources(new PropertiesConfigSource(
                        Map.of("handoff.inventory", "handoff.yaml", "java.io.tmpdir", "/tmp"), "test", 100))
                .withSources(new EnvConfigSource(environment, 300))
                .build();
        return config.getConfigMapping(BackupConfig.class).backup().watch();
    }
}
