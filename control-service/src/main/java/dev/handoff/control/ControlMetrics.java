package dev.handoff.control;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.function.ToDoubleFunction;

/** The counters operators watch on {@code /q/metrics}. */
@ApplicationScoped
public class ControlMetrics {
    private final MeterRegistry registry;
    private final Counter ledgerStored;

    public ControlMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.ledgerStored = Counter.builder("handoff.ledger.events.stored")
                .description("Events stored in the ledger (redeliveries of stored events not counted)")
                .register(registry);
    }

    /**
     * Counts a webhook delivery by outcome ({@code accepted}, {@code ignored}, {@code duplicate}, {@code refused})
     * and reason.
     */
    public void webhook(String outcome, String reason) {
        Counter.builder("handoff.webhooks")
                .description("Forgejo webhook deliveries by outcome and reason")
                .tag("outcome", outcome)
                .tag("reason", reason)
                .register(registry)
                .increment();
    }

    /** Counts events newly stored by the ledger. */
    public void ledgerStored(int count) {
        ledgerStored.increment(count);
    }

    /**
     * Exposes how far the ledger's consumer group is behind on each topic it reads ({@code handoff_consumer_lag_records},
     * as the stage services name it, so one alert covers all six services).
     */
    public void watchLedgerLag(String group, java.util.Collection<String> topics, ToDoubleFunction<String> lag) {
        for (String topic : topics) {
            io.micrometer.core.instrument.Gauge.builder("handoff.consumer.lag", () -> lag.applyAsDouble(topic))
                    .description("Records of the topic not yet read by the consumer group (this replica's partitions)")
                    .baseUnit("records")
                    .tag("group", group)
                    .tag("topic", topic)
                    .strongReference(true)
                    .register(registry);
        }
    }

    /** Counts a record the ledger sent to a dead-letter topic. */
    public void deadLettered(String topic, String reason) {
        Counter.builder("handoff.ledger.dead.lettered")
                .description("Records that were not valid events, sent to <topic>.dlq")
                .tag("topic", topic)
                .tag("reason", reason)
                .register(registry)
                .increment();
    }
}
