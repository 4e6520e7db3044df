package dev.handoff.control;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;

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
