package dev.handoff.infra.health;

import dev.handoff.infra.messaging.StageConsumers;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready when the commit and approval consumers are polling Kafka. */
@Readiness
@ApplicationScoped
public class StageReadiness implements HealthCheck {
    private final StageConsumers consumers;

    public StageReadiness(StageConsumers consumers) {
        this.consumers = consumers;
    }

    @Override
    public HealthCheckResponse call() {
        var builder = HealthCheckResponse.named("kafka-consumers");
        if (consumers.healthy()) {
            return builder.up().build();
        }
        String error = consumers.lastError();
        return builder.down()
                .withData("error", error == null ? "starting" : error)
                .build();
    }
}
