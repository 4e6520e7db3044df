package dev.handoff.support;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready when every consumer loop of the stage ({@link StageLoops}) is polling Kafka and its last batch succeeded; the check is named after
 * the service ({@code converge-service} → {@code converge-stage}) and shows the broker it uses.
 */
@Readiness
@ApplicationScoped
public class StageReadiness implements HealthCheck {
    private final StageLoops loops;
    private final StageKafka kafka;

    public StageReadiness(StageLoops loops, StageKafka kafka) {
        this.loops = loops;
        this.kafka = kafka;
    }

    @Override
    public HealthCheckResponse call() {
        String name = kafka.serviceName().replaceFirst("-service$", "") + "-stage";
        var builder = HealthCheckResponse.named(name).withData("bootstrap.servers", kafka.bootstrapServers());
        if (loops.healthy()) {
            return builder.up().build();
        }
        String error = loops.lastError();
        return builder.down()
                .withData("error", error == null ? "starting" : error)
                .build();
    }
}
