package dev.handoff.support.ssh;

import dev.handoff.common.event.EventEnvelope;
import dev.handoff.common.event.EventType;
import dev.handoff.common.event.Topics;
import dev.handoff.common.event.v1.HostKeyTrusted;
import dev.handoff.common.messaging.EventPublisher;
import dev.handoff.common.messaging.KafkaSettings;
import dev.handoff.common.serde.EventCodec;
import dev.handoff.common.serde.InvalidEventException;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

/**
 * The host key pins of every service: the compacted topic {@code handoff.host-keys}, read from the beginning into
 * memory by a consumer without a group (all partitions assigned). Before it answers {@link #pinned}, it catches up to
 * the end offsets of that moment, so a pin converge-service wrote just before it published a convergence is seen by
 * workload-service when it handles that convergence. Records apply in offset order: an {@code operator} record
 * replaces the pin, a {@code first-bootstrap} record is taken only when the host has none (the first writer wins).
 * Records that are not valid {@code host-key.trusted} events are skipped (the ledger sends them to the dead-letter
 * topic). {@link #pin} publishes a {@code first-bootstrap} record and waits for Kafka's acknowledgement.
 */
public final class TopicHostKeyPins implements HostKeyPins, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(TopicHostKeyPins.class);

    private final String bootstrapServers;
    private final String serviceName;
    private final EventCodec codec;
    private final Duration wait;
    private final Map<String, Object> clientSettings;
    private final KafkaConsumer<String, byte[]> consumer;
    private final Map<String, Pin> pins = new HashMap<>();
    private EventPublisher publisher;

    /**
     * @param bootstrapServers where Kafka is
     * @param serviceName the service's name, e.g. {@code converge-service}: client ids, {@code source} and
     *     {@code decidedBy} of the records it writes
     * @param codec the contract's codec
     * @param wait how long one catch-up or one publish may take before it fails
     * @param clientSettings added to the Kafka clients' settings: the service's identity (security settings)
     */
    public TopicHostKeyPins(
            String bootstrapServers,
            String serviceName,
            EventCodec codec,
            Duration wait,
            Map<String, Object> clientSettings) {
        this.bootstrapServers = bootstrapServers;
        this.serviceName = serviceName;
        this.codec = codec;
        this.wait = wait;
        this.clientSettings = Map.copyOf(clientSettings);
        // no group: every instance reads the whole topic, and nothing is committed
        this.consumer = new KafkaConsumer<>(
                KafkaSettings.consumer(bootstrapServers, null, serviceName + "-host-keys", this.clientSettings));
    }

    @Override
    public synchronized Optional<Pin> pinned(String host) {
        catchUp();
        return Optional.ofNullable(pins.get(host));
    }

    @Override
    public synchronized void pin(String host, Pin pin) {
        catchUp();
        if (pins.containsKey(host)) {
            return;
        }
        publish(host, pin, HostKeyTrusted.FIRST_BOOTSTRAP, serviceName, null);
        LOG.infof("%s: host key %s pinned at its first bootstrap", host, pin.fingerprint());
        catchUp();
    }

    /**
     * Records an operator's decision to trust {@code pin} for {@code host}: it replaces whatever was pinned (what
     * control-service publishes for {@code handoffctl hosts trust}, and what a lab stands in for).
     */
    public synchronized void trust(String host, Pin pin, String decidedBy, String reason) {
        publish(host, pin, HostKeyTrusted.OPERATOR, decidedBy, reason);
        catchUp();
    }

    private void publish(String host, Pin pin, String source, String decidedBy, String reason) {
        HostKeyTrusted trusted =
                new HostKeyTrusted(host, pin.keyType(), pin.fingerprint(), pin.publicKey(), source, decidedBy, reason);
        EventEnvelope event =
                codec.newEvent(EventType.HOST_KEY_TRUSTED, "/handoff/" + serviceName, host, null, null, trusted);
        try {
            publisher().publishAll(List.of(event), wait);
        } catch (EventPublisher.PublishException | InvalidEventException | KafkaException e) {
            throw new IllegalStateException(
                    "cannot pin the host key " + pin.fingerprint() + " of " + host + " in Kafka topic "
                            + Topics.HOST_KEYS + " at " + bootstrapServers + ": " + e.getMessage()
                            + "; nothing was trusted. Check that Kafka is reachable and run the stage again",
                    e);
        }
    }

    /** Reads the topic up to the end offsets of this moment, within the wait. */
    private void catchUp() {
        long deadline = System.nanoTime() + wait.toNanos();
        try {
            List<PartitionInfo> partitions = consumer.partitionsFor(Topics.HOST_KEYS, wait);
            if (partitions == null || partitions.isEmpty()) {
                throw new IllegalStateException("Kafka has no topic " + Topics.HOST_KEYS
                        + "; create it (deploy/kafka/create-topics.sh, the chart's KafkaTopics)");
            }
            List<TopicPartition> all = partitions.stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition()))
                    .toList();
            if (!consumer.assignment().containsAll(all)) {
                List<TopicPartition> added = all.stream()
                        .filter(tp -> !consumer.assignment().contains(tp))
                        .toList();
                consumer.assign(all);
                consumer.seekToBeginning(added);
            }
            Map<TopicPartition, Long> end = consumer.endOffsets(all, remaining(deadline));
            while (behind(end, deadline)) {
                if (System.nanoTime() > deadline) {
                    throw new org.apache.kafka.common.errors.TimeoutException("still behind the end offsets " + end);
                }
                for (ConsumerRecord<String, byte[]> record : consumer.poll(remaining(deadline))) {
                    apply(record);
                }
            }
        } catch (KafkaException e) {
            throw new IllegalStateException(
                    "cannot read the host key pins from Kafka topic " + Topics.HOST_KEYS + " at " + bootstrapServers
                            + " within " + wait.toSeconds() + " s (" + e.getMessage() + "); no host key can be checked"
                            + " until Kafka answers",
                    e);
        }
    }

    private boolean behind(Map<TopicPartition, Long> end, long deadline) {
        for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
            if (consumer.position(e.getKey(), remaining(deadline)) < e.getValue()) {
                return true;
            }
        }
        return false;
    }

    private static Duration remaining(long deadline) {
        return Duration.ofNanos(Math.max(1_000_000L, deadline - System.nanoTime()));
    }

    private void apply(ConsumerRecord<String, byte[]> record) {
        HostKeyTrusted trusted;
        try {
            EventEnvelope event = codec.decode(record);
            if (!EventType.HOST_KEY_TRUSTED.type().equals(event.type())) {
                return;
            }
            trusted = codec.payload(event, HostKeyTrusted.class);
        } catch (InvalidEventException | IllegalArgumentException e) {
            LOG.warnf(
                    "%s-%d@%d is not a valid host-key.trusted record, not applied: %s",
                    record.topic(), record.partition(), record.offset(), e.getMessage());
            return;
        }
        if (!trusted.host().equals(record.key())) {
            LOG.warnf(
                    "%s-%d@%d: key %s names another host than the record (%s), not applied",
                    record.topic(), record.partition(), record.offset(), record.key(), trusted.host());
            return;
        }
        if (trusted.publicKey() != null
                && !HostKeyPins.fingerprintOf(Base64.getDecoder().decode(trusted.publicKey()))
                        .equals(trusted.fingerprint())) {
            LOG.warnf(
                    "%s-%d@%d: the public key of %s does not have the fingerprint %s, not applied",
                    record.topic(), record.partition(), record.offset(), trusted.host(), trusted.fingerprint());
            return;
        }
        Pin pin = new Pin(
                trusted.keyType(),
                trusted.publicKey(),
                trusted.fingerprint(),
                HostKeyTrusted.OPERATOR.equals(trusted.source()) ? Source.OPERATOR : Source.FIRST_BOOTSTRAP);
        if (pin.source() == Source.OPERATOR) {
            pins.put(trusted.host(), pin);
        } else {
            pins.putIfAbsent(trusted.host(), pin);
        }
    }

    private EventPublisher publisher() {
        if (publisher == null) {
            publisher = new EventPublisher(
                    new KafkaProducer<>(
                            KafkaSettings.producer(bootstrapServers, serviceName + "-host-keys", clientSettings)),
                    codec);
        }
        return publisher;
    }

    @Override
    public synchronized void close() {
        consumer.close(Duration.ofSeconds(2));
        if (publisher != null) {
            publisher.close();
        }
    }
}
