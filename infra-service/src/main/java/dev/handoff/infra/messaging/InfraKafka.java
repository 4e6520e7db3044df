package dev.handoff.infra.messaging;

import dev.handoff.common.event.SchemaLocations;
import dev.handoff.common.messaging.DeadLetters;
import dev.handoff.common.messaging.EventPublisher;
import dev.handoff.common.messaging.KafkaSettings;
import dev.handoff.common.serde.EventCodec;
import dev.handoff.support.StageMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * infra-service's Kafka clients: the contract's codec, one idempotent producer, consumers per loop; and the shared
 * {@link StageMetrics}, which count the runs the publisher's acknowledged events start and end.
 */
@ApplicationScoped
public class InfraKafka {
    /** The CloudEvents source of every event infra-service publishes. */
    public static final String SOURCE = "/handoff/infra-service";

    private final String bootstrapServers;
    private final Optional<String> schemaBaseUrl;

    public InfraKafka(
            @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers,
            @ConfigProperty(name = SchemaLocations.CONFIG_KEY) Optional<String> schemaBaseUrl) {
        this.bootstrapServers = bootstrapServers;
        this.schemaBaseUrl = schemaBaseUrl;
    }

    @Produces
    @Singleton
    EventCodec codec() {
        return new EventCodec(SchemaLocations.of(schemaBaseUrl));
    }

    @Produces
    @Singleton
    Producer<String, byte[]> producer() {
        return new KafkaProducer<>(KafkaSettings.producer(bootstrapServers, "infra-service", security()));
    }

    void closeProducer(@Disposes Producer<String, byte[]> producer) {
        producer.close(Duration.ofSeconds(5));
    }

    @Produces
    @Singleton
    EventPublisher publisher(Producer<String, byte[]> producer, EventCodec codec, StageMetrics metrics) {
        return new EventPublisher(producer, codec, metrics);
    }

    /** The stage metrics every stage service shares; their published runs are infra's cloud-facts events. */
    @Produces
    @Singleton
    StageMetrics metrics(MeterRegistry registry) {
        return new StageMetrics(registry);
    }

    @Produces
    @Singleton
    DeadLetters deadLetters(Producer<String, byte[]> producer) {
        return new DeadLetters(producer, "infra-service");
    }

    /**
     * A consumer of {@code group} that takes up to {@code maxRecords} records per batch; a run may hold a batch for
     * as long as {@code maxPoll}.
     */
    public Consumer<String, byte[]> consumer(String group, String clientId, int maxRecords, Duration maxPoll) {
        return consumer(group, clientId, maxRecords, maxPoll, Map.of());
    }

    /** As {@link #consumer(String, String, int, Duration)} with {@code extra} settings on top. */
    public Consumer<String, byte[]> consumer(
            String group, String clientId, int maxRecords, Duration maxPoll, Map<String, Object> extra) {
        Map<String, Object> settings = new java.util.HashMap<>(extra);
        settings.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, maxRecords);
        settings.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, (int) Math.min(Integer.MAX_VALUE, maxPoll.toMillis()));
        return new KafkaConsumer<>(KafkaSettings.consumer(bootstrapServers, group, clientId, security(), settings));
    }

    /** infra-service's Kafka identity and transport security (see {@code StageKafka.security()}). */
    public Map<String, Object> security() {
        return KafkaSettings.security(name -> ConfigProvider.getConfig().getOptionalValue(name, String.class));
    }
}
