package dev.handoff.infra.messaging;

import dev.handoff.common.event.EventType;
import dev.handoff.common.event.Stage;
import dev.handoff.common.event.StageInputs;
import dev.handoff.common.event.Topics;
import dev.handoff.common.messaging.DeadLetters;
import dev.handoff.common.messaging.EventConsumerLoop;
import dev.handoff.common.messaging.KeyedEventLoop;
import dev.handoff.common.messaging.ReceivedEvent;
import dev.handoff.common.serde.EventCodec;
import dev.handoff.common.stage.StageLogContext;
import dev.handoff.common.stage.Superseding;
import dev.handoff.common.trace.Tracing;
import dev.handoff.infra.config.InfraConfig;
import dev.handoff.infra.run.ApprovalGate;
import dev.handoff.infra.run.InfraRun;
import dev.handoff.support.StageMetrics;
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
 *
 * <p>The commits loop takes one record per batch, so a trigger's offset is committed exactly when its own run has
 * published {@code completed} or {@code failed}. A run cut short by a stop or a crash (for example while it waits for
 * approval) leaves its trigger uncommitted, so the next start runs the stage again for it — and asks again: the new
 * {@code approval.requested} has a new id, and a decision on the earlier request (answered while the service was
 * down) matches no waiting run and is ignored.
 */
@ApplicationScoped
public class StageConsumers {
    private final InfraKafka kafka;
    private final InfraConfig config;
    private final EventCodec codec;
    private final DeadLetters deadLetters;
    private final InfraRun run;
    private final ApprovalGate approvals;
    private final StageMetrics metrics;
    private volatile KeyedEventLoop commits;
    private volatile EventConsumerLoop decisions;

    public StageConsumers(
            InfraKafka kafka,
            InfraConfig config,
            EventCodec codec,
            DeadLetters deadLetters,
            InfraRun run,
            ApprovalGate approvals,
            StageMetrics metrics) {
        this.kafka = kafka;
        this.config = config;
        this.codec = codec;
        this.deadLetters = deadLetters;
        this.run = run;
        this.approvals = approvals;
        this.metrics = metrics;
        metrics.pendingApprovals(approvals::pending);
    }

    void start(@Observes StartupEvent started) {
        startLoops();
    }

    /** Starts both consumer loops (at start-up; tests use it to simulate a restart). */
    public synchronized void startLoops() {
        if (commits != null) {
            return;
        }
        String group = config.infra().consumerGroup();
        Duration longestRun = config.infra()
                .approval()
                .timeout()
                .plus(config.infra().tofu().timeout().multipliedBy(6))
                .plusMinutes(5);
        int concurrency = config.infra().concurrency();
        if (concurrency < 1) {
            throw new IllegalArgumentException(
                    "handoff.infra.concurrency must be at least 1 (hosts worked on at once), got " + concurrency);
        }
        // a stop cancels a run at once (its tofu process tree is killed): its trigger runs again at the next start
        KeyedEventLoop.Settings settings = KeyedEventLoop.Settings.of(concurrency);
        settings = new KeyedEventLoop.Settings(
                settings.concurrency(), settings.maxWaiting(), settings.revokeGrace(), Duration.ZERO);
        commits = new KeyedEventLoop(
                "infra-commits",
                kafka.consumer(group, "infra-service-commits", 500, longestRun, KeyedEventLoop.CONSUMER_SETTINGS),
                StageInputs.subscribedBy(Stage.INFRA),
                codec,
                deadLetters,
                settings,
                this::runStage,
                metrics::deadLettered);
        decisions = new EventConsumerLoop(
                "infra-approvals",
                kafka.consumer(group + "-approvals", "infra-service-approvals", 20, Duration.ofMinutes(5)),
                List.of(Topics.APPROVALS),
                codec,
                deadLetters,
                this::decide,
                metrics::deadLettered);
        metrics.watchLag(group, commits.topics(), commits::lag);
        metrics.watchLag(group + "-approvals", decisions.topics(), decisions::lag);
        Thread t = new Thread(commits, "infra-commits");
        t.setDaemon(true);
        t.start();
        start(decisions, "infra-approvals");
    }

    private static Thread start(EventConsumerLoop loop, String name) {
        Thread t = new Thread(loop, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** Runs the newest push of each repository that waited for {@code host}; the older ones are superseded. */
    private void runStage(String host, List<ReceivedEvent> waiting) throws Exception {
        Superseding.Plan plan = Superseding.plan(Stage.INFRA, waiting);
        if (!plan.superseded().isEmpty()) {
            run.superseded(host, plan.superseded());
        }
        for (ReceivedEvent r : plan.run()) {
            if (r.event().type().equals(EventType.COMMIT_PUSHED.type())) {
                // every log line of the run names its host and deployment
                Tracing.stageWork(
                        Stage.INFRA.id(),
                        host,
                        r,
                        () -> StageLogContext.run(host, r.event().deploymentId(), () -> run.run(r.event())));
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
        stopLoops();
    }

    /**
     * Stops both loops: a run in progress is cancelled (its tofu process tree is killed, a wait for approval ends)
     * and its trigger's offset is not committed, so the trigger is redelivered to the next start.
     */
    public synchronized void stopLoops() {
        if (decisions != null) {
            decisions.close();
            decisions = null;
        }
        if (commits != null) {
            commits.close();
            commits = null;
        }
    }

    /** Whether both loops are polling. */
    public boolean healthy() {
        KeyedEventLoop c = commits;
        EventConsumerLoop d = decisions;
        return c != null && d != null && c.healthy() && d.healthy();
    }

    /** The last error of either loop, or null. */
    public String lastError() {
        KeyedEventLoop c = commits;
        EventConsumerLoop d = decisions;
        if (c == null || d == null) {
            return "not started";
        }
        return c.lastError() != null ? c.lastError() : d.lastError();
    }
}
