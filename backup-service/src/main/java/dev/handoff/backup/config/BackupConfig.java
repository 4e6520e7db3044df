package dev.handoff.backup.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/**
 * backup-service settings under {@code handoff.*}. Credentials are never configured here: handoff.yaml names the
 * runner-local files that hold them.
 */
@ConfigMapping(prefix = "handoff")
public interface BackupConfig {

    /** Path of the {@code handoff.yaml} inventory ({@code HANDOFF_INVENTORY}); relative backup paths are read against its folder. */
    String inventory();

    /** The backup stage. */
    Backup backup();

    /** Settings of the backup stage. */
    interface Backup {
        /** Kafka consumer group of the triggers ({@code handoff.workload}, replay channel). */
        @WithDefault("handoff-backup")
        String consumerGroup();

        /**
         * How many hosts this replica works on at once ({@code handoff.backup.concurrency}): one host is never worked on twice
         * at once, and of the triggers that wait for one host only the newest of each kind runs (docs/operators.md).
         */
        @WithDefault("16")
        int concurrency();

        /** Folder of the rehearsal scratch folders (emptied after each rehearsal) ({@code HANDOFF_BACKUP_WORKDIR}). */
        @WithDefault("${java.io.tmpdir}/handoff-backup-service")
        String workdir();

        /** The restic executable ({@code HANDOFF_BACKUP_RESTIC_EXECUTABLE}). */
        @WithDefault("restic")
        String resticExecutable();

        /** How long one restic command may run before it is killed. */
        @WithDefault("30m")
        Duration resticTimeout();

        /**
         * How long a restic command refused by another restic process's lock (a host's backup job while
         * {@code restic check} needs the exclusive lock, say) is tried again before the contract fails
         * {@code repository-locked}.
         */
        @WithDefault("2m")
        Duration lockWait();

        /** The runner's SSH private key file, for comparing restored files with the live host ({@code HANDOFF_BACKUP_SSH_IDENTITY}). */
        Optional<String> sshIdentity();

        /** Address map {@code address=host:port,…} for addresses reached elsewhere (the lab; a port forward). */
        Optional<String> addresses();

        /** Connect and command timeout of one SSH connection. */
        @WithDefault("15s")
        Duration sshTimeout();

        /** How long to wait for Kafka to acknowledge the stage's events. */
        @WithDefault("30s")
        Duration publishTimeout();

        /** The scheduled check: every host with a configured contract, each run its own deployment. */
        Watch watch();

        /**
         * The scheduled runs' old settings.
         *
         * @deprecated set {@code handoff.backup.watch.*} ({@code HANDOFF_BACKUP_WATCH_INTERVAL}, {@code _DELAY});
         *     these are read only as its defaults
         */
        @Deprecated
        Schedule schedule();
    }

    /** The scheduled check (docs/operators.md, "Scheduled checks"). */
    interface Watch {
        /**
         * Period of the scheduled runs ({@code HANDOFF_BACKUP_WATCH_INTERVAL}; Quarkus scheduler syntax: {@code 6h},
         * {@code 30m}; {@code off} disables them); the deprecated {@code handoff.backup.schedule.interval} when unset.
         */
        @WithDefault("${handoff.backup.schedule.interval:6h}")
        String interval();

        /**
         * Delay of the first scheduled run after start ({@code HANDOFF_BACKUP_WATCH_DELAY}); the deprecated
         * {@code handoff.backup.schedule.delay} when unset.
         */
        @WithDefault("${handoff.backup.schedule.delay:1m}")
        String delay();
    }

    /**
     * The old names of the scheduled check's settings.
     *
     * @deprecated use {@link Watch}
     */
    @Deprecated
    interface Schedule {
        /** Deprecated: {@code handoff.backup.watch.interval}. */
        Optional<String> interval();

        /** Deprecated: {@code handoff.backup.watch.delay}. */
        Optional<String> delay();
    }
}
