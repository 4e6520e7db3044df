package dev.handoff.converge.messaging;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready when the trigger consumer is polling Kafka and its last batch succeeded. */
@Readiness
@ApplicationScoped
public class ConsumerReadiness implements HealthCheck {
    private final TriggerConsumer consumer;
    private final KafkaClients kafka;

    public ConsumerReadiness(TriggerConsumer consumer, KafkaClients kafka) {
        this.consumer = consumer;
        this.kafka = kafka;
    }

    @Override
    public HealthCheckResponse call() {
        var builder =
                HealthCheckResponse.named("converge-stage").withData("bootstrap.servers", kafka.bootstrapServers());
        if (consumer.healthy()) {
            return builder.up().build();
        }
        String error = consumer.lastError();
        return builder.down()
                .withData("error", error == null ? "starting" : error)
                .build();
    }
}
