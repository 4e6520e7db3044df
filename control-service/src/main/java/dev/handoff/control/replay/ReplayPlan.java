package dev.handoff.control.replay;

import dev.handoff.common.event.EventEnvelope;
import dev.handoff.common.event.EventType;
import dev.handoff.common.event.Stage;
import dev.handoff.common.event.StageInputs;
import dev.handoff.common.event.Topics;
import dev.handoff.common.messaging.ReceivedEvent;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The pure part of a replay, with no I/O: checks a request against the stage's inputs, the partition's offsets and
 * the maximum, and turns the records read into their replayed copies. Ids are derived from the replay id and the
 * original, so the same replay made twice publishes the same copies (and the ledger stores them once).
 */
public final class ReplayPlan {
    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");

    private ReplayPlan() {}

    /** A checked request: the stage, and the offsets to read (inclusive). */
    public record Checked(Stage stage, String topic, int partition, long fromOffset, long toOffset, String host) {
        /** How many offsets the range spans. */
        public long span() {
            return toOffset - fromOffset + 1;
        }
    }

    /** Checks what can be checked without Kafka: the stage, the topic, the fields and the host. */
    public static Stage checkShape(ReplayRequest request) throws ReplayRefused {
        if (request == null) {
            throw new ReplayRefused(
                    "malformed-request",
                    "the body is not a replay request",
                    "send JSON {\"stage\", \"topic\", \"partition\", \"fromOffset\", \"toOffset\"?, \"host\"?}");
        }
        String all = String.join(", ", stageIds());
        if (request.stage() == null || request.stage().isBlank()) {
            throw new ReplayRefused("malformed-request", "stage is missing", "give the stage to run again: " + all);
        }
        Stage stage = Stage.byId(request.stage())
                .orElseThrow(() -> new ReplayRefused(
                        "unknown-stage",
                        "stage '" + request.stage() + "' is not a stage of the chain",
                        "use one of " + all));
        List<String> inputs = StageInputs.of(stage);
        if (request.topic() == null || request.topic().isBlank()) {
            throw new ReplayRefused(
                    "malformed-request",
                    "topic is missing",
                    "give the input topic to read from; " + stage.id() + " reads " + String.join(", ", inputs));
        }
        if (!StageInputs.isInput(stage, request.topic())) {
            throw new ReplayRefused(
                    "not-an-input",
                    request.topic() + " is not an input of " + stage.id(),
                    stage.id() + " reads " + String.join(", ", inputs) + "; replay from one of those");
        }
        if (request.partition() == null || request.partition() < 0) {
            throw new ReplayRefused(
                    "malformed-request",
                    request.partition() == null ? "partition is missing" : "partition must not be negative",
                    "give the partition of " + request.topic() + " (GET /api/events shows each event's partition)");
        }
        if (request.fromOffset() == null) {
            throw new ReplayRefused(
                    "malformed-request",
                    "fromOffset is missing",
                    "give the first offset to replay (GET /api/events?topic=" + request.topic() + "&partition="
                            + request.partition() + " lists them)");
        }
        if (request.host() != null && !DNS_LABEL.matcher(request.host()).matches()) {
            throw new ReplayRefused(
                    "bad-host",
                    "host '" + request.host() + "' is not a host name",
                    "give a host name from handoff.yaml (a DNS label), or omit host for every host");
        }
        return stage;
    }

    /**
     * Checks the offsets against what the partition holds.
     *
     * @param partitions how many partitions the topic has
     * @param beginning the partition's first offset
     * @param end the partition's end offset (one past the last readable record)
     */
    public static Checked checkRange(
            Stage stage, ReplayRequest request, int partitions, long beginning, long end, int maxRecords)
            throws ReplayRefused {
        String topic = request.topic();
        int partition = request.partition();
        if (partition >= partitions) {
            throw new ReplayRefused(
                    "unknown-partition",
                    topic + " has no partition " + partition,
                    "use a partition from 0 to " + (partitions - 1));
        }
        String where = "partition " + partition + " of " + topic;
        String list = "GET /api/events?topic=" + topic + "&partition=" + partition + " lists its records";
        if (end <= beginning) {
            throw new ReplayRefused(
                    "offset-out-of-range", where + " holds no records", "choose a partition with records; " + list);
        }
        String holds = where + " holds offsets " + beginning + " to " + (end - 1);
        long from = request.fromOffset();
        if (from < beginning || from >= end) {
            throw new ReplayRefused(
                    "offset-out-of-range",
                    "fromOffset " + from + " is outside " + where + ", which holds offsets " + beginning + " to "
                            + (end - 1),
                    "choose offsets from " + beginning + " to " + (end - 1) + "; " + list);
        }
        long to = request.toOffset() == null ? end - 1 : request.toOffset();
        if (to < from) {
            throw new ReplayRefused(
                    "offset-out-of-range",
                    "toOffset " + to + " is before fromOffset " + from,
                    "give a toOffset from " + from + " to " + (end - 1));
        }
        if (to >= end) {
            throw new ReplayRefused(
                    "offset-out-of-range",
                    "toOffset " + to + " is past the end of " + where + ": " + holds,
                    "give a toOffset up to " + (end - 1) + ", or omit it for the last record");
        }
        long span = to - from + 1;
        if (span > maxRecords) {
            throw new ReplayRefused(
                    "too-many-records",
                    "offsets " + from + " to " + to + " are " + span + " records; a replay takes at most " + maxRecords,
                    "replay offsets " + from + " to " + (from + maxRecords - 1) + " first, then continue from "
                            + (from + maxRecords));
        }
        return new Checked(stage, topic, partition, from, to, request.host());
    }

    /** Why a record read from the range is not re-published, or empty when it is. */
    public static Optional<String> skipReason(Checked checked, ReceivedEvent record) {
        EventEnvelope e = record.event();
        if (checked.host() != null && !checked.host().equals(e.subject())) {
            return Optional.of("other-host");
        }
        if (e.replayOf() != null) {
            return Optional.of("already-a-replay");
        }
        boolean trigger = EventType.byType(e.type()).map(StageInputs::triggers).orElse(false);
        return trigger ? Optional.empty() : Optional.of("not-a-trigger");
    }

    /** The replay id: derived from the caller and an idempotency key when given, so a retried request repeats it. */
    public static String replayId(String caller, String idempotencyKey) {
        if (idempotencyKey == null || idempotencyKey.isBlank()) {
            return UUID.randomUUID().toString();
        }
        return uuid("replay|" + caller + "|" + idempotencyKey);
    }

    /**
     * The copy of an original for a replay: a new id and a new deployment (one per original deployment), caused by
     * the replay, marked {@code replayof} the original, timed now.
     */
    public static EventEnvelope copy(String replayId, EventEnvelope original, OffsetDateTime now) {
        String deploymentKey = original.deploymentId() != null ? original.deploymentId() : original.id();
        return new EventEnvelope(
                uuid(replayId + "|event|" + original.id()),
                original.source(),
                original.type(),
                original.subject(),
                now,
                original.dataSchema(),
                uuid(replayId + "|deployment|" + deploymentKey),
                replayId,
                original.id(),
                original.data());
    }

    /** The replay channel the copies go to. */
    public static String channel(Stage stage) {
        return Topics.replay(stage);
    }

    private static List<String> stageIds() {
        return Arrays.stream(Stage.values()).map(Stage::id).toList();
    }

    private static String uuid(String name) {
        return UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8)).toString();
    }
}
