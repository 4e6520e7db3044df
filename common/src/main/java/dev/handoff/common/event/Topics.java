package dev.handoff.common.event;

import java.util.List;

/** Every Kafka topic name Handoff uses, in one place. Keys are host names on every topic. */
public final class Topics {
    public static final String PREFIX = "handoff.";
    public static final String COMMITS = "handoff.commits";
    public static final String CLOUD_FACTS = "handoff.cloud-facts";
    public static final String SECRET_FACTS = "handoff.secret-facts";
    public static final String CONVERGENCE = "handoff.convergence";
    public static final String WORKLOAD = "handoff.workload";
    public static final String BACKUP = "handoff.backup";
    public static final String REPLAYS = "handoff.replays";
    public static final String APPROVALS = "handoff.approvals";
    /**
     * The one SSH host key pin store of every service: a compacted topic of {@code host-key.trusted} records, keyed by
     * host. Kept compacted (not deleted) so that the newest decision of each host is kept forever.
     */
    public static final String HOST_KEYS = "handoff.host-keys";

    public static final String DLQ_SUFFIX = ".dlq";

    /** The topics that carry the chain's events; the ledger reads all of them. */
    public static final List<String> CHAIN =
            List.of(COMMITS, CLOUD_FACTS, SECRET_FACTS, CONVERGENCE, WORKLOAD, BACKUP, REPLAYS, APPROVALS, HOST_KEYS);

    /** The topics kept with {@code cleanup.policy=compact} (their dead-letter topics are not). */
    public static final List<String> COMPACTED = List.of(HOST_KEYS);

    private Topics() {}

    /** The dead-letter topic of {@code topic}: records that are not valid events go there. */
    public static String deadLetter(String topic) {
        return topic + DLQ_SUFFIX;
    }

    /** The replay channel of a stage: control-service re-publishes chosen records there. */
    public static String replay(Stage stage) {
        return PREFIX + "replay." + stage.id();
    }

    /** Every topic Handoff creates: the chain, each stage's replay channel and every dead-letter topic. */
    public static List<String> all() {
        var names = new java.util.ArrayList<String>(CHAIN);
        for (Stage stage : Stage.values()) {
            names.add(replay(stage));
        }
        for (String t : List.copyOf(names)) {
            names.add(deadLetter(t));
        }
        return List.copyOf(names);
    }
}
