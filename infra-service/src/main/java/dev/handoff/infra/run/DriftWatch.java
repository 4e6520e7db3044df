package dev.handoff.infra.run;

import dev.handoff.common.event.Stage;
import dev.handoff.common.event.v1.CloudFacts;
import dev.handoff.common.messaging.EventPublisher;
import dev.handoff.common.serde.EventCodec;
import dev.handoff.common.stage.StageEvents;
import dev.handoff.infra.config.InfraConfig;
import dev.handoff.infra.driver.CloudReader;
import dev.handoff.infra.driver.FactsStore;
import dev.handoff.infra.messaging.InfraKafka;
import dev.handoff.infra.stage.DriftCheck;
import dev.handoff.infra.stage.ObservedInstance;
import dev.handoff.infra.stage.StageFailure;
import dev.handoff.support.StageMetrics;
import dev.handoff.support.watch.Watch;
import dev.handoff.support.watch.WatchRounds;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * The scheduled read-back, infra's scheduled check ({@link WatchRounds}, as every stage's): every
 * {@code handoff.infra.watch.interval} (the deprecated {@code handoff.infra.readback.interval} when unset) it reads
 * each host with published cloud facts back from the provider and, when reality differs from those facts, publishes the
 * drift once (a {@code cloud-facts.started} by schedule, then {@code cloud-facts.failed} with reason {@code drift}
 * naming each field) until reality matches again or a new run publishes new facts.
 */
@ApplicationScoped
public class DriftWatch implements Watch {
    private static final Logger LOG = Logger.getLogger(DriftWatch.class);

    private final InfraConfig config;
    private final FactsStore facts;
    private final CloudReader cloud;
    private final EventPublisher publisher;
    private final StageEvents events;
    private final StageMetrics metrics;
    // infra-service takes no CDI bean from stage-support (its own Kafka beans): the round runner is built here
    private final WatchRounds rounds;

    public DriftWatch(
            InfraConfig config,
            FactsStore facts,
            CloudReader cloud,
            EventPublisher publisher,
            EventCodec codec,
            StageMetrics metrics) {
        this.config = config;
        this.metrics = metrics;
        this.facts = facts;
        this.cloud = cloud;
        this.publisher = publisher;
        this.events = new StageEvents(Stage.INFRA, InfraKafka.SOURCE, codec);
        this.rounds = new WatchRounds(metrics);
    }

    void start(@Observes StartupEvent started) {
        if (!config.infra().readback().enabled()) {
            LOG.info("scheduled read-back is off (handoff.infra.readback.enabled=false)");
            return;
        }
        facts.all().forEach(last -> watchDrift(last.host()));
    }

    @Scheduled(
            identity = "infra-watch",
            every = "${handoff.infra.watch.interval}",
            delayed = "${handoff.infra.watch.delay}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduled() {
        if (config.infra().readback().enabled()) {
            checkNow();
        }
    }

    /**
     * Exposes {@code handoff_drift_detected} for a host the read-back watches: 1 while a reported drift stands (its
     * marker in the facts store), 0 once reality matches again or a run published new facts.
     */
    private void watchDrift(String host) {
        metrics.driftDetected(host, () -> facts.reportedDrift(host).isPresent() ? 1 : 0);
    }

    /** Reads every host back now; returns how many drifts were published. */
    public synchronized int checkNow() {
        return rounds.run(this).reported().size();
    }

    @Override
    public String stage() {
        return Stage.INFRA.id();
    }

    /** The hosts with published cloud facts. */
    @Override
    public List<String> hosts() {
        return facts.all().stream().map(CloudFacts::host).toList();
    }

    /** Reads {@code host} back; publishes its drift unless this drift was reported already. */
    @Override
    public boolean check(String host) throws Exception {
        Optional<CloudFacts> found =
                facts.all().stream().filter(f -> f.host().equals(host)).findFirst();
        if (found.isEmpty()) {
            return false;
        }
        CloudFacts last = found.get();
        watchDrift(host);
        ObservedInstance observed;
        try {
            observed = cloud.read(last.instanceId());
        } catch (StageFailure f) {
            throw new IllegalStateException(
                    "read-back of " + host + " (" + last.instanceId() + ") failed: " + f.getMessage(), f);
        }
        List<DriftCheck.Drift> drifts = DriftCheck.againstFacts(last, observed);
        if (drifts.isEmpty()) {
            facts.driftCleared(host);
            return false;
        }
        String fingerprint = drifts.toString();
        if (facts.reportedDrift(host).filter(fingerprint::equals).isPresent()) {
            return false;
        }
        String fields =
                String.join(", ", drifts.stream().map(DriftCheck.Drift::field).toList());
        var start = events.started(null, host, null, null);
        var failed = events.failed(
                start,
                host,
                "drift",
                "instance " + last.instanceId() + " of " + host + " no longer matches its last cloud facts ("
                        + last.observedAt() + ") in " + fields + "; it was changed outside OpenTofu. Push the infra"
                        + " repository to reconcile, or find who changed it.",
                false,
                DriftCheck.details(drifts, "the last cloud facts"));
        publisher.publishAll(List.of(start, failed), Duration.ofSeconds(30));
        facts.driftReported(host, fingerprint);
        LOG.warnf("drift of %s published: %s", host, fields);
        return true;
    }
}
