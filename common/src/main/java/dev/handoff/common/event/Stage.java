package dev.handoff.common.event;

import java.util.Arrays;
import java.util.Optional;

/** The stages of the chain, in order; each owns one output topic. */
public enum Stage {
    INFRA("infra", Topics.CLOUD_FACTS),
    SECRETS("secrets", Topics.SECRET_FACTS),
    CONVERGE("converge", Topics.CONVERGENCE),
    WORKLOAD("workload", Topics.WORKLOAD),
    BACKUP("backup", Topics.BACKUP);

    private final String id;
    private final String outputTopic;

    Stage(String id, String outputTopic) {
        this.id = id;
        this.outputTopic = outputTopic;
    }

    /** The lower-case name used in {@code handoff.yaml} ({@code starts: infra}) and in topic names. */
    public String id() {
        return id;
    }

    public String outputTopic() {
        return outputTopic;
    }

    public static Optional<Stage> byId(String id) {
        return Arrays.stream(values()).filter(s -> s.id.equals(id)).findFirst();
    }
}
