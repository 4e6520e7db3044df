package dev.handoff.control.ledger;

import dev.handoff.common.event.Topics;
import dev.handoff.common.messaging.DeadLetters;
import dev.handoff.common.messaging.EventConsumerLoop;
import dev.handoff.common.messaging.KafkaSettings;
import dev.handoff.common.serde.EventCodec;
import dev.handoff.control.ControlMetrics;
import dev.handoff.control.config.HandoffConfig;
import dev.handoff.control.kafka.KafkaClients;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.Producer;
import org.jboss.logging.Logger;

/**
 * The audit consumer: reads every handoff topic from the beginning in its own consumer group and stores each event
 * once. Invalid records go to their dead-letter topic and the ledger keeps consuming.
 */
@ApplicationScoped
public class LedgerConsumer {
    private static final Logger LOG = Logger.getLogger(LedgerConsumer.class);

    /** The topics the ledger reads: every handoff topic except the dead-letter topics. */
    public static final List<String> TOPICS =
            Topics.all().stream().filter(t -> !t.endsWith(Topics.DLQ_SUFFIX)).toList();

    /** Bytes one fetch may bring of a partition; the fetch as a whole stays within Kafka's 50 MiB. */
    private static final int FETCH_BYTES_PER_PARTITION = 4 * 1024 * 1024;

    private final KafkaClients kafka;
    private final HandoffConfig config;
    private final EventCodec codec;
    private final Producer<String, byte[]> producer;
    private final LedgerStore store;
    private final ControlMetrics metrics;
    private EventConsumerLoop loop;

    public LedgerConsumer(
            KafkaClients kafka,
            HandoffConfig config,
            EventCodec codec,
            Producer<String, byte[]> producer,
            LedgerStore store,
            ControlMetrics metrics) {
        this.kafka = kafka;
        this.config = config;
        this.codec = codec;
        this.producer = producer;
        this.store = store;
        this.metrics = metrics;
    }

    void start(@Observes StartupEvent startup) {
        String group = config.ledger().consumerGroup();
        KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(KafkaSettings.consumer(
                kafka.bootstrapServers(),
                group,
                "control-service-ledger",
                kafka.security(),
                Map.of(
                        ConsumerConfig.GROUP_INSTANCE_ID_CONFIG,
                        "ledger-" + config.ledger().instanceId(),
                        ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG,
                        15_000,
                        ConsumerConfig.MAX_POLL_RECORDS_CONFIG,
                        config.ledger().maxPollRecords(),
                        // catching up, a poll brings a whole batch of a partition, not one MiB (Kafka's default)
                        ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG,
                        FETCH_BYTES_PER_PARTITION)));
        loop = new EventConsumerLoop(
                "ledger",
                consumer,
                TOPICS,
                codec,
                new DeadLetters(producer, group),
                batch -> metrics.ledgerStored(store.store(batch)),
                (record, why) -> metrics.deadLettered(record.topic(), why.reasonCode()));
        EventConsumerLoop started = loop;
        metrics.watchLedgerLag(group, TOPICS, started::lag);
        Thread thread = new Thread(loop, "ledger-consumer");
        thread.setDaemon(true);
        thread.start();
        LOG.infof("ledger consuming %d topics as group %s", TOPICS.size(), group);
    }

    void stop(@Observes ShutdownEvent shutdown) {
        if (loop != null) {
            loop.close();
        }
    }

    /** Whether the ledger is consuming and storing. */
    public boolean healthy() {
        return loop != null && loop.healthy();
    }

    /** The ledger's last error, or null. */
    public String lastError() {
        return loop == null ? "not started" : loop.lastError();
    }
}
