package dev.handoff.control.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.OffsetDateTime;
import java.util.List;

/** The JSON shapes of the operator API; separate from the ledger's tables and from the events on Kafka. */
public final class Views {
    private Views() {}

    /**
     * A page of items, newest first.
     *
     * @param items the items
     * @param next pass as {@code before} to get the next page; absent on the last page
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Page<T>(List<T> items, String next) {}

    /**
     * One stage of a deployment.
     *
     * @param stage {@code commit}, {@code infra}, {@code secrets}, {@code converge}, {@code workload}, {@code backup}
     * @param status {@code pushed}, {@code started}, {@code completed} or {@code failed}
     * @param startedAt when it started
     * @param finishedAt when it completed or failed
     * @param durationMillis finishedAt − startedAt, when both are known
     * @param reason the failure reason
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record StageView(
            String stage,
            String status,
            OffsetDateTime startedAt,
            OffsetDateTime finishedAt,
            Long durationMillis,
            String reason) {}

    /**
     * A deployment: one run of the chain for one host.
     *
     * @param id the deployment id
     * @param host the host
     * @param repository the repository whose push started it
     * @param commit the pushed commit
     * @param firstStage the stage the chain started at
     * @param status {@code running}, {@code succeeded}, {@code failed}, {@code stale} (a re-sent or late push that
     *     would have rolled the host back; nothing ran) or {@code superseded} (a stage ran a newer trigger of the same
     *     kind for the host instead)
     * @param result what ended it
     * @param startedAt its first event's time
     * @param updatedAt its newest event's time
     * @param finishedAt when it succeeded or failed
     * @param stages its stages in chain order
     * @param events its events in time order (only on the single-deployment endpoint)
     * @param replayOf when a replay made this deployment: the replay and the original deployment
     * @param replays the replays of this deployment and the deployments they made, oldest first
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record DeploymentView(
            String id,
            String host,
            String repository,
            String commit,
            String firstStage,
            String status,
            String result,
            OffsetDateTime startedAt,
            OffsetDateTime updatedAt,
            OffsetDateTime finishedAt,
            List<StageView> stages,
            List<EventView> events,
            ReplayViews.ReplayLink replayOf,
            List<ReplayViews.ReplayLink> replays) {}

    /**
     * One event as the ledger stored it, with where it was read from (the replay coordinates).
     *
     * @param id the CloudEvents id
     * @param type the CloudEvents type
     * @param time the event's time
     * @param source the producing service
     * @param subject the host
     * @param dataschema the schema URI
     * @param deploymentId the deployment
     * @param causationId the event that caused it
     * @param replayOf the original, when this is a replayed copy
     * @param topic the Kafka topic
     * @param partition the partition
     * @param offset the offset
     * @param traceId the trace id of its W3C {@code traceparent} (a deployment's events share it), absent for events
     *     stored before Handoff carried one
     * @param data the payload
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record EventView(
            String id,
            String type,
            OffsetDateTime time,
            String source,
            String subject,
            String dataschema,
            String deploymentId,
            String causationId,
            String replayOf,
            String topic,
            int partition,
            long offset,
            String traceId,
            JsonNode data) {}

    /**
     * An approval request of a stage, and what became of it.
     *
     * @param deploymentId the deployment whose stage asked
     * @param requestId the {@code approval.requested} event's id
     * @param host the host
     * @param stage the stage that asked, e.g. {@code infra}
     * @param repository the repository whose commit is held
     * @param commit that commit
     * @param status the stage's status now: {@code waiting-approval} while it waits, then {@code approved},
     *     {@code rejected}, {@code completed}, {@code failed}, …
     * @param pending whether an operator's decision is awaited: the stage waits and this is the deployment's newest
     *     request
     * @param changes how many destructive changes the held plan has
     * @param requestedAt when the stage started to wait
     * @param expiresAt when it stops waiting and fails
     * @param decision {@code approve} or {@code reject}, once decided
     * @param decidedBy the operator token's name, once decided
     * @param decidedAt when, once decided
     * @param comment the operator's comment, if any
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ApprovalView(
            String deploymentId,
            String requestId,
            String host,
            String stage,
            String repository,
            String commit,
            String status,
            boolean pending,
            int changes,
            OffsetDateTime requestedAt,
            OffsetDateTime expiresAt,
            String decision,
            String decidedBy,
            OffsetDateTime decidedAt,
            String comment) {}
}
