package dev.handoff.backup.messaging;

import dev.handoff.backup.config.BackupConfig;
import dev.handoff.backup.driver.BackupStore;
import dev.handoff.backup.driver.LiveHosts;
import dev.handoff.backup.driver.ResticCli;
import dev.handoff.common.event.Stage;
import dev.handoff.common.inventory.Inventory;
import dev.handoff.common.lock.HostLock;
import dev.handoff.common.messaging.EventPublisher;
import dev.handoff.common.serde.EventCodec;
import dev.handoff.support.StageKafka;
import dev.handoff.support.StageLoops;
import dev.handoff.support.StageMetrics;
import dev.handoff.support.ssh.HostKeyPins;
import io.agroal.api.AgroalDataSource;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;

/**
 * The trigger consumer ({@code handoff.workload} and the replay channel {@code handoff.replay.backup}) that runs the
 * stage, and the {@link BackupStageHandler} the scheduled runs share with it.
 */
@ApplicationScoped
public class TriggerConsumer {
    private final StageKafka kafka;
    private final BackupConfig config;
    private final Inventory inventory;
    private final EventCodec codec;
    private final EventPublisher publisher;
    private final StageLoops loops;
    private final StageMetrics metrics;
    private final AgroalDataSource dataSource;
    private final HostKeyPins pins;
    private volatile BackupStageHandler handler;

    public TriggerConsumer(
            StageKafka kafka,
            BackupConfig config,
            Inventory inventory,
            EventCodec codec,
            EventPublisher publisher,
            StageLoops loops,
            StageMetrics metrics,
            AgroalDataSource dataSource,
            HostKeyPins pins) {
        this.kafka = kafka;
        this.config = config;
        this.inventory = inventory;
        this.codec = codec;
        this.publisher = publisher;
        this.loops = loops;
        this.metrics = metrics;
        this.dataSource = dataSource;
        this.pins = pins;
    }

    void start(@Observes StartupEvent started) {
        handler = handler();
        BackupConfig.Backup c = config.backup();
        loops.startStage("backup-stage", c.consumerGroup(), Stage.BACKUP, c.concurrency(), Map.of(), handler::handle);
    }

    /** The stage, for the trigger consumer and the scheduled runs. */
    public synchronized BackupStageHandler handler() {
        if (handler == null) {
            BackupConfig.Backup c = config.backup();
            BackupStore store = new BackupStore(dataSource);
            Path workdir = Path.of(c.workdir());
            Optional<LiveHosts> live = c.sshIdentity()
                    .map(identity -> new LiveHosts(
                            Path.of(identity),
                            c.addresses().orElse(""),
                            pins,
                            HostKeyPins.required(inventory),
                            c.sshTimeout()));
            handler = new BackupStageHandler(
                    inventory,
                    codec,
                    publisher,
                    new HostLock(dataSource, "backup", metrics.hostLockWaits("backup")),
                    new ContractVerifier(
                            new ResticCli(c.resticExecutable(), c.resticTimeout(), workdir.resolve("restic")),
                            store,
                            live,
                            Path.of(config.inventory()).toAbsolutePath().getParent(),
                            workdir,
                            Clock.systemUTC(),
                            c.lockWait()),
                    kafka.source(),
                    c.publishTimeout(),
                    metrics,
                    new dev.handoff.support.StageOutcomes(
                            Stage.BACKUP.id(), dev.handoff.support.StageOutcomes.jdbc(dataSource), codec, publisher));
        }
        return handler;
    }
}
