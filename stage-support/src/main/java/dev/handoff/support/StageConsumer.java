package dev.handoff.support;

/**
 * What a stage service's trigger consumer tells the readiness check: the service implements it once, as an
 * application-scoped bean, and {@link StageReadiness} reports it on {@code /q/health/ready}.
 */
public interface StageConsumer {
    /** Whether every consumer loop is polling Kafka and its last batch succeeded. */
    boolean healthy();

    /** Why it is not healthy, for the health answer; null while starting. */
    String lastError();
}
