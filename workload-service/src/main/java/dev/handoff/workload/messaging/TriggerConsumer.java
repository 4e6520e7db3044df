package dev.handoff.workload.messaging;

import dev.handoff.common.event.Stage;
import dev.handoff.common.event.StageInputs;
import dev.handoff.common.inventory.Inventory;
import dev.handoff.common.lock.HostLock;
import dev.handoff.common.messaging.DeadLetters;
import dev.handoff.common.messaging.EventConsumerLoop;
import dev.handoff.common.messaging.EventPublisher;
import dev.handoff.common.messaging.KafkaSettings;
import dev.handoff.common.serde.EventCodec;
import dev.handoff.support.StageConsumer;
import dev.handoff.support.StageKafka;
import dev.handoff.support.ssh.JdbcHostKeyPins;
import dev.handoff.workload.config.WorkloadConfig;
import dev.handoff.workload.driver.AddressMaps;
import dev.handoff.workload.driver.KubeClusters;
import dev.handoff.workload.driver.SshjHostFiles;
import dev.handoff.workload.driver.TcpProbes;
import dev.handoff.workload.driver.WorkloadStore;
import io.agroal.api.AgroalDataSource;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.Producer;

/**
 * The trigger consumer: {@code handoff.convergence} and the replay channel {@code handoff.replay.workload}; every
 * {@code handoff.convergence.completed} runs the workload stage for its host. Unreadable records go to the dead-letter
 * topic ({@link EventConsumerLoop}).
 */
@ApplicationScoped
public class TriggerConsumer implements StageConsumer {
    private final StageKafka kafka;
    private final WorkloadConfig config;
    private final Inventory inventory;
    private final EventCodec codec;
    private final EventPublisher publisher;
    private final Producer<String, byte[]> producer;
    private final AgroalDataSource dataSource;
    private EventConsumerLoop triggers;

    public TriggerConsumer(
            StageKafka kafka,
            WorkloadConfig config,
            Inventory inventory,
            EventCodec codec,
            EventPublisher publisher,
            Producer<String, byte[]> producer,
            AgroalDataSource dataSource) {
        this.kafka = kafka;
        this.config = config;
        this.inventory = inventory;
        this.codec = codec;
        this.publisher = publisher;
        this.producer = producer;
        this.dataSource = dataSource;
    }

    void start(@Observes StartupEvent started) {
        WorkloadStore store = new WorkloadStore(dataSource);
        AddressMaps addresses = AddressMaps.parse(
                config.sshAddresses().orElse(""),
                config.apiAddresses().orElse(""),
                config.portAddresses().orElse(""));
        WorkloadStageHandler handler = new WorkloadStageHandler(
                inventory,
                codec,
                publisher,
                store,
                new HostLock(dataSource, "workload"),
                new SshjHostFiles(
                        Path.of(config.sshIdentity()),
                        addresses.ssh(),
                        new JdbcHostKeyPins(dataSource),
                        config.firstContact(),
                        config.sshTimeout()),
                new KubeClusters(addresses, config.verifyApiHostname(), config.apiTimeout()),
                new TcpProbes(addresses, config.connectTimeout()),
                config,
                kafka.source());
        String name = "workload-stage";
        triggers = new EventConsumerLoop(
                name,
                new KafkaConsumer<>(KafkaSettings.consumer(
                        kafka.bootstrapServers(),
                        config.consumerGroup(),
                        name,
                        // one run may wait the whole rollout timeout: the group must not evict the consumer meanwhile
                        Map.of("max.poll.records", 1, "max.poll.interval.ms", (int)
                                Math.max(300_000, 2 * config.rolloutTimeout().toMillis() + 120_000)))),
                StageInputs.subscribedBy(Stage.WORKLOAD),
                codec,
                new DeadLetters(producer, config.consumerGroup()),
                handler::handle,
                (record, why) -> {});
        Thread thread = new Thread(triggers, name);
        thread.setDaemon(true);
        thread.start();
    }

    void stop(@Observes ShutdownEvent stopping) {
        if (triggers != null) {
            triggers.close();
        }
    }

    @Override
    public boolean healthy() {
        return triggers != null && triggers.healthy();
    }

    @Override
    public String lastError() {
        return triggers == null ? "not started" : triggers.lastError();
    }
}
