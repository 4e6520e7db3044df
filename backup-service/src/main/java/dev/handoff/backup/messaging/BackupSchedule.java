package dev.handoff.backup.messaging;

import dev.handoff.common.event.Stage;
import dev.handoff.common.inventory.Inventory;
import dev.handoff.common.stage.StageLogContext;
import dev.handoff.support.watch.Watch;
import dev.handoff.support.watch.WatchRounds;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The backup stage's scheduled check ({@code handoff.backup.watch.interval}, default 6h; the deprecated
 * {@code handoff.backup.schedule.*} still set it): every host with at least one configured contract, one after the
 * other, as every stage's scheduled check runs ({@link WatchRounds}). Unlike the other stages' checks, each host's
 * check is a whole backup run and its own deployment (a new deployment id; {@code triggerType} {@code schedule}), so
 * the ledger shows backup freshness checked between pushes.
 */
@ApplicationScoped
public class BackupSchedule implements Watch {
    private final TriggerConsumer stage;
    private final Inventory inventory;
    private final WatchRounds rounds;

    public BackupSchedule(TriggerConsumer stage, Inventory inventory, WatchRounds rounds) {
        this.stage = stage;
        this.inventory = inventory;
        this.rounds = rounds;
    }

    @Scheduled(
            identity = "backup-watch",
            every = "${handoff.backup.watch.interval}",
            delayed = "${handoff.backup.watch.delay}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduled() {
        rounds.run(this);
    }

    /** Runs every scheduled host now; returns the hosts whose run published its outcome. */
    public List<String> runAll() {
        return rounds.run(this).reported();
    }

    @Override
    public String stage() {
        return Stage.BACKUP.id();
    }

    /** Hosts with a configured contract; hosts whose contracts are only named are checked when their workload completes. */
    @Override
    public List<String> hosts() {
        return inventory.hosts().values().stream()
                .filter(h -> h.backupContracts().values().stream().anyMatch(Inventory.BackupContract::configured))
                .map(Inventory.Host::name)
                .toList();
    }

    /** One scheduled run of {@code host}: its own deployment id, so the log lines name the host alone. */
    @Override
    public boolean check(String host) throws Exception {
        Inventory.Host h = inventory.hosts().get(host);
        StageLogContext.run(
                host, null, () -> stage.handler().run(h, Optional.empty(), "schedule-" + UUID.randomUUID()));
        return true;
    }
}
