package dev.handoff.secrets.messaging;

import dev.handoff.common.event.EventEnvelope;
import dev.handoff.common.event.EventType;
import dev.handoff.common.event.Stage;
import dev.handoff.common.event.v1.CommitPushed;
import dev.handoff.common.event.v1.StageFailed.Detail;
import dev.handoff.common.inventory.Inventory;
import dev.handoff.common.lock.HostLock;
import dev.handoff.common.messaging.EventPublisher;
import dev.handoff.common.messaging.ReceivedEvent;
import dev.handoff.common.serde.EventCodec;
import dev.handoff.common.stage.StageEvents;
import dev.handoff.secrets.config.SecretsConfig;
import dev.handoff.secrets.driver.SecretsRepository.RepositoryException;
import dev.handoff.secrets.driver.SnapshotReader;
import dev.handoff.secrets.stage.RepositorySnapshot;
import dev.handoff.secrets.stage.SecretsVerdict;
import dev.handoff.secrets.stage.Triggers;
import dev.handoff.secrets.stage.Verdict;
import dev.handoff.secrets.stage.Work;
import dev.handoff.support.StageKafka;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * Runs the secrets stage for a batch of trigger events, each host's check under its {@link HostLock}: plans the
 * checks ({@link Triggers}), publishes
 * {@code secret-facts.started}, reads the commit ({@link SnapshotReader}), decides ({@link SecretsVerdict}) and
 * publishes {@code completed} or {@code failed}. Logs name hosts, files and codes, never a value.
 */
public final class SecretsStageHandler {
    private static final Logger LOG = Logger.getLogger(SecretsStageHandler.class);

    private final Inventory inventory;
    private final EventCodec codec;
    private final EventPublisher publisher;
    private final SnapshotReader reader;
    private final StageEvents events;
    private final SecretsConfig config;
    private final HostLock lock;
    private final dev.handoff.support.StageOutcomes outcomes;

    public SecretsStageHandler(
            Inventory inventory,
            EventCodec codec,
            EventPublisher publisher,
            SnapshotReader reader,
            SecretsConfig config,
            HostLock lock,
            StageKafka kafka,
            dev.handoff.support.StageOutcomes outcomes) {
        this.inventory = inventory;
        this.codec = codec;
        this.publisher = publisher;
        this.reader = reader;
        this.config = config;
        this.lock = lock;
        this.events = new StageEvents(Stage.SECRETS, kafka.source(), codec);
        this.outcomes = outcomes;
    }

    /** Handles a batch in order; throwing makes the consumer loop retry it. */
    public void handle(List<ReceivedEvent> batch) throws Exception {
        for (ReceivedEvent received : batch) {
            EventEnvelope trigger = received.event();
            for (Work work : plan(trigger)) {
                // one host's check at a time across every instance: a second check of the host queues here
                try (HostLock.Held held = lock.acquire(work.host())) {
                    // delivered again after its check ended: the same outcome again (docs/secrets-service.md)
                    if (!outcomes.republished(
                            trigger, workKey(work), config.secrets().publishTimeout())) {
                        run(trigger, work);
                    }
                }
            }
        }
    }

    private List<Work> plan(EventEnvelope trigger) {
        if (EventType.COMMIT_PUSHED.type().equals(trigger.type())) {
            return Triggers.forPush(codec.payload(trigger, CommitPushed.class), inventory);
        }
        if (EventType.CLOUD_FACTS_COMPLETED.type().equals(trigger.type())) {
            return Triggers.forCloudFacts(trigger.subject(), inventory);
        }
        return List.of();
    }

    private void run(EventEnvelope trigger, Work work) throws Exception {
        Inventory.Host host = inventory.hosts().get(work.host());
        publisher.publishAll(
                List.of(events.started(
                        trigger, work.host(), work.repository(), work.commit().orElse(null))),
                config.secrets().publishTimeout());
        Verdict verdict;
        String commit = work.commit().orElse("?");
        try {
            RepositorySnapshot snapshot = reader.read(
                    work, host.secrets().map(Inventory.HostSecrets::files).orElse(List.of()));
            commit = snapshot.commit();
            verdict = SecretsVerdict.decide(host, snapshot);
        } catch (RepositoryException e) {
            Detail detail = new Detail("repository-unreachable", work.repository(), e.getMessage());
            verdict = new Verdict.Failed(
                    detail.code(),
                    "secrets of " + work.host() + ": " + e.getMessage() + "; the stage can run again once the"
                            + " repository is reachable",
                    true,
                    List.of(detail));
        }
        EventEnvelope outcome;
        if (verdict instanceof Verdict.Completed completed) {
            outcome = events.completed(trigger, work.host(), completed.facts());
            LOG.infof(
                    "secret-facts completed for %s at %s@%s: %d file(s), MAC %s",
                    work.host(),
                    work.repository(),
                    commit,
                    completed.facts().files().size(),
                    completed.facts().files().stream()
                            .map(f -> f.path() + "=" + f.mac())
                            .toList());
        } else {
            Verdict.Failed failed = (Verdict.Failed) verdict;
            outcome = events.failed(
                    trigger, work.host(), failed.reason(), failed.message(), failed.retryable(), failed.details());
            LOG.warnf(
                    "secret-facts failed for %s at %s@%s: %s %s",
                    work.host(),
                    work.repository(),
                    commit,
                    failed.reason(),
                    failed.details().stream()
                            .map(d -> d.code() + "(" + d.subject() + ")")
                            .toList());
        }
        outcomes.publish(trigger, workKey(work), outcome, config.secrets().publishTimeout());
    }

    /** What {@link dev.handoff.support.StageOutcomes} keeps a check's outcome under: host and repository. */
    private static String workKey(Work work) {
        return work.host() + " " + work.repository();
    }
}
