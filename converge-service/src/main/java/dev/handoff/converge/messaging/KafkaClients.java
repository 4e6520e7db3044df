package dev.handoff.converge.messaging;

import dev.handoff.common.messaging.EventPublisher;
import dev.handoff.common.messaging.KafkaSettings;
import dev.handoff.common.serde.EventCodec;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** The Kafka clients of converge-service: one idempotent producer and the contract's codec. */
@ApplicationScoped
public class KafkaClients {
    public static final String SOURCE = "/handoff/converge-service";

    private final String bootstrapServers;

    public KafkaClients(@ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers) {
        this.bootstrapServers = bootstrapServers;
    }

    /** Where Kafka is. */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    @Produces
    @Singleton
    EventCodec codec() {
        return new EventCodec();
    }

    @Produces
    @Singleton
    Producer<String, byte[]> producer() {
        return new KafkaProducer<>(KafkaSettings.producer(bootstrapServers, "converge-service", Map.of()));
    }

    void closeProducer(@Disposes Producer<String, byte[]> producer) {
        producer.close(Duration.ofSeconds(5));
    }

    @Produces
    @Singleton
    EventPublisher publisher(Producer<String, byte[]> producer, EventCodec codec) {
        return new EventPublisher(producer, codec);
    }
}
