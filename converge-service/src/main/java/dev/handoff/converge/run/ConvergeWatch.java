package dev.handoff.converge.run;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.handoff.common.event.EventEnvelope;
import dev.handoff.common.event.EventType;
import dev.handoff.common.event.v1.Convergence;
import dev.handoff.common.event.v1.ConvergenceDrifted;
import dev.handoff.common.inventory.Inventory;
import dev.handoff.common.lock.HostLock;
import dev.handoff.common.messaging.EventPublisher;
import dev.handoff.common.serde.EventCodec;
import dev.handoff.common.serde.Json;
import dev.handoff.common.stage.StageLogContext;
import dev.handoff.converge.config.ConvergeConfig;
import dev.handoff.converge.driver.ConvergedStore;
import dev.handoff.converge.driver.HostObserver;
import dev.handoff.converge.messaging.TriggerConsumer;
import dev.handoff.converge.stage.ConvergeWork;
import dev.handoff.converge.stage.DriftCheck;
import dev.handoff.converge.stage.HostObservation;
import dev.handoff.support.StageKafka;
import dev.handoff.support.StageMetrics;
import io.agroal.api.AgroalDataSource;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * The watch: every {@code handoff.converge.watch.interval} each host Handoff converged is observed over SSH and
 * compared with its last {@code convergence.completed}. A host that no longer runs it is published once as
 * {@code convergence.drifted} (until it matches again or converges anew); with {@code onDrift: reconverge} it is then
 * converged again at the last converged commit, as a deployment of its own caused by the drift. A host whose lock a
 * run holds is skipped this round, so the watch never races an activation. A round that finds every host in sync
 * publishes nothing, only {@code handoff_watch_hosts_total}.
 */
@ApplicationScoped
public class ConvergeWatch {
    private static final Logger LOG = Logger.getLogger(ConvergeWatch.class);
    private static final ObjectMapper JSON = Json.mapper();

    private final TriggerConsumer stage;
    private final Inventory inventory;
    private final EventCodec codec;
    private final EventPublisher publisher;
    private final StageMetrics metrics;
    private final HostLock lock;
    private final String source;
    private final ConvergeConfig config;

    public ConvergeWatch(
            TriggerConsumer stage,
            Inventory inventory,
            EventCodec codec,
            EventPublisher publisher,
            StageMetrics metrics,
            AgroalDataSource dataSource,
            StageKafka kafka,
            ConvergeConfig config) {
        this.stage = stage;
        this.inventory = inventory;
        this.codec = codec;
        this.publisher = publisher;
        this.metrics = metrics;
        this.lock = new HostLock(dataSource, "converge");
        this.source = kafka.source();
        this.config = config;
    }

    @Scheduled(
            identity = "converge-watch",
            every = "${handoff.converge.watch.interval}",
            delayed = "${handoff.converge.watch.delay}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduled() {
        try {
            checkNow();
        } catch (RuntimeException e) {
            LOG.warnf(e, "the converge watch round failed: %s", e.getMessage());
        }
    }

    /** One round over every converged host now; returns how many drifts it published. */
    public synchronized int checkNow() {
        Optional<TriggerConsumer.Parts> started = stage.parts();
        if (started.isEmpty()) {
            return 0;
        }
        TriggerConsumer.Parts parts = started.get();
        HostReader reader = new HostReader(parts.facts(), parts.ssh(), new HostObserver(inventory));
        List<ConvergedStore.Converged> all;
        try {
            all = parts.converged().all();
        } catch (java.sql.SQLException e) {
            LOG.warnf("the converge watch cannot read what was converged: %s", e.getMessage());
            return 0;
        }
        Round round = new Round();
        for (ConvergedStore.Converged last : all) {
            Inventory.Host host = inventory.hosts().get(last.host());
            if (host == null || host.access().isEmpty()) {
                continue;
            }
            watchGauge(parts.converged(), last.host());
            try {
                check(parts, reader, host, last, round);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (Exception e) {
                round.skipped++;
                LOG.warnf("converge watch: %s not checked this round: %s", last.host(), e.getMessage());
            }
        }
        metrics.watched("converge", "in-sync", round.inSync);
        metrics.watched("converge", "drifted", round.drifted);
        metrics.watched("converge", "skipped", round.skipped);
        return round.drifted;
    }

    /** The counts of one round. */
    private static final class Round {
        int inSync;
        int drifted;
        int skipped;
    }

    /** A convergence to run after the host's lock is given back: the drifted event as trigger, and the work. */
    private record Reconverge(EventEnvelope trigger, ConvergeWork work) {}

    private void check(
            TriggerConsumer.Parts parts,
            HostReader reader,
            Inventory.Host host,
            ConvergedStore.Converged last,
            Round round)
            throws Exception {
        Optional<HostLock.Held> held = lock.tryAcquire(host.name());
        if (held.isEmpty()) {
            round.skipped++;
            LOG.infof("converge watch: %s is being converged; not checked this round", host.name());
            return;
        }
        Optional<Reconverge> again;
        try (HostLock.Held h = held.get()) {
            again = compare(parts.converged(), host, last, reader.read(host), round);
        }
        if (again.isPresent()) {
            Reconverge r = again.get();
            StageLogContext.run(
                    host.name(),
                    r.trigger().deploymentId(),
                    () -> parts.handler().runNow(r.trigger(), r.work()));
        }
    }

    /** Publishes the drift of {@code host} when it is new; returns the convergence to run for onDrift: reconverge. */
    private Optional<Reconverge> compare(
            ConvergedStore store, Inventory.Host host, ConvergedStore.Converged last, HostObservation seen, Round round)
            throws Exception {
        Convergence converged = JSON.readValue(last.facts(), Convergence.class);
        List<ConvergenceDrifted.Difference> differences = DriftCheck.differences(converged, seen);
        if (differences.isEmpty()) {
            store.driftCleared(host.name());
            round.inSync++;
            return Optional.empty();
        }
        String fingerprint = DriftCheck.fingerprint(differences);
        if (last.reportedDrift().filter(fingerprint::equals).isPresent()) {
            return Optional.empty();
        }
        Optional<ConvergeWork> work =
                host.onDrift() == Inventory.OnDrift.RECONVERGE ? reconvergeWork(host, converged) : Optional.empty();
        String reconverge = work.isPresent() ? UUID.randomUUID().toString() : null;
        EventEnvelope drifted = codec.newEvent(
                EventType.CONVERGENCE_DRIFTED,
                source,
                host.name(),
                last.deploymentId(),
                last.eventId(),
                new ConvergenceDrifted(
                        host.name(),
                        converged.repository(),
                        converged.commit(),
                        last.deploymentId(),
                        Instant.now(),
                        differences,
                        host.onDrift().id(),
                        reconverge,
                        DriftCheck.message(host.name(), last.deploymentId(), converged, differences, reconverge)));
        publisher.publishAll(List.of(drifted), config.converge().publishTimeout());
        store.driftReported(host.name(), last.eventId(), fingerprint, drifted.id());
        round.drifted++;
        LOG.warnf(
                "converge watch: %s drifted from deployment %s: %s%s",
                host.name(),
                last.deploymentId(),
                fingerprint,
                reconverge == null ? "" : "; reconverging as deployment " + reconverge);
        return work.map(w -> new Reconverge(asTrigger(drifted, reconverge), w));
    }

    /** The last converged commit of the host's runtime repository, from where handoff.yaml says it is. */
    private Optional<ConvergeWork> reconvergeWork(Inventory.Host host, Convergence converged) {
        Inventory.Repository repository = inventory.repositories().get(converged.repository());
        if (repository == null || !host.repositories().contains(converged.repository())) {
            LOG.warnf(
                    "converge watch: %s has onDrift: reconverge but handoff.yaml no longer lists %s for it; the drift"
                            + " is only reported",
                    host.name(), converged.repository());
            return Optional.empty();
        }
        return Optional.of(new ConvergeWork(
                host.name(),
                repository.name(),
                repository.url(),
                repository.branch(),
                Optional.of(converged.commit())));
    }

    /** The drifted event as the reconverge's trigger: the run's events have its id as causation, in a new deployment. */
    private static EventEnvelope asTrigger(EventEnvelope drifted, String deployment) {
        return new EventEnvelope(
                drifted.id(),
                drifted.source(),
                drifted.type(),
                drifted.subject(),
                drifted.time(),
                drifted.dataSchema(),
                deployment,
                drifted.causationId(),
                null,
                drifted.data());
    }

    /** {@code handoff_host_drifted} of the host: 1 while a reported drift stands. */
    private void watchGauge(ConvergedStore store, String host) {
        metrics.hostDrifted(host, () -> {
            try {
                return store.reportedDrift(host).isPresent() ? 1 : 0;
            } catch (java.sql.SQLException e) {
                return Double.NaN;
            }
        });
    }
}
