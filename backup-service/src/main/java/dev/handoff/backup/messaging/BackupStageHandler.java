package dev.handoff.backup.messaging;

import dev.handoff.backup.stage.ContractOutcome;
import dev.handoff.backup.stage.RunReport;
import dev.handoff.common.event.EventEnvelope;
import dev.handoff.common.event.EventType;
import dev.handoff.common.event.Stage;
import dev.handoff.common.event.v1.Backup;
import dev.handoff.common.event.v1.StageFailed;
import dev.handoff.common.event.v1.StageStarted;
import dev.handoff.common.inventory.Inventory;
import dev.handoff.common.lock.HostLock;
import dev.handoff.common.messaging.EventPublisher;
import dev.handoff.common.messaging.ReceivedEvent;
import dev.handoff.common.serde.EventCodec;
import dev.handoff.support.StageMetrics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Runs the backup stage for a host, under its {@link HostLock} (namespace {@code backup}): every contract of the host
 * is checked, then {@code backup.started}, one {@code backup.completed} per contract that holds and — last — one
 * {@code backup.failed} listing every broken contract are published. Event ids derive from the trigger (or the
 * scheduled run), the host and the event's role, so a retried batch publishes the same ids and the ledger keeps one.
 */
public final class BackupStageHandler {
    private static final Logger LOG = Logger.getLogger(BackupStageHandler.class);

    private final Inventory inventory;
    private final EventCodec codec;
    private final EventPublisher publisher;
    private final HostLock lock;
    private final ContractVerifier verifier;
    private final String source;
    private final Duration publishTimeout;
    private final StageMetrics metrics;
    private final dev.handoff.support.StageOutcomes kept;

    public BackupStageHandler(
            Inventory inventory,
            EventCodec codec,
            EventPublisher publisher,
            HostLock lock,
            ContractVerifier verifier,
            String source,
            Duration publishTimeout,
            StageMetrics metrics,
            dev.handoff.support.StageOutcomes outcomes) {
        this.inventory = inventory;
        this.codec = codec;
        this.publisher = publisher;
        this.lock = lock;
        this.verifier = verifier;
        this.source = source;
        this.publishTimeout = publishTimeout;
        this.metrics = metrics;
        this.kept = outcomes;
    }

    /** Handles a batch in order; throwing makes the consumer loop retry it. */
    public void handle(List<ReceivedEvent> batch) throws Exception {
        for (ReceivedEvent received : batch) {
            EventEnvelope trigger = received.event();
            if (!EventType.WORKLOAD_COMPLETED.type().equals(trigger.type())) {
                continue;
            }
            Inventory.Host host = inventory.hosts().get(trigger.subject());
            if (host == null || host.backups().isEmpty()) {
                LOG.infof(
                        "%s: workload completed, but handoff.yaml gives the host no recovery contract; nothing to check",
                        trigger.subject());
                continue;
            }
            run(host, Optional.of(trigger), trigger.id());
        }
    }

    /**
     * Checks every contract of {@code host} and publishes the outcome.
     *
     * @param trigger the workload event, or empty for a scheduled run (its own deployment)
     * @param runId what the event ids derive from: the trigger's id, or the scheduled run's id
     */
    public void run(Inventory.Host host, Optional<EventEnvelope> trigger, String runId) throws Exception {
        String h = host.name();
        String deployment = trigger.map(EventEnvelope::deploymentId).orElseGet(() -> id(runId, h, "deployment"));
        if (deployment == null) {
            deployment = id(runId, h, "deployment");
        }
        String causation = trigger.map(EventEnvelope::id).orElse(null);
        try (HostLock.Held held = lock.acquire(h)) {
            // a trigger delivered again after its run ended: the same outcome again, no second restore rehearsal
            // (docs/backup-service.md, "Re-delivery and crashes")
            if (trigger.isPresent() && kept.republished(trigger.get(), h, publishTimeout)) {
                return;
            }
            publisher.publishAll(
                    List.of(codec.newEvent(
                            id(runId, h, "started"),
                            EventType.BACKUP_STARTED,
                            source,
                            h,
                            deployment,
                            causation,
                            new StageStarted(
                                    h,
                                    Stage.BACKUP.id(),
                                    trigger.map(EventEnvelope::type).orElse("schedule"),
                                    null,
                                    null))),
                    publishTimeout);
            List<ContractOutcome> outcomes = new ArrayList<>();
            for (String name : host.backups()) {
                outcomes.add(verifier.verify(inventory, host, host.backup(name).orElseThrow()));
            }
            List<EventEnvelope> events = new ArrayList<>();
            for (Backup facts : RunReport.completed(outcomes)) {
                events.add(codec.newEvent(
                        id(runId, h, "completed:" + facts.contract()),
                        EventType.BACKUP_COMPLETED,
                        source,
                        h,
                        deployment,
                        causation,
                        facts));
            }
            Optional<RunReport.Failure> failure = RunReport.failure(h, outcomes);
            if (failure.isPresent()) {
                RunReport.Failure f = failure.get();
                events.add(codec.newEvent(
                        id(runId, h, "failed"),
                        EventType.BACKUP_FAILED,
                        source,
                        h,
                        deployment,
                        causation,
                        new StageFailed(h, Stage.BACKUP.id(), f.reason(), f.message(), f.retryable(), f.details())));
                LOG.warnf("backup failed for %s (%s): %s", h, f.reason(), f.message());
            }
            if (trigger.isPresent()) {
                kept.publish(trigger.get(), h, events, publishTimeout);
            } else {
                publisher.publishAll(events, publishTimeout);
            }
            for (Backup facts : RunReport.completed(outcomes)) {
                metrics.backupVerified(
                        h, facts.contract(), facts.newestSnapshotTime(), Duration.ofSeconds(facts.maxAgeSeconds()));
            }
            if (failure.isEmpty()) {
                LOG.infof("backup completed for %s: %s hold", h, host.backups());
            }
        }
    }

    private static String id(String runId, String host, String role) {
        return UUID.nameUUIDFromBytes(
                        ("backup-service\n" + runId + "\n" + host + "\n" + role).getBytes(StandardCharsets.UTF_8))
                .toString();
    }
}
