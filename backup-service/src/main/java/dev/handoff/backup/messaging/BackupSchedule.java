package dev.handoff.backup.messaging;

import dev.handoff.common.inventory.Inventory;
import dev.handoff.common.stage.StageLogContext;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * The scheduled runs ({@code handoff.backup.schedule.interval}): every host with at least one configured contract,
 * one after the other. Each host's run is its own deployment (a new deployment id; {@code triggerType} {@code
 * schedule}), so the ledger shows backup checks between pushes as deployments of their own.
 */
@ApplicationScoped
public class BackupSchedule {
    private static final Logger LOG = Logger.getLogger(BackupSchedule.class);

    private final TriggerConsumer stage;
    private final Inventory inventory;

    public BackupSchedule(TriggerConsumer stage, Inventory inventory) {
        this.stage = stage;
        this.inventory = inventory;
    }

    @Scheduled(
            identity = "backup-schedule",
            every = "${handoff.backup.schedule.interval}",
            delayed = "${handoff.backup.schedule.delay}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduled() {
        runAll();
    }

    /** Runs every scheduled host now; returns the hosts that ran. */
    public List<String> runAll() {
        List<Inventory.Host> hosts = scheduledHosts();
        for (Inventory.Host host : hosts) {
            try {
                // the scheduled run makes its own deployment id: the log lines name the host
                StageLogContext.run(
                        host.name(),
                        null,
                        () -> stage.handler().run(host, Optional.empty(), "schedule-" + UUID.randomUUID()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return List.of();
            } catch (Exception e) {
                LOG.errorf("scheduled backup run of %s failed before it could publish its outcome: %s", host.name(), e);
            }
        }
        return hosts.stream().map(Inventory.Host::name).toList();
    }

    /** Hosts with a configured contract; hosts whose contracts are only named are checked when their workload completes. */
    List<Inventory.Host> scheduledHosts() {
        return inventory.hosts().values().stream()
                .filter(h -> h.backupContracts().values().stream().anyMatch(Inventory.BackupContract::configured))
                .toList();
    }
}
