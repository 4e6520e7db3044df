package dev.handoff.control.reconcile;

import dev.handoff.common.event.EventEnvelope;
import dev.handoff.common.event.v1.CommitPushed;
import dev.handoff.common.inventory.Inventory;
import dev.handoff.common.messaging.EventPublisher;
import dev.handoff.common.serde.EventCodec;
import dev.handoff.control.config.HandoffConfig;
import dev.handoff.control.fleet.GitHeads;
import dev.handoff.control.kafka.KafkaClients;
import dev.handoff.control.webhook.DeliveryLog;
import dev.handoff.control.webhook.ForgejoPush;
import dev.handoff.control.webhook.PushFreshness;
import dev.handoff.control.webhook.PushRouting;
import dev.handoff.control.webhook.RepositoryUnreachableException;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.logging.Logger;

/**
 * Git stays the truth when a webhook is lost: on an interval (and at start) control-service reads each repository's
 * branch head ({@code git ls-remote} through JGit, with handoff.yaml's URL) and, for a head that no deployment of a
 * host has seen, publishes {@code commit.pushed} as the webhook would, with {@code trigger: reconciliation}. It holds
 * the commit's lock ({@link DeliveryLog#lockCommit}) as the webhook does, and both derive the deployment id from
 * repository, commit and host, so a webhook and a reconciliation of one commit give one deployment per host. A head
 * that would roll a host back (the branch was reset) is not deployed and publishes nothing. When all is well it
 * publishes nothing but metrics ({@code handoff_reconcile_checks_total}, {@code handoff_reconcile_repository_reachable});
 * a repository it cannot read is a warning and a metric, never a crash, and the next round tries again.
 */
@ApplicationScoped
public class BranchReconciler {
    private static final Logger LOG = Logger.getLogger(BranchReconciler.class);
    private static final String ZERO_SHA = "0".repeat(40);
    /** How soon a round that failed to publish is tried again. */
    static final Duration RETRY = Duration.ofSeconds(30);

    private final ReconcileConfig config;
    private final HandoffConfig handoff;
    private final Inventory inventory;
    private final PushRouting routing;
    private final PushFreshness freshness;
    private final DeliveryLog deliveries;
    private final EventPublisher publisher;
    private final GitHeads heads;
    private final MeterRegistry registry;
    private final Map<String, AtomicInteger> reachable = new ConcurrentHashMap<>();
    private final Map<String, String> lastReported = new ConcurrentHashMap<>();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean failedLastRound;
    private Thread thread;

    public BranchReconciler(
            ReconcileConfig config,
            HandoffConfig handoff,
            GitHeads heads,
            Inventory inventory,
            EventCodec codec,
            PushFreshness freshness,
            DeliveryLog deliveries,
            EventPublisher publisher,
            MeterRegistry registry) {
        this.config = config;
        this.handoff = handoff;
        this.inventory = inventory;
        this.routing = new PushRouting(inventory, codec, KafkaClients.SOURCE);
        this.freshness = freshness;
        this.deliveries = deliveries;
        this.publisher = publisher;
        this.heads = heads;
        this.registry = registry;
    }

    void start(@Observes StartupEvent startup) {
        if (config.interval().isZero() || config.interval().isNegative()) {
            LOG.info("reconciliation: off (HANDOFF_RECONCILE_INTERVAL is 0s): a push whose webhook is lost is not"
                    + " deployed until the next push");
            return;
        }
        thread = new Thread(this::run, "branch-reconciler");
        thread.setDaemon(true);
        thread.start();
        LOG.infof(
                "reconciliation: reading the branch head of %d repositories every %s",
                inventory.repositories().size(), config.interval());
    }

    void stop(@Observes ShutdownEvent shutdown) {
        stopped.countDown();
        if (thread != null) {
            try {
                thread.join(TimeUnit.SECONDS.toMillis(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void run() {
        try {
            do {
                round();
            } while (!stopped.await(nextRound().toMillis(), TimeUnit.MILLISECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * The interval, or at most {@link #RETRY} after a round that could not publish or record what it found (Kafka or
     * PostgreSQL not there yet, e.g. just after a start): a missed push should not wait a whole interval more.
     */
    private Duration nextRound() {
        return failedLastRound && RETRY.compareTo(config.interval()) < 0 ? RETRY : config.interval();
    }

    /** One look at every repository now; answers the deployments it published, by repository. */
    public Map<String, List<String>> round() {
        failedLastRound = false;
        Map<String, List<String>> published = new java.util.TreeMap<>();
        for (Inventory.Repository repository : inventory.repositories().values()) {
            try {
                List<String> deployments = reconcile(repository);
                if (!deployments.isEmpty()) {
                    published.put(repository.name(), deployments);
                }
            } catch (RuntimeException e) {
                // one repository's failure never stops the others, nor the next round
                count(repository, "error");
                LOG.errorf(e, "reconciliation of %s failed: %s", repository.name(), e.getMessage());
            }
        }
        return published;
    }

    /** Reconciles one repository; answers the deployments it published (none when the hosts have seen its head). */
    List<String> reconcile(Inventory.Repository repository) {
        List<Inventory.Host> hosts = inventory.hostsUsing(repository.name());
        if (hosts.isEmpty()) {
            return List.of();
        }
        GitHeads.Head read = heads.read(repository);
        if (read.commit() == null) {
            reachable(repository, false);
            count(repository, "unreachable");
            report(
                    repository,
                    "unreachable",
                    "reconciliation cannot read %s (%s): a push whose webhook was lost is not found until it can;"
                            + " check the URL and credentials in handoff.yaml and that the forge answers",
                    repository.name(),
                    read.error());
            return List.of();
        }
        reachable(repository, true);
        String head = read.commit();
        try {
            // a repository's first deployment on a host comes from a push: reconciliation finds what was missed since
            List<Inventory.Host> deployed = new ArrayList<>();
            for (Inventory.Host h : hosts) {
                if (deliveries.lastPublished(repository.name(), h.name()).isPresent()) {
                    deployed.add(h);
                }
            }
            if (deployed.isEmpty()) {
                count(repository, "never-deployed");
                return List.of();
            }
            if (seenByEveryHost(repository, head, deployed)) {
                count(repository, "in-sync");
                return List.of();
            }
            return deploy(
                    repository,
                    head,
                    deployed.stream().map(Inventory.Host::name).collect(java.util.stream.Collectors.toSet()));
        } catch (java.sql.SQLException e) {
            count(repository, "error");
            report(
                    repository,
                    "database",
                    "reconciliation of %s waits for PostgreSQL: %s",
                    repository.name(),
                    e.getMessage());
            return List.of();
        } catch (RepositoryUnreachableException e) {
            count(repository, "unreachable");
            report(
                    repository,
                    "history",
                    "reconciliation cannot read the history of %s: %s",
                    repository.name(),
                    e.getMessage());
            return List.of();
        } catch (EventPublisher.PublishException | dev.handoff.common.serde.InvalidEventException e) {
            count(repository, "error");
            report(
                    repository,
                    "kafka",
                    "reconciliation of %s could not publish %s: %s; it tries again next round",
                    repository.name(),
                    head,
                    e.getMessage());
            return List.of();
        }
    }

    private boolean seenByEveryHost(Inventory.Repository repository, String head, List<Inventory.Host> hosts)
            throws java.sql.SQLException {
        Map<String, String> before = deliveries.deployedBefore(repository.name(), head);
        return hosts.stream()
                .allMatch(h -> before.containsKey(PushRouting.deploymentId(repository.name(), head, h.name())));
    }

    private List<String> deploy(Inventory.Repository repository, String head, java.util.Set<String> hosts)
            throws java.sql.SQLException, RepositoryUnreachableException, EventPublisher.PublishException,
                    dev.handoff.common.serde.InvalidEventException {
        String deliveryId =
                "reconcile-" + head.substring(0, 12) + "-" + Instant.now().getEpochSecond();
        ForgejoPush push = new ForgejoPush(
                "refs/heads/" + repository.branch(),
                ZERO_SHA,
                head,
                null,
                repository.name(),
                repository.url(),
                null,
                0,
                null);
        PushRouting.Decision decision = routing.route(push, deliveryId, CommitPushed.RECONCILIATION);
        if (!(decision instanceof PushRouting.Deploy deploy)) {
            return List.of();
        }
        try (DeliveryLog.CommitLock lock = deliveries.lockCommit(repository.name(), head)) {
            // a webhook may have delivered it since the first look
            Map<String, String> before = deliveries.deployedBefore(repository.name(), head);
            Map<String, PushFreshness.Verdict> verdicts =
                    freshness.enabled() ? freshness.judge(repository, head, List.copyOf(hosts)) : Map.of();
            List<EventEnvelope> events = new ArrayList<>();
            List<String> behind = new ArrayList<>();
            for (EventEnvelope e : deploy.events()) {
                if (!hosts.contains(e.subject())) {
                    continue;
                }
                PushFreshness.Verdict verdict = verdicts.getOrDefault(e.subject(), new PushFreshness.Fresh());
                if (verdict instanceof PushFreshness.Stale) {
                    behind.add(e.subject());
                } else if (verdict instanceof PushFreshness.Fresh && !before.containsKey(e.deploymentId())) {
                    events.add(e);
                }
            }
            if (!behind.isEmpty()) {
                count(repository, "stale");
                report(
                        repository,
                        "stale:" + head,
                        "reconciliation: the head %s of %s would roll %s back (the branch"
                                + " was reset?); not deployed. Push a commit onto it, or replay the commit to deploy on"
                                + " purpose",
                        head,
                        repository.name(),
                        behind);
            }
            if (events.isEmpty()) {
                return List.of();
            }
            publisher.publishDeploymentStarts(
                    events, "reconciliation", handoff.webhook().ackTimeout());
            List<String> ids = events.stream().map(EventEnvelope::deploymentId).toList();
            deliveries.record(deliveryId, repository.name(), head, ids);
            count(repository, "published");
            LOG.infof(
                    "reconciliation: %s@%s had no deployment on %s (its webhook was lost?): published %d"
                            + " commit.pushed with trigger reconciliation, deployments %s",
                    repository.name(),
                    head,
                    events.stream().map(EventEnvelope::subject).toList(),
                    events.size(),
                    ids);
            return ids;
        }
    }

    private void count(Inventory.Repository repository, String result) {
        if (result.equals("error")) {
            failedLastRound = true;
        }
        registry.counter("handoff_reconcile_checks_total", Tags.of("repository", repository.name(), "result", result))
                .increment();
    }

    private void reachable(Inventory.Repository repository, boolean answered) {
        reachable
                .computeIfAbsent(
                        repository.name(),
                        name -> registry.gauge(
                                "handoff_reconcile_repository_reachable",
                                Tags.of("repository", name),
                                new AtomicInteger(1)))
                .set(answered ? 1 : 0);
        if (answered) {
            lastReported.remove(repository.name(), "unreachable");
        }
    }

    /** Logs a warning once per repository and condition, not at every round. */
    private void report(Inventory.Repository repository, String condition, String format, Object... args) {
        if (!condition.equals(lastReported.put(repository.name(), condition))) {
            LOG.warnf(format, args);
        }
    }
}
