package dev.handoff.support;

import dev.handoff.common.event.SchemaLocations;
import dev.handoff.common.messaging.EventPublisher;
import dev.handoff.common.messaging.KafkaSettings;
import dev.handoff.common.serde.EventCodec;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The Kafka side every stage service shares: where the broker is ({@code kafka.bootstrap.servers}), the service's
 * CloudEvents {@code source} ({@code /handoff/<quarkus.application.name>}), and the beans built on them: the contract's
 * codec (its events' {@code dataschema} under {@code handoff.schema-base-url} when set), one idempotent producer (closed at shutdown) and the validating {@link EventPublisher}, whose acknowledged
 * events count the stage's runs ({@link StageMetrics}).
 */
@ApplicationScoped
public class StageKafka {
    private final String bootstrapServers;
    private final String serviceName;
    private final Optional<String> schemaBaseUrl;

    public StageKafka(
            @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers,
            @ConfigProperty(name = "quarkus.application.name") String serviceName,
            @ConfigProperty(name = SchemaLocations.CONFIG_KEY) Optional<String> schemaBaseUrl) {
        this.bootstrapServers = bootstrapServers;
        this.serviceName = serviceName;
        this.schemaBaseUrl = schemaBaseUrl;
    }

    /**
     * The service's Kafka identity and transport security ({@code kafka.security.protocol}, {@code kafka.sasl.*},
     * {@code kafka.ssl.*}, or their {@code KAFKA_…} variables): every client of the service logs in with it.
     */
    public Map<String, Object> security() {
        return KafkaSettings.security(name -> ConfigProvider.getConfig().getOptionalValue(name, String.class));
    }

    /** Where Kafka is. */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** The service's name, e.g. {@code converge-service}; also its Kafka client id. */
    public String serviceName() {
        return serviceName;
    }

    /** The CloudEvents {@code source} of every event the service publishes, e.g. {@code /handoff/converge-service}. */
    public String source() {
        return "/handoff/" + serviceName;
    }

    @Produces
    @Singleton
    EventCodec codec() {
        return new EventCodec(SchemaLocations.of(schemaBaseUrl));
    }

    @Produces
    @Singleton
    Producer<String, byte[]> producer() {
        return new KafkaProducer<>(KafkaSettings.producer(bootstrapServers, serviceName, security()));
    }

    void closeProducer(@Disposes Producer<String, byte[]> producer) {
        producer.close(Duration.ofSeconds(5));
    }

    @Produces
    @Singleton
    EventPublisher publisher(Producer<String, byte[]> producer, EventCodec codec, StageMetrics metrics) {
        return new EventPublisher(producer, codec, metrics);
    }
}
