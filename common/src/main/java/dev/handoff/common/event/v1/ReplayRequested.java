package dev.handoff.common.event.v1;

import java.time.Instant;

/**
 * An operator asked to run a stage again from records of a topic ({@code handoff.replay.requested}).
 *
 * @param replayId the replay's id
 * @param stage the stage to run again
 * @param topic the topic the records were read from
 * @param partition the partition
 * @param fromOffset first offset, inclusive
 * @param toOffset last offset, inclusive
 * @param host only records of this host, if set
 * @param requestedBy the operator token's name
 * @param requestedAt when it was asked
 * @param recordCount how many records were re-published
 */
public record ReplayRequested(
        String replayId,
        String stage,
        String topic,
        int partition,
        long fromOffset,
        long toOffset,
        String host,
        String requestedBy,
        Instant requestedAt,
        int recordCount) {}
