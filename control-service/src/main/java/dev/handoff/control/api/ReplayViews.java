package dev.handoff.control.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;

/** The JSON shapes of the replay API and of the replay links on deployments. */
public final class ReplayViews {
    private ReplayViews() {}

    /**
     * One re-published record.
     *
     * @param originalEventId the original event's id
     * @param originalOffset its offset in the replayed partition (absent when the ledger lacks the original)
     * @param originalDeploymentId the original's deployment
     * @param eventId the copy's id on {@code handoff.replay.<stage>}
     * @param deploymentId the new deployment the copy starts
     * @param type the CloudEvents type
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ReplayedRecord(
            String originalEventId,
            Long originalOffset,
            String originalDeploymentId,
            String eventId,
            String deploymentId,
            String type) {}

    /**
     * A replay: who ran which stage again from which records.
     *
     * @param id the replay id (also the id of its {@code handoff.replay.requested} event)
     * @param stage the stage run again
     * @param topic the input topic read
     * @param partition the partition read
     * @param fromOffset first offset read, inclusive
     * @param toOffset last offset read, inclusive
     * @param host only this host's records, when set
     * @param requestedBy the name of the operator's token
     * @param requestedAt when
     * @param recordCount how many records were re-published
     * @param skipped records of the range not re-published, by reason (only in the answer to the request)
     * @param records the re-published records (on the single-replay endpoint and in the answer)
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ReplayView(
            String id,
            String stage,
            String topic,
            int partition,
            long fromOffset,
            long toOffset,
            String host,
            String requestedBy,
            OffsetDateTime requestedAt,
            int recordCount,
            Map<String, Integer> skipped,
            List<ReplayedRecord> records) {}

    /**
     * A link between a deployment and a replay of it.
     *
     * @param replayId the replay
     * @param deploymentId the deployment at the other end: the original (on {@code replayOf}) or the new one (on
     *     {@code replays})
     */
    public record ReplayLink(String replayId, String deploymentId) {}

    /**
     * A redeploy of a host: the trigger found in the ledger and the replay of it.
     *
     * @param host the host
     * @param stage the stage run again
     * @param trigger the record replayed: the host's last trigger of the stage
     * @param deploymentId the new deployment
     * @param replay the replay of that one record
     */
    public record RedeployView(
            String host, String stage, TriggerView trigger, String deploymentId, ReplayView replay) {}

    /**
     * A trigger event and where it was read from.
     *
     * @param eventId its id
     * @param type its CloudEvents type
     * @param topic the topic
     * @param partition the partition
     * @param offset the offset
     * @param deploymentId the deployment it started or continued
     * @param time the event's time
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record TriggerView(
            String eventId,
            String type,
            String topic,
            int partition,
            long offset,
            String deploymentId,
            OffsetDateTime time) {}
}
