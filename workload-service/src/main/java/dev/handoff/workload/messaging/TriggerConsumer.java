package dev.handoff.workload.messaging;

import dev.handoff.common.event.Stage;
import dev.handoff.common.inventory.Inventory;
import dev.handoff.common.lock.HostLock;
import dev.handoff.common.messaging.EventConsumerLoop;
import dev.handoff.common.messaging.EventPublisher;
import dev.handoff.common.serde.EventCodec;
import dev.handoff.support.StageKafka;
import dev.handoff.support.StageLoops;
import dev.handoff.support.StageMetrics;
import dev.handoff.support.ssh.FirstContact;
import dev.handoff.support.ssh.HostKeyPins;
import dev.handoff.workload.config.WorkloadConfig;
import dev.handoff.workload.driver.AddressMaps;
import dev.handoff.workload.driver.KubeClusters;
import dev.handoff.workload.driver.SshjHostFiles;
import dev.handoff.workload.driver.TcpProbes;
import dev.handoff.workload.driver.WorkloadStore;
import dev.handoff.workload.run.WorkloadRun;
import dev.handoff.workload.run.WorkloadWatch;
import io.agroal.api.AgroalDataSource;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * The trigger consumer: {@code handoff.convergence} and the replay channel {@code handoff.replay.workload}; every
 * {@code handoff.convergence.completed} runs the workload stage for its host. Unreadable records go to the dead-letter
 * topic ({@link EventConsumerLoop}). It also builds the stage's scheduled check ({@link WorkloadWatch}) over the same
 * drivers.
 */
@ApplicationScoped
public class TriggerConsumer {
    private final StageKafka kafka;
    private final WorkloadConfig config;
    private final Inventory inventory;
    private final EventCodec codec;
    private final EventPublisher publisher;
    private final StageLoops loops;
    private final StageMetrics metrics;
    private final AgroalDataSource dataSource;
    private final HostKeyPins pins;
    private volatile WorkloadWatch watch;

    public TriggerConsumer(
            StageKafka kafka,
            WorkloadConfig config,
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
        WorkloadStore store = new WorkloadStore(dataSource);
        AddressMaps addresses = AddressMaps.parse(
                config.sshAddresses().orElse(""),
                config.apiAddresses().orElse(""),
                config.portAddresses().orElse(""));
        WorkloadRun run = new WorkloadRun(
                inventory,
                codec,
                publisher,
                store,
                new HostLock(dataSource, "workload", metrics.hostLockWaits("workload")),
                new SshjHostFiles(
                        Path.of(config.sshIdentity()),
                        addresses.ssh(),
                        pins,
                        // workload-service never pins: only converge-service does, at a host's first bootstrap
                        FirstContact.REFUSE,
                        config.sshTimeout(),
                        config.maxHostFileSize().asLongValue(),
                        HostKeyPins.required(inventory)),
                new KubeClusters(addresses, config.verifyApiHostname(), config.apiTimeout()),
                new TcpProbes(addresses, config.connectTimeout()),
                config,
                kafka.source(),
                new dev.handoff.support.StageOutcomes(
                        Stage.WORKLOAD.id(), dev.handoff.support.StageOutcomes.jdbc(dataSource), codec, publisher));
        watch = run.watch();
        // the loop keeps polling while runs wait out their rollout timeouts, so the group never evicts it
        loops.startStage(
                "workload-stage", config.consumerGroup(), Stage.WORKLOAD, config.concurrency(), Map.of(), run::handle);
    }

    /** The stage's scheduled check, once the service has started. */
    public Optional<WorkloadWatch> watch() {
        return Optional.ofNullable(watch);
    }
}
