package dev.handoff.infra.messaging;

import dev.handoff.common.event.EventType;
import dev.handoff.common.event.Stage;
import dev.handoff.common.event.Topics;
import dev.handoff.common.messaging.DeadLetters;
import dev.handoff.common.messaging.EventConsumerLoop;
import dev.handoff.common.messaging.ReceivedEvent;
import dev.handoff.common.serde.EventCodec;
import dev.handoff.infra.config.InfraConfig;
import dev.handoff.infra.run.ApprovalGate;
import dev.handoff.infra.run.InfraRun;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.List;

/**
 * The stage's two consumer loops: commits (and the infra replay channel) run the stage, one at a time, and the
 * offset is committed after the run published its result; approvals complete a waiting run. They are separate so
 * that a run waiting for approval does not block the decision it waits for.
 */
@ApplicationScoped
public class StageConsumers {
    private final InfraKafka kafka;
    private final InfraConfig config;
    private final EventCodec codec;
    private final DeadLetters deadLetters;
    private final InfraRun run;
    private final ApprovalGate approvals;
    private EventConsumerLoop commits;
    private EventConsumerLoop decisions;
    private Thread commitsThread;

    public StageConsumers(
            InfraKafka kafka,
            InfraConfig config,
            EventCodec codec,
            DeadLetters deadLetters,
            InfraRun run,
            ApprovalGate approvals) {
        this.kafka = kafka;
        this.config = config;
        this.codec = codec;
        this.deadLetters = deadLetters;
        this.run = run;
        this.approvals = approvals;
    }

    void start(@Observes StartupEvent started) {
        String group = config.infra().consumerGroup();
        Duration longestRun = config.infra()
                .approval()
                .timeout()
                .plus(config.infra().tofu().timeout().multipliedBy(6))
                .plusMinutes(5);
        commits = new EventConsumerLoop(
                "infra-commits",
                kafka.consumer(group, "infra-service-commits", longestRun),
                List.of(Topics.COMMITS, Topics.replay(Stage.INFRA)),
                codec,
                deadLetters,
                this::runStage,
                (record, why) -> {});
        decisions = new EventConsumerLoop(
                "infra-approvals",
                kafka.consumer(group + "-approvals", "infra-service-approvals", Duration.ofMinutes(5)),
                List.of(Topics.APPROVALS),
                codec,
                deadLetters,
                this::decide,
                (record, why) -> {});
        commitsThread = start(commits, "infra-commits");
        start(decisions, "infra-approvals");
    }

    private static Thread start(EventConsumerLoop loop, String name) {
        Thread t = new Thread(loop, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    private void runStage(List<ReceivedEvent> batch) throws Exception {
        for (ReceivedEvent r : batch) {
            if (r.event().type().equals(EventType.COMMIT_PUSHED.type())) {
                run.run(r.event());
            }
        }
    }

    private void decide(List<ReceivedEvent> batch) {
        for (ReceivedEvent r : batch) {
            if (r.event().type().equals(EventType.APPROVAL_DECIDED.type())) {
                approvals.decided(r.event());
            }
        }
    }

    void stop(@Observes ShutdownEvent stopping) {
        if (decisions != null) {
            decisions.close();
        }
        if (commits != null) {
            // a run in progress is cancelled: its tofu process tree is killed, the commit is redelivered later
            commitsThread.interrupt();
            commits.close();
        }
    }

    /** Whether both loops are polling. */
    public boolean healthy() {
        return commits != null && decisions != null && commits.healthy() && decisions.healthy();
    }

    /** The last error of either loop, or null. */
    public String lastError() {
        return commits == null ? "starting" : commits.lastError() != null ? commits.lastError() : decisions.lastError();
    }
}
