package dev.handoff.control.webhook;

import dev.handoff.common.event.EventEnvelope;
import dev.handoff.common.event.EventType;
import dev.handoff.common.event.v1.CommitPushed;
import dev.handoff.common.event.v1.CommitStale;
import dev.handoff.common.inventory.Inventory;
import dev.handoff.common.serde.EventCodec;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;

/**
 * Decides what a push means: which hosts it deploys, or why it deploys nothing. No I/O. Event and deployment ids
 * are derived from the repository, the pushed commit and the host, never from the delivery: a delivery published
 * twice (a crash between Kafka's acknowledgement and the answer), Forgejo's "Replay" of a delivery and a stored body
 * re-sent under a new delivery id all yield the same events, which the ledger stores once. The events carry the
 * repository URL of handoff.yaml, the only one the stages fetch from; the payload's {@code clone_url} (Forgejo's
 * public URL) is information only.
 */
public final class PushRouting {

    /** The outcome of routing a push. */
    public sealed interface Decision permits Ignore, Deploy {}

    /**
     * Nothing to deploy.
     *
     * @param reason a stable code for metrics, e.g. {@code tag-push}
     * @param message what happened and what to change if it was meant to deploy
     */
    public record Ignore(String reason, String message) implements Decision {}

    /**
     * One {@code commit.pushed} per host that uses the repository.
     *
     * @param events the events to publish, key = host
     */
    public record Deploy(List<EventEnvelope> events) implements Decision {}

    private final Inventory inventory;
    private final EventCodec codec;
    private final String source;

    public PushRouting(Inventory inventory, EventCodec codec, String source) {
        this.inventory = inventory;
        this.codec = codec;
        this.source = source;
    }

    /** Routes one push delivery. */
    public Decision route(ForgejoPush push, String deliveryId) {
        return route(push, deliveryId, null);
    }

    /**
     * As {@link #route(ForgejoPush, String)}, marking the events with what found the push: null for a webhook,
     * {@link CommitPushed#RECONCILIATION} for a branch head found by reading the repository.
     */
    public Decision route(ForgejoPush push, String deliveryId, String trigger) {
        String branch = push.branch();
        if (branch == null) {
            return new Ignore(
                    "not-a-branch",
                    "ref " + push.ref() + " is not a branch (tag pushes do not deploy); nothing published");
        }
        if (push.deletesRef()) {
            return new Ignore("branch-deleted", "branch " + branch + " was deleted; nothing published");
        }
        var repository = inventory.repository(push.repository()).orElse(null);
        if (repository == null) {
            return new Ignore(
                    "unknown-repository",
                    "repository " + push.repository()
                            + " is not in handoff.yaml; add it under 'repositories:' to deploy from it");
        }
        if (!repository.branch().equals(branch)) {
            return new Ignore(
                    "other-branch",
                    "branch " + branch + " of " + push.repository() + " does not deploy; handoff.yaml deploys "
                            + repository.branch());
        }
        List<Inventory.Host> hosts = inventory.hostsUsing(repository.name());
        if (hosts.isEmpty()) {
            return new Ignore(
                    "no-host",
                    "no host lists " + repository.name() + " under 'repositories:' in handoff.yaml; nothing to deploy");
        }
        CommitPushed.HeadCommit head = push.headCommit() == null
                ? null
                : new CommitPushed.HeadCommit(
                        push.headCommit().id(),
                        push.headCommit().message(),
                        push.headCommit().timestamp(),
                        push.headCommit().authorName(),
                        push.headCommit().authorEmail(),
                        push.headCommit().added(),
                        push.headCommit().modified(),
                        push.headCommit().removed());
        List<EventEnvelope> events = hosts.stream()
                .map(host -> codec.newEvent(
                        derivedId("event", repository.name(), push.after(), host.name()),
                        EventType.COMMIT_PUSHED,
                        source,
                        host.name(),
                        deploymentId(repository.name(), push.after(), host.name()),
                        null,
                        new CommitPushed(
                                host.name(),
                                repository.name(),
                                push.ref(),
                                branch,
                                push.before(),
                                push.after(),
                                repository.starts().id(),
                                repository.url(),
                                push.compareUrl(),
                                push.pusher(),
                                deliveryId,
                                push.commitCount(),
                                head,
                                trigger)))
                .toList();
        return new Deploy(events);
    }

    /**
     * The {@code commit.stale} of a push that would roll {@code host} back, under the deployment id of (repository,
     * commit, host), so the ledger shows that deployment as stale. Its event id includes the delivery: each re-sent
     * webhook is one entry of the deployment's timeline, and a redelivery of the same delivery the same entry.
     */
    public EventEnvelope stale(ForgejoPush push, String deliveryId, String host, PushFreshness.Stale verdict) {
        String repository = push.repository();
        String after = push.after();
        String message = "commit " + after + " of " + repository + " is not deployed to " + host + ": "
                + (verdict.reason().equals(CommitStale.UNKNOWN_COMMIT)
                        ? "it is not in the history of " + push.branch() + " (head " + verdict.branchHead()
                                + "; last deployed " + verdict.lastDeployed() + ")"
                        : "it is not the head of " + push.branch() + " (" + verdict.branchHead()
                                + ") and does not descend from the last deployed commit " + verdict.lastDeployed())
                + ", so deploying it would roll the host back (a re-sent or late webhook). To deploy it on purpose,"
                + " replay its commit.pushed (handoffctl replay), or push a commit that restores it onto "
                + push.branch();
        return codec.newEvent(
                derivedId("stale\n" + deliveryId, repository, after, host),
                EventType.COMMIT_STALE,
                source,
                host,
                deploymentId(repository, after, host),
                null,
                new CommitStale(
                        host,
                        repository,
                        push.branch(),
                        after,
                        verdict.branchHead(),
                        verdict.lastDeployed(),
                        verdict.reason(),
                        message,
                        deliveryId));
    }

    /** The deployment of {@code commit} of {@code repository} on {@code host}: one id, however often it arrives. */
    public static String deploymentId(String repository, String commit, String host) {
        return derivedId("deployment", repository, commit, host);
    }

    /** A stable UUID for (kind, repository, commit, host). */
    static String derivedId(String kind, String repository, String commit, String host) {
        return UUID.nameUUIDFromBytes(
                        (kind + "\n" + repository + "\n" + commit + "\n" + host).getBytes(StandardCharsets.UTF_8))
                .toString();
    }
}
