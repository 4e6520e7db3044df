package dev.handoff.common.event.v1;

import java.time.Instant;
import java.util.List;

/**
 * The verified state of one recovery contract of a host ({@code handoff.backup.completed}).
 *
 * @param host the host name
 * @param contract {@code control-plane}, {@code runtime} or {@code infra-state}
 * @param repository where the backups live (no credentials)
 * @param newestSnapshotTime when the newest snapshot or archive was taken
 * @param ageSeconds its age when checked
 * @param maxAgeSeconds the contract's maximum age
 * @param pathsCovered the required paths the newest snapshot contains
 * @param checkResult result of {@code restic check}, or {@code skipped} between check intervals
 * @param rehearsal the restore rehearsal, if one ran
 */
public record Backup(
        String host,
        String contract,
        String repository,
        Instant newestSnapshotTime,
        long ageSeconds,
        long maxAgeSeconds,
        List<String> pathsCovered,
        String checkResult,
        Rehearsal rehearsal) {

    /**
     * A restore rehearsal of the newest snapshot's required paths.
     *
     * @param passed whether the restored files matched the live host
     * @param durationMillis how long the rehearsal took
     * @param detail what was compared
     */
    public record Rehearsal(boolean passed, long durationMillis, String detail) {}
}
