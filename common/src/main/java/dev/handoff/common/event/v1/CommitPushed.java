package dev.handoff.common.event.v1;

import java.time.Instant;
import java.util.List;

/**
 * A push to a configured branch of a repository that a host uses: the start of one deployment of that host.
 *
 * @param host the host this deployment converges (also the Kafka key and CloudEvents subject)
 * @param repository the repository's full name on the forge, e.g. {@code ops/edge-cluster-infra}
 * @param ref the pushed ref, e.g. {@code refs/heads/main}
 * @param branch the branch name from {@code ref}
 * @param before the commit the branch pointed at before the push
 * @param after the pushed commit: what the deployment rolls out
 * @param stage the stage that owns the repository ({@code starts:} in handoff.yaml)
 * @param cloneUrl where the stage checks the commit out from
 * @param compareUrl the forge's compare page for the push, if it sent one
 * @param pusher the forge user who pushed
 * @param deliveryId the forge's delivery id of the webhook ({@code X-Forgejo-Delivery})
 * @param commitCount how many commits the push carried
 * @param headCommit the newest commit of the push
 * @param trigger {@value #RECONCILIATION} when control-service found the commit by reading the branch (no webhook
 *     delivered it); absent (null) for a webhook's push
 */
public record CommitPushed(
        String host,
        String repository,
        String ref,
        String branch,
        String before,
        String after,
        String stage,
        String cloneUrl,
        String compareUrl,
        String pusher,
        String deliveryId,
        int commitCount,
        HeadCommit headCommit,
        String trigger) {

    /** What published a push Forgejo delivered. */
    public static final String WEBHOOK = "webhook";
    /** What published a branch head control-service found by reading the repository ({@code trigger}). */
    public static final String RECONCILIATION = "reconciliation";

    /** A push delivered by a webhook (no {@code trigger} written: absent means webhook). */
    public CommitPushed(
            String host,
            String repository,
            String ref,
            String branch,
            String before,
            String after,
            String stage,
            String cloneUrl,
            String compareUrl,
            String pusher,
            String deliveryId,
            int commitCount,
            HeadCommit headCommit) {
        this(
                host,
                repository,
                ref,
                branch,
                before,
                after,
                stage,
                cloneUrl,
                compareUrl,
                pusher,
                deliveryId,
                commitCount,
                headCommit,
                null);
    }

    /** How the push was found: {@link #WEBHOOK} unless it says {@link #RECONCILIATION}. */
    public String triggeredBy() {
        return trigger == null ? WEBHOOK : trigger;
    }

    /** The newest commit of a push, as the forge described it. */
    public record HeadCommit(
            String id,
            String message,
            Instant timestamp,
            String authorName,
            String authorEmail,
            List<String> added,
            List<String> modified,
            List<String> removed) {}
}
