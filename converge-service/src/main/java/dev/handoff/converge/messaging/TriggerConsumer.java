package dev.handoff.converge.messaging;

import dev.handoff.common.event.EventEnvelope;
import dev.handoff.common.event.EventType;
import dev.handoff.common.event.Stage;
import dev.handoff.common.event.StageInputs;
import dev.handoff.common.event.Topics;
import dev.handoff.common.inventory.Inventory;
import dev.handoff.common.lock.HostLock;
import dev.handoff.common.messaging.DeadLetters;
import dev.handoff.common.messaging.EventConsumerLoop;
import dev.handoff.common.messaging.EventPublisher;
import dev.handoff.common.messaging.KafkaSettings;
import dev.handoff.common.messaging.ReceivedEvent;
import dev.handoff.common.serde.EventCodec;
import dev.handoff.converge.config.ConvergeConfig;
import dev.handoff.converge.driver.Activator;
import dev.handoff.converge.driver.FactsStore;
import dev.handoff.converge.driver.RuntimeCheckout;
import dev.handoff.converge.driver.SshjHosts;
import dev.handoff.support.StageConsumer;
import dev.handoff.support.StageKafka;
import dev.handoff.support.ssh.AddressMap;
import dev.handoff.support.ssh.JdbcHostKeyPins;
import io.agroal.api.AgroalDataSource;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.Producer;

/**
 * Two consumer threads: the facts keeper (newest {@code cloud-facts} and {@code secret-facts} per host into the
 * database, read from the beginning) and the trigger consumer ({@code secret-facts}, {@code commits} and the replay
 * channel {@code handoff.replay.converge}) that runs the stage.
 */
@ApplicationScoped
public class TriggerConsumer implements StageConsumer {
    private final StageKafka kafka;
    private final ConvergeConfig config;
    private final Inventory inventory;
    private final EventCodec codec;
    private final EventPublisher publisher;
    private final Producer<String, byte[]> producer;
    private final AgroalDataSource dataSource;
    private EventConsumerLoop facts;
    private EventConsumerLoop triggers;

    public TriggerConsumer(
            StageKafka kafka,
            ConvergeConfig config,
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
        ConvergeConfig.Converge c = config.converge();
        FactsStore store = new FactsStore(dataSource);
        Path workdir = Path.of(c.workdir());
        ConvergeStageHandler handler = new ConvergeStageHandler(
                inventory,
                codec,
                publisher,
                store,
                new HostLock(dataSource, "converge"),
                new RuntimeCheckout(workdir.resolve("worktrees")),
                new SshjHosts(
                        Path.of(c.sshIdentity()),
                        AddressMap.parse(c.addresses().orElse(""), "handoff.converge.addresses"),
                        new JdbcHostKeyPins(dataSource),
                        c.firstContact(),
                        c.sshTimeout()),
                new Activator(c.activator(), c.activatorExecutable(), c.activationTimeout()),
                c,
                kafka);
        facts = loop(
                "converge-facts",
                c.factsConsumerGroup(),
                List.of(Topics.CLOUD_FACTS, Topics.SECRET_FACTS),
                batch -> keep(store, batch));
        triggers = loop("converge-stage", c.consumerGroup(), StageInputs.subscribedBy(Stage.CONVERGE), handler::handle);
    }

    private static void keep(FactsStore store, List<ReceivedEvent> batch) throws Exception {
        for (ReceivedEvent received : batch) {
            EventEnvelope e = received.event();
            if (EventType.CLOUD_FACTS_COMPLETED.type().equals(e.type())) {
                store.keep(e.subject(), FactsStore.Kind.CLOUD, e.id(), e.time().toInstant(), e.data());
            } else if (EventType.SECRET_FACTS_COMPLETED.type().equals(e.type())) {
                store.keep(e.subject(), FactsStore.Kind.SECRET, e.id(), e.time().toInstant(), e.data());
            }
        }
    }

    private EventConsumerLoop loop(String name, String group, List<String> topics, EventConsumerLoop.BatchHandler h) {
        EventConsumerLoop loop = new EventConsumerLoop(
                name,
                new KafkaConsumer<>(
                        KafkaSettings.consumer(kafka.bootstrapServers(), group, name, Map.of("max.poll.records", 20))),
                topics,
                codec,
                new DeadLetters(producer, group),
                h,
                (record, why) -> {});
        Thread thread = new Thread(loop, name);
        thread.setDaemon(true);
        thread.start();
        return loop;
    }

    void stop(@Observes ShutdownEvent stopping) {
        if (triggers != null) {
            triggers.close();
        }
        if (facts != null) {
            facts.close();
        }
    }

    /** Whether both consumers are polling and their last batches succeeded. */
    @Override
    public boolean healthy() {
        return triggers != null && triggers.healthy() && facts != null && facts.healthy();
    }

    /** The last error of either consumer, or null. */
    @Override
    public String lastError() {
        if (triggers == null) {
            return "not started";
        }
        return triggers.lastError() != null ? triggers.lastError() : facts.lastError();
    }
}
