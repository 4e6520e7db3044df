package dev.handoff.common.event.v1;

/**
 * A push that control-service did not deploy because it would roll a host back: its commit is not the branch head
 * and does not descend from the last commit deployed from that repository on that host (a re-sent or late webhook).
 * It carries the deployment id of (repository, {@code after}, host), so the ledger shows that deployment as
 * {@code stale}; no stage runs on it. An operator deploys an older commit on purpose by replay.
 *
 * @param host the host the push would have deployed (also the Kafka key and CloudEvents subject)
 * @param repository the repository's full name on the forge, e.g. {@code ops/edge-cluster-infra}
 * @param branch the deployed branch of handoff.yaml
 * @param after the pushed commit that was not deployed
 * @param branchHead the branch's head in the repository when the push was judged
 * @param lastDeployed the last commit deployed from the repository on the host
 * @param reason {@link #NOT_A_DESCENDANT} or {@link #UNKNOWN_COMMIT}
 * @param message for a person: what was not deployed, why, and how to deploy it on purpose
 * @param deliveryId the forge's delivery id of the webhook ({@code X-Forgejo-Delivery})
 */
public record CommitStale(
        String host,
        String repository,
        String branch,
        String after,
        String branchHead,
        String lastDeployed,
        String reason,
        String message,
        String deliveryId) {

    /** {@code after} is in the repository but neither the head nor a descendant of the last deployed commit. */
    public static final String NOT_A_DESCENDANT = "not-a-descendant";

    /** {@code after} is not in the branch's history in the repository at all. */
    public static final String UNKNOWN_COMMIT = "unknown-commit";
}
