package dev.handoff.workload.messaging;

import dev.handoff.support.watch.Round;
import dev.handoff.support.watch.WatchRounds;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;

/**
 * Schedules the workload stage's scheduled check as every stage schedules its own ({@link WatchRounds}): every
 * {@code handoff.workload.watch.interval} ({@code HANDOFF_WORKLOAD_WATCH_INTERVAL}, default 15m, {@code off}
 * disables), the first round {@code handoff.workload.watch.delay} after start, never two rounds at once.
 */
@ApplicationScoped
public class WatchSchedule {
    private final TriggerConsumer stage;
    private final WatchRounds rounds;

    public WatchSchedule(TriggerConsumer stage, WatchRounds rounds) {
        this.stage = stage;
        this.rounds = rounds;
    }

    @Scheduled(
            identity = "workload-watch",
            every = "${handoff.workload.watch.interval}",
            delayed = "${handoff.workload.watch.delay}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduled() {
        round();
    }

    /** Runs one round now; empty while the service is still starting. */
    public Optional<Round> round() {
        return stage.watch().map(rounds::run);
    }
}
