package dev.handoff.control.kafka;

import dev.handoff.common.event.SchemaLocations;
import dev.handoff.common.messaging.EventPublisher;
import dev.handoff.common.messaging.KafkaSettings;
import dev.handoff.common.serde.EventCodec;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The Kafka clients of control-service: one idempotent producer, one admin client, the contract's codec (its events'
 * {@code dataschema} under {@code handoff.schema-base-url} when set).
 */
@ApplicationScoped
public class KafkaClients {
    public static final String SOURCE = "/handoff/control-service";
    /** Largest batch of records to one partition in one produce request. */
    static final int BATCH_BYTES = 512 * 1024;

    private final String bootstrapServers;
    private final Optional<String> schemaBaseUrl;

    public KafkaClients(
            @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers,
            @ConfigProperty(name = SchemaLocations.CONFIG_KEY) Optional<String> schemaBaseUrl) {
        this.bootstrapServers = bootstrapServers;
        this.schemaBaseUrl = schemaBaseUrl;
    }

    /**
     * control-service's Kafka identity and transport security ({@code kafka.security.protocol}, {@code kafka.sasl.*},
     * {@code kafka.ssl.*}, or their {@code KAFKA_…} variables): every client of the service logs in with it.
     */
    public Map<String, Object> security() {
        return KafkaSettings.security(name -> ConfigProvider.getConfig().getOptionalValue(name, String.class));
    }

    /** Where Kafka is. */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    @Produces
    @Singleton
    EventCodec codec() {
        return new EventCodec(SchemaLocations.of(schemaBaseUrl));
    }

    /**
     * The shared producer. Every send of control-service waits for its acknowledgement (a webhook answers only then,
     * a replay waits for all its copies), so a record is sent at once rather than after a linger; records sent while
     * earlier requests are in flight still travel together, in batches of up to {@value #BATCH_BYTES} bytes, so a
     * replay's 10,000 copies take a few dozen requests, not hundreds.
     */
    @Produces
    @Singleton
    Producer<String, byte[]> producer() {
        Map<String, Object> settings = new HashMap<>(security());
        settings.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        settings.put(ProducerConfig.BATCH_SIZE_CONFIG, BATCH_BYTES);
        return new KafkaProducer<>(KafkaSettings.producer(bootstrapServers, "control-service", settings));
    }

    void closeProducer(@Disposes Producer<String, byte[]> producer) {
        producer.close(Duration.ofSeconds(5));
    }

    @Produces
    @Singleton
    EventPublisher publisher(Producer<String, byte[]> producer, EventCodec codec) {
        return new EventPublisher(producer, codec);
    }

    @Produces
    @Singleton
    Admin admin() {
        Map<String, Object> settings = new HashMap<>(security());
        settings.putAll(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrapServers,
                AdminClientConfig.CLIENT_ID_CONFIG,
                "control-service-admin",
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG,
                5_000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                5_000));
        return Admin.create(settings);
    }

    void closeAdmin(@Disposes Admin admin) {
        admin.close(Duration.ofSeconds(2));
    }
}
