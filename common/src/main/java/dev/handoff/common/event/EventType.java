package dev.handoff.common.event;

import dev.handoff.common.event.v1.ApprovalDecided;
import dev.handoff.common.event.v1.ApprovalRequested;
import dev.handoff.common.event.v1.Backup;
import dev.handoff.common.event.v1.CloudFacts;
import dev.handoff.common.event.v1.CommitPushed;
import dev.handoff.common.event.v1.CommitStale;
import dev.handoff.common.event.v1.Convergence;
import dev.handoff.common.event.v1.ConvergenceDrifted;
import dev.handoff.common.event.v1.HostKeyTrusted;
import dev.handoff.common.event.v1.ReplayRequested;
import dev.handoff.common.event.v1.SecretFacts;
import dev.handoff.common.event.v1.StageFailed;
import dev.handoff.common.event.v1.StageStarted;
import dev.handoff.common.event.v1.StageSuperseded;
import dev.handoff.common.event.v1.StageWaiting;
import dev.handoff.common.event.v1.Workload;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Every event type of the contract: its CloudEvents type, its topic, its current schema version and the Java record
 * of that version. Schemas live at {@code /schemas/<name>/v<N>.json}, samples at {@code /samples/<name>/v<N>/}.
 */
public enum EventType {
    COMMIT_PUSHED("commit.pushed", Topics.COMMITS, 1, CommitPushed.class),
    COMMIT_STALE("commit.stale", Topics.COMMITS, 1, CommitStale.class),
    CLOUD_FACTS_STARTED("cloud-facts.started", Topics.CLOUD_FACTS, 1, StageStarted.class),
    CLOUD_FACTS_COMPLETED("cloud-facts.completed", Topics.CLOUD_FACTS, 1, CloudFacts.class),
    CLOUD_FACTS_FAILED("cloud-facts.failed", Topics.CLOUD_FACTS, 1, StageFailed.class),
    CLOUD_FACTS_SUPERSEDED("cloud-facts.superseded", Topics.CLOUD_FACTS, 1, StageSuperseded.class),
    SECRET_FACTS_STARTED("secret-facts.started", Topics.SECRET_FACTS, 1, StageStarted.class),
    SECRET_FACTS_COMPLETED("secret-facts.completed", Topics.SECRET_FACTS, 1, SecretFacts.class),
    SECRET_FACTS_FAILED("secret-facts.failed", Topics.SECRET_FACTS, 1, StageFailed.class),
    SECRET_FACTS_SUPERSEDED("secret-facts.superseded", Topics.SECRET_FACTS, 1, StageSuperseded.class),
    CONVERGENCE_STARTED("convergence.started", Topics.CONVERGENCE, 1, StageStarted.class),
    CONVERGENCE_COMPLETED("convergence.completed", Topics.CONVERGENCE, 1, Convergence.class),
    CONVERGENCE_FAILED("convergence.failed", Topics.CONVERGENCE, 1, StageFailed.class),
    CONVERGENCE_SUPERSEDED("convergence.superseded", Topics.CONVERGENCE, 1, StageSuperseded.class),
    CONVERGENCE_WAITING("convergence.waiting", Topics.CONVERGENCE, 1, StageWaiting.class),
    CONVERGENCE_DRIFTED("convergence.drifted", Topics.CONVERGENCE, 1, ConvergenceDrifted.class),
    WORKLOAD_STARTED("workload.started", Topics.WORKLOAD, 1, StageStarted.class),
    WORKLOAD_COMPLETED("workload.completed", Topics.WORKLOAD, 1, Workload.class),
    WORKLOAD_FAILED("workload.failed", Topics.WORKLOAD, 1, StageFailed.class),
    WORKLOAD_SUPERSEDED("workload.superseded", Topics.WORKLOAD, 1, StageSuperseded.class),
    BACKUP_STARTED("backup.started", Topics.BACKUP, 1, StageStarted.class),
    BACKUP_COMPLETED("backup.completed", Topics.BACKUP, 1, Backup.class),
    BACKUP_FAILED("backup.failed", Topics.BACKUP, 1, StageFailed.class),
    BACKUP_SUPERSEDED("backup.superseded", Topics.BACKUP, 1, StageSuperseded.class),
    REPLAY_REQUESTED("replay.requested", Topics.REPLAYS, 1, ReplayRequested.class),
    APPROVAL_REQUESTED("approval.requested", Topics.APPROVALS, 1, ApprovalRequested.class),
    APPROVAL_DECIDED("approval.decided", Topics.APPROVALS, 1, ApprovalDecided.class),
    HOST_KEY_TRUSTED("host-key.trusted", Topics.HOST_KEYS, 1, HostKeyTrusted.class);

    /** Base of every {@code dataschema} URI; the URI ends in {@code /<name>/v<N>}. */
    public static final String SCHEMA_BASE = "https://handoff.dev/schemas/";

    private static final Map<String, EventType> BY_TYPE =
            Arrays.stream(values()).collect(Collectors.toUnmodifiableMap(EventType::type, Function.identity()));

    private final String name;
    private final String topic;
    private final int currentVersion;
    private final Class<? extends Record> payloadClass;

    EventType(String name, String topic, int currentVersion, Class<? extends Record> payloadClass) {
        this.name = name;
        this.topic = topic;
        this.currentVersion = currentVersion;
        this.payloadClass = payloadClass;
    }

    /** The short name, e.g. {@code commit.pushed}; the schema folder's name. */
    public String shortName() {
        return name;
    }

    /** The CloudEvents type, e.g. {@code handoff.commit.pushed}. */
    public String type() {
        return "handoff." + name;
    }

    /** The topic events of this type are published to. */
    public String topic() {
        return topic;
    }

    /** The version producers write today; consumers upcast older versions to it. */
    public int currentVersion() {
        return currentVersion;
    }

    /** The record of the current version's payload. */
    public Class<? extends Record> payloadClass() {
        return payloadClass;
    }

    /** The {@code dataschema} URI of a version of this type. */
    public String dataSchema(int version) {
        return SCHEMA_BASE + name + "/v" + version;
    }

    /** The classpath resource of a version's JSON Schema. */
    public String schemaResource(int version) {
        return "/schemas/" + name + "/v" + version + ".json";
    }

    public static Optional<EventType> byType(String ceType) {
        return Optional.ofNullable(BY_TYPE.get(ceType));
    }

    /** The stage's started/completed/failed types. */
    public static EventType of(Stage stage, String verb) {
        String prefix = switch (stage) {
            case INFRA -> "cloud-facts.";
            case SECRETS -> "secret-facts.";
            case CONVERGE -> "convergence.";
            case WORKLOAD -> "workload.";
            case BACKUP -> "backup.";
        };
        return byType("handoff." + prefix + verb)
                .orElseThrow(() -> new IllegalArgumentException("no event type for stage " + stage + " verb " + verb));
    }
}
