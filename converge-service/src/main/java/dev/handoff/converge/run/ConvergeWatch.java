package dev.handoff.converge.run;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.handoff.common.event.EventEnvelope;
import dev.handoff.common.event.EventType;
import dev.handoff.common.event.Stage;
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
import dev.handoff.support.watch.Watch;
import dev.handoff.support.watch.WatchRounds;
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
 * publishes nothing, only the round's metrics. Its rounds run on the mechanism every stage's scheduled check shares
 * ({@link WatchRounds}; docs/operators.md, "Scheduled checks").
 */
@ApplicationScoped
public class ConvergeWatch implements Watch {
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
    private final WatchRounds rounds;
    private final java.util.Set<String> gauged = java.util.concurrent.ConcurrentHashMap.newKeySet();

    public ConvergeWatch(
            TriggerConsumer stage,
            Inventory inventory,
            EventCodec codec,
            EventPublisher publisher,
            StageMetrics metrics,
            AgroalDataSource dataSource,
            StageKafka kafka,
            ConvergeConfig config,
            WatchRounds rounds) {
        this.stage = stage;
        this.inventory = inventory;
        this.codec = codec;
        this.publisher = publisher;
        this.metrics = metrics;
        this.lock = new HostLock(dataSource, "converge");
        this.source = kafka.source();
        this.config = config;
        this.rounds = rounds;
    }

    @Scheduled(
            identity = "converge-watch",
            every = "${handoff.converge.watch.interval}",
            delayed = "${handoff.converge.watch.delay}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduled() {
        rounds.run(this);
    }

    /** One round over every converged host now; returns how many drifts it published. */
    public synchronized int checkNow() {
        return rounds.run(this).published();
    }

    @Override
    public String stage() {
        return Stage.CONVERGE.id();
    }

    /** The hosts with a published convergence that handoff.yaml still lists with an access (none before the start). */
    @Override
    public List<String> hosts() throws Exception {
        Optional<TriggerConsumer.Parts> started = stage.parts();
        if (started.isEmpty()) {
            return List.of();
        }
        return started.get().converged().hosts().stream()
                .filter(h -> inventory.hosts().containsKey(h)
                        && !inventory.hosts().get(h).access().isEmpty())
                .toList();
    }

    @Override
    public boolean check(String name) throws Exception {
        TriggerConsumer.Parts parts = stage.parts().orElseThrow(() -> new IllegalStateException("not started"));
        Inventory.Host host = inventory.hosts().get(name);
        watchGauge(parts.converged(), name);
        Optional<HostLock.Held> held = lock.tryAcquire(name);
        if (held.isEmpty()) {
            LOG.infof("converge watch: %s is being converged right now; the next round checks it", name);
            return false;
        }
        Optional<Reported> reported;
        try (HostLock.Held h = held.get()) {
            Optional<ConvergedStore.Converged> last = parts.converged().last(name);
            if (last.isEmpty()) {
                return false;
            }
            HostReader reader = new HostReader(parts.facts(), parts.ssh(), new HostObserver(inventory));
            reported = compare(parts.converged(), host, last.get(), reader.read(host));
        }
        if (reported.isEmpty()) {
            return false;
        }
        Reported r = reported.get();
        if (r.reconverge().isPresent()) {
            StageLogContext.run(
                    name,
                    r.trigger().deploymentId(),
                    () -> parts.handler().runNow(r.trigger(), r.reconverge().get()));
        }
        return true;
    }

    /**
     * A drift just published: the drifted event as a trigger, and with onDrift: reconverge the convergence to run once
     * the host's lock is given back.
     */
    private record Reported(EventEnvelope trigger, Optional<ConvergeWork> reconverge) {}

    /** Publishes the drift of {@code host} when it is new; empty when the host is in sync or the drift was reported. */
    private Optional<Reported> compare(
            ConvergedStore store, Inventory.Host host, ConvergedStore.Converged last, HostObservation seen)
            throws Exception {
        Convergence converged = JSON.readValue(last.facts(), Convergence.class);
        List<ConvergenceDrifted.Difference> differences = DriftCheck.differences(converged, seen);
        if (differences.isEmpty()) {
            store.driftCleared(host.name());
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
        LOG.warnf(
                "converge watch: %s drifted from deployment %s: %s%s",
                host.name(),
                last.deploymentId(),
                fingerprint,
                reconverge == null ? "" : "; reconverging as deployment " + reconverge);
        return Optional.of(new Reported(asTrigger(drifted, reconverge), work));
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
        if (!gauged.add(host)) {
            return; // registered once per host: the gauge reads the store
        }
        metrics.hostDrifted(host, () -> {
            try {
                return store.reportedDrift(host).isPresent() ? 1 : 0;
            } catch (java.sql.SQLException e) {
                return Double.NaN;
            }
        });
    }
}
