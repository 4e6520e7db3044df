package dev.handoff.control.health;

import dev.handoff.control.kafka.KafkaClients;
import dev.handoff.control.ledger.LedgerConsumer;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready when the Kafka cluster answers and the ledger consumer is polling. PostgreSQL has its own check. */
@Readiness
@ApplicationScoped
public class KafkaReadiness implements HealthCheck {
    private final Admin admin;
    private final KafkaClients kafka;
    private final LedgerConsumer ledger;

    public KafkaReadiness(Admin admin, KafkaClients kafka, LedgerConsumer ledger) {
        this.admin = admin;
        this.kafka = kafka;
        this.ledger = ledger;
    }

    @Override
    public HealthCheckResponse call() {
        var builder = HealthCheckResponse.named("kafka").withData("bootstrap.servers", kafka.bootstrapServers());
        try {
            int nodes = admin.describeCluster().nodes().get(3, TimeUnit.SECONDS).size();
            builder.withData("brokers", nodes);
        } catch (Exception e) {
            return builder.down()
                    .withData("error", "Kafka does not answer: " + e.getMessage())
                    .build();
        }
        builder.withData("ledger", ledger.healthy() ? "consuming" : "not consuming");
        if (!ledger.healthy()) {
            String error = ledger.lastError();
            return builder.down()
                    .withData("ledger-error", error == null ? "starting" : error)
                    .build();
        }
        return builder.up().build();
    }
}
