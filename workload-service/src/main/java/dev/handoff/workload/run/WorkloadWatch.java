package dev.handoff.workload.run;

import dev.handoff.common.event.EventEnvelope;
import dev.handoff.common.event.Stage;
import dev.handoff.common.inventory.Inventory;
import dev.handoff.common.lock.HostLock;
import dev.handoff.common.messaging.EventPublisher;
import dev.handoff.common.stage.StageEvents;
import dev.handoff.support.watch.Watch;
import dev.handoff.workload.config.WorkloadConfig;
import dev.handoff.workload.driver.WorkloadStore;
import dev.handoff.workload.stage.WorkloadDrift;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * The workload stage's scheduled check: each round verifies again every host whose newest run completed, with the
 * same drivers as a run but without recording anything as verified, and reports what no longer holds (not ready, not
 * reachable, RustDesk key changed, …) once per distinct drift: a {@code workload.started} of trigger {@code schedule}
 * in a new deployment and a {@code workload.failed} with reason {@code drift} naming each finding. The drift stays
 * reported (the fingerprint in {@code watched_hosts}) until everything holds again or a run completes.
 */
public final class WorkloadWatch implements Watch {
    private static final Logger LOG = Logger.getLogger(WorkloadWatch.class);

    private final Inventory inventory;
    private final WorkloadStore store;
    private final HostLock lock;
    private final HostVerification verification;
    private final EventPublisher publisher;
    private final StageEvents events;
    private final WorkloadConfig config;

    WorkloadWatch(
            Inventory inventory,
            WorkloadStore store,
            HostLock lock,
            HostVerification verification,
            EventPublisher publisher,
            StageEvents events,
            WorkloadConfig config) {
        this.inventory = inventory;
        this.store = store;
        this.lock = lock;
        this.verification = verification;
        this.publisher = publisher;
        this.events = events;
        this.config = config;
    }

    @Override
    public String stage() {
        return Stage.WORKLOAD.id();
    }

    /** The watched hosts that handoff.yaml still lists. */
    @Override
    public List<String> hosts() throws Exception {
        return store.watched().stream()
                .map(WorkloadStore.Watched::host)
                .filter(inventory.hosts()::containsKey)
                .toList();
    }

    @Override
    public boolean check(String host) throws Exception {
        Optional<HostLock.Held> held = lock.tryAcquire(host);
        if (held.isEmpty()) {
            LOG.infof("workload watch: %s is being verified by a run right now; the next round checks it", host);
            return false;
        }
        try (HostLock.Held h = held.get()) {
            Optional<WorkloadStore.Watched> watched = store.watched(host);
            if (watched.isEmpty()) {
                return false; // a run failed since the round began: its failure is the host's news
            }
            return check(watched.get());
        }
    }

    private boolean check(WorkloadStore.Watched host) throws Exception {
        try {
            verification.verify(host.host(), config.watch().grace(), false);
        } catch (RunFailure f) {
            if (!WorkloadDrift.isDrift(f.details())) {
                throw new IllegalStateException(
                        host.host() + " could not be checked (" + f.reason() + "): " + f.getMessage(), f);
            }
            return report(host, f);
        }
        if (host.driftReported().isPresent()) {
            store.driftReported(host.host(), null, Instant.now());
            LOG.infof(
                    "workload watch: the drift reported for %s holds no more; the host page shows it until a run"
                            + " completes",
                    host.host());
        }
        return false;
    }

    private boolean report(WorkloadStore.Watched host, RunFailure f) throws Exception {
        WorkloadDrift drift = WorkloadDrift.of(host.host(), host.verifiedAt(), f.details());
        if (host.driftReported().filter(drift.fingerprint()::equals).isPresent()) {
            return false;
        }
        EventEnvelope started = events.started(null, host.host(), null, null);
        EventEnvelope failed = events.failed(
                started, host.host(), WorkloadDrift.REASON, drift.message(), false, List.copyOf(f.details()));
        publisher.publishAll(List.of(started, failed), config.publishTimeout());
        store.driftReported(host.host(), drift.fingerprint(), Instant.now());
        LOG.warnf("workload watch: drift of %s published: %s", host.host(), drift.fingerprint());
        return true;
    }
}
