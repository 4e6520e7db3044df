package dev.handoff.workload.run;

import dev.handoff.common.event.EventEnvelope;
import dev.handoff.common.event.EventType;
import dev.handoff.common.event.Stage;
import dev.handoff.common.event.v1.Convergence;
import dev.handoff.common.event.v1.StageFailed;
import dev.handoff.common.event.v1.StageFailed.Detail;
import dev.handoff.common.event.v1.StageStarted;
import dev.handoff.common.event.v1.Workload;
import dev.handoff.common.inventory.Inventory;
import dev.handoff.common.lock.HostLock;
import dev.handoff.common.messaging.EventPublisher;
import dev.handoff.common.messaging.ReceivedEvent;
import dev.handoff.common.serde.EventCodec;
import dev.handoff.common.stage.StageEvents;
import dev.handoff.workload.config.WorkloadConfig;
import dev.handoff.workload.driver.KubeClusters;
import dev.handoff.workload.driver.SshjHostFiles;
import dev.handoff.workload.driver.TcpProbes;
import dev.handoff.workload.driver.WorkloadStore;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Runs the workload stage for a batch of triggers, one host at a time under its {@link HostLock}: reads what the host
 * declares (K3s's manifests folder and kubeconfig, over SFTP), waits for the objects to roll out and answer, checks
 * the RustDesk key ({@link HostVerification}), and publishes {@code workload} events. A host whose run completed is
 * watched by the scheduled check ({@link WorkloadWatch}) until a run of it fails. Event ids derive from the trigger's id, so a redelivered
 * trigger gives the same events (the ledger keeps each id once). Logs and events never carry the kubeconfig.
 */
public final class WorkloadRun {
    private static final Logger LOG = Logger.getLogger(WorkloadRun.class);

    private final Inventory inventory;
    private final EventCodec codec;
    private final EventPublisher publisher;
    private final WorkloadStore store;
    private final HostLock lock;
    private final dev.handoff.support.StageOutcomes outcomes;
    private final WorkloadConfig config;
    private final String source;
    private final HostVerification verification;

    public WorkloadRun(
            Inventory inventory,
            EventCodec codec,
            EventPublisher publisher,
            WorkloadStore store,
            HostLock lock,
            SshjHostFiles ssh,
            KubeClusters kube,
            TcpProbes tcp,
            WorkloadConfig config,
            String source,
            dev.handoff.support.StageOutcomes outcomes) {
        this.inventory = inventory;
        this.codec = codec;
        this.publisher = publisher;
        this.store = store;
        this.lock = lock;
        this.config = config;
        this.source = source;
        this.verification = new HostVerification(inventory, store, ssh, kube, tcp, config);
        this.outcomes = outcomes;
    }

    /** Handles a batch in order; throwing makes the consumer loop retry it. */
    public void handle(List<ReceivedEvent> batch) throws Exception {
        for (ReceivedEvent received : batch) {
            EventEnvelope trigger = received.event();
            if (!EventType.CONVERGENCE_COMPLETED.type().equals(trigger.type())) {
                continue;
            }
            Convergence convergence = codec.payload(trigger, Convergence.class);
            String host = convergence.host();
            if (!inventory.hosts().containsKey(host)) {
                LOG.warnf("workload: %s converged but is not in the inventory; nothing to verify", host);
                continue;
            }
            try (HostLock.Held held = lock.acquire(host)) {
                // delivered again after its run ended: the same outcome again (docs/workload-service.md)
                if (!outcomes.republished(trigger, host, config.publishTimeout())) {
                    run(trigger, convergence);
                }
            }
        }
    }

    private void run(EventEnvelope trigger, Convergence convergence) throws Exception {
        String host = convergence.host();
        publisher.publishAll(
                List.of(event(
                        trigger,
                        EventType.WORKLOAD_STARTED,
                        host,
                        new StageStarted(
                                host,
                                Stage.WORKLOAD.id(),
                                trigger.type(),
                                convergence.repository(),
                                convergence.commit()))),
                config.publishTimeout());
        EventEnvelope outcome;
        try {
            Workload facts = verification.verify(host, config.rolloutTimeout(), true);
            outcome = event(trigger, EventType.WORKLOAD_COMPLETED, host, facts);
            LOG.infof(
                    "workload completed for %s: %d objects ready%s",
                    host,
                    facts.objects().size(),
                    facts.checks() == null
                            ? ""
                            : ", checks "
                                    + facts.checks().stream()
                                            .map(c -> c.name() + "=" + c.passed())
                                            .toList());
        } catch (RunFailure f) {
            List<Detail> details = new ArrayList<>(f.details());
            if (details.isEmpty()) {
                details.add(new Detail(f.reason(), host, f.getMessage()));
            }
            outcome = event(
                    trigger,
                    EventType.WORKLOAD_FAILED,
                    host,
                    new StageFailed(
                            host,
                            Stage.WORKLOAD.id(),
                            f.reason(),
                            f.getMessage(),
                            f.retryable(),
                            List.copyOf(details)));
            LOG.warnf("workload failed for %s (%s): %s", host, f.reason(), f.getMessage());
        }
        outcomes.publish(trigger, host, outcome, config.publishTimeout());
        // the scheduled check watches a host from its verification on, and forgets a drift it reported before
        if (outcome.type().equals(EventType.WORKLOAD_COMPLETED.type())) {
            store.verified(host, outcome.deploymentId(), Instant.now());
        } else {
            store.unverified(host);
        }
    }

    private EventEnvelope event(EventEnvelope trigger, EventType type, String host, Record payload) {
        String id = UUID.nameUUIDFromBytes(
                        (source + "|" + trigger.id() + "|" + type.type()).getBytes(StandardCharsets.UTF_8))
                .toString();
        String deployment = trigger.deploymentId() != null
                ? trigger.deploymentId()
                : UUID.randomUUID().toString();
        return codec.newEvent(id, type, source, host, deployment, trigger.id(), payload);
    }

    /** The stage's scheduled check over the hosts this stage verified, with the same drivers and host lock. */
    public WorkloadWatch watch() {
        return new WorkloadWatch(
                inventory,
                store,
                lock,
                verification,
                publisher,
                new StageEvents(Stage.WORKLOAD, source, codec),
                config);
    }
}
