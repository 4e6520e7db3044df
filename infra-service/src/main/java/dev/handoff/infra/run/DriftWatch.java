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
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * The scheduled read-back: every {@code handoff.infra.readback.interval} it reads each host with published cloud
 * facts back from the provider and, when reality differs from those facts, publishes the drift once (a
 * {@code cloud-facts.started} by schedule, then {@code cloud-facts.failed} with reason {@code drift} naming each
 * field) until reality matches again or a new run publishes new facts.
 */
@ApplicationScoped
public class DriftWatch {
    private static final Logger LOG = Logger.getLogger(DriftWatch.class);

    private final InfraConfig config;
    private final FactsStore facts;
    private final CloudReader cloud;
    private final EventPublisher publisher;
    private final StageEvents events;
    private final StageMetrics metrics;
    private ScheduledExecutorService scheduler;

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
    }

    void start(@Observes StartupEvent started) {
        InfraConfig.Readback readback = config.infra().readback();
        if (!readback.enabled()) {
            LOG.info("scheduled read-back is off (handoff.infra.readback.enabled=false)");
            return;
        }
        facts.all().forEach(last -> watchDrift(last.host()));
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "drift-watch");
            t.setDaemon(true);
            return t;
        });
        long every = readback.interval().toMillis();
        scheduler.scheduleWithFixedDelay(this::checkQuietly, every, every, TimeUnit.MILLISECONDS);
    }

    void stop(@Observes ShutdownEvent stopping) {
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
    }

    /**
     * Exposes {@code handoff_drift_detected} for a host the read-back watches: 1 while a reported drift stands (its
     * marker in the facts store), 0 once reality matches again or a run published new facts.
     */
    private void watchDrift(String host) {
        metrics.driftDetected(host, () -> facts.reportedDrift(host).isPresent() ? 1 : 0);
    }

    private void checkQuietly() {
        try {
            checkNow();
        } catch (RuntimeException e) {
            LOG.warnf(e, "scheduled read-back failed: %s", e.getMessage());
        }
    }

    /** Reads every host back now; returns how many drifts were published. */
    public synchronized int checkNow() {
        int published = 0;
        for (CloudFacts last : facts.all()) {
            watchDrift(last.host());
            ObservedInstance observed;
            try {
                observed = cloud.read(last.instanceId());
            } catch (StageFailure f) {
                LOG.warnf("read-back of %s (%s) failed: %s", last.host(), last.instanceId(), f.getMessage());
                continue;
            }
            List<DriftCheck.Drift> drifts = DriftCheck.againstFacts(last, observed);
            if (drifts.isEmpty()) {
                facts.driftCleared(last.host());
                continue;
            }
            String fingerprint = drifts.toString();
            if (facts.reportedDrift(last.host()).filter(fingerprint::equals).isPresent()) {
                continue;
            }
            String fields = String.join(
                    ", ", drifts.stream().map(DriftCheck.Drift::field).toList());
            try {
                var start = events.started(null, last.host(), null, null);
                var failed = events.failed(
                        start,
                        last.host(),
                        "drift",
                        "instance " + last.instanceId() + " of " + last.host() + " no longer matches its last cloud"
                                + " facts (" + last.observedAt() + ") in " + fields + "; it was changed outside"
                                + " OpenTofu. Push the infra repository to reconcile, or find who changed it.",
                        false,
                        DriftCheck.details(drifts, "the last cloud facts"));
                publisher.publishAll(List.of(start, failed), Duration.ofSeconds(30));
                facts.driftReported(last.host(), fingerprint);
                published++;
                LOG.warnf("drift of %s published: %s", last.host(), fields);
            } catch (Exception e) {
                LOG.warnf("cannot publish the drift of %s: %s", last.host(), e.getMessage());
            }
        }
        return published;
    }
}
