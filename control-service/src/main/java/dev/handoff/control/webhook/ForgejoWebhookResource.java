package dev.handoff.control.webhook;

import dev.handoff.common.event.EventEnvelope;
import dev.handoff.common.inventory.Inventory;
import dev.handoff.common.messaging.EventPublisher;
import dev.handoff.common.serde.EventCodec;
import dev.handoff.common.serde.InvalidEventException;
import dev.handoff.control.ControlMetrics;
import dev.handoff.control.config.HandoffConfig;
import dev.handoff.control.kafka.KafkaClients;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.jboss.logging.Logger;

/**
 * Forgejo push webhook ingress. Order matters: size, then signature over the raw bytes, then parsing, routing and the
 * freshness of the commit per host; a delivery is answered 202 only after Kafka acknowledged its events. Nothing is
 * published for any refused request, and a push that would roll a host back publishes only its {@code commit.stale}.
 */
@Path("/hooks/forgejo")
public class ForgejoWebhookResource {
    private static final Logger LOG = Logger.getLogger(ForgejoWebhookResource.class);

    private final HandoffConfig config;
    private final WebhookSignature signature;
    private final PushRouting routing;
    private final EventPublisher publisher;
    private final DeliveryLog deliveries;
    private final ControlMetrics metrics;
    private final Inventory inventory;
    private final PushFreshness freshness;

    public ForgejoWebhookResource(
            HandoffConfig config,
            Inventory inventory,
            EventCodec codec,
            EventPublisher publisher,
            DeliveryLog deliveries,
            ControlMetrics metrics,
            PushFreshness freshness) {
        this.config = config;
        this.signature = new WebhookSignature(config.webhook()
                .secret()
                .filter(s -> !s.isBlank())
                .orElseThrow(() -> new IllegalStateException(
                        "handoff.webhook.secret is not set: set HANDOFF_WEBHOOK_SECRET to the secret of the"
                                + " Forgejo webhook")));
        this.routing = new PushRouting(inventory, codec, KafkaClients.SOURCE);
        this.publisher = publisher;
        this.deliveries = deliveries;
        this.metrics = metrics;
        this.inventory = inventory;
        this.freshness = freshness;
    }

    @POST
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(
            summary = "Receive a Forgejo push webhook",
            description = "Verifies the HMAC signature over the raw body, drops repeated deliveries, and publishes"
                    + " one commit.pushed event per host that uses the repository, unless the commit is older than"
                    + " what the host last deployed (then commit.stale). 202 only after Kafka acknowledged them.")
    public Response receive(HttpHeaders headers, byte[] body) {
        byte[] raw = body == null ? new byte[0] : body;
        String deliveryId = firstHeader(headers, "X-Forgejo-Delivery", "X-Gitea-Delivery", "X-GitHub-Delivery");
        if (raw.length > config.webhook().maxBodyBytes()) {
            return refuse(
                    413,
                    "too-large",
                    "the body is " + raw.length + " bytes; deliveries over "
                            + config.webhook().maxBodyBytes() + " bytes are refused",
                    deliveryId);
        }
        String presented = firstHeader(headers, "X-Forgejo-Signature", "X-Gitea-Signature", "X-Hub-Signature-256");
        if (WebhookSignature.missing(presented)) {
            // Forgejo sends the signature headers empty (X-Hub-Signature-256: "sha256=") when the webhook has no secret
            return refuse(
                    401,
                    "missing-signature",
                    "the delivery carries no signature (empty or absent X-Forgejo-Signature): the webhook in Forgejo"
                            + " has no secret; set its secret to HANDOFF_WEBHOOK_SECRET",
                    deliveryId);
        }
        byte[] json;
        if (FormPayload.isForm(headers.getHeaderString(HttpHeaders.CONTENT_TYPE))) {
            Optional<byte[]> payload = FormPayload.payload(raw);
            if (payload.isEmpty()) {
                return refuse(
                        400,
                        "malformed-payload",
                        "a form-encoded delivery must carry the push as its 'payload' field; switch the webhook's"
                                + " content type in Forgejo to application/json, or re-send it",
                        deliveryId);
            }
            json = payload.get();
            // Forgejo signs the JSON it puts in the form; a GitHub-style sender signs the form body itself
            if (!signature.verifies(json, presented) && !signature.verifies(raw, presented)) {
                return refuse(
                        401,
                        "bad-signature",
                        "the signature matches neither the form's payload nor its body: the webhook's secret in"
                                + " Forgejo differs from HANDOFF_WEBHOOK_SECRET",
                        deliveryId);
            }
        } else {
            json = raw;
            if (!signature.verifies(raw, presented)) {
                return refuse(
                        401,
                        "bad-signature",
                        "the signature does not match the body: the webhook's secret in Forgejo differs from"
                                + " HANDOFF_WEBHOOK_SECRET",
                        deliveryId);
            }
        }
        String event = firstHeader(headers, "X-Forgejo-Event", "X-Gitea-Event", "X-GitHub-Event");
        if (event == null) {
            return refuse(
                    400,
                    "missing-event",
                    "no X-Forgejo-Event header: Handoff reads Forgejo push webhooks (event 'push')",
                    deliveryId);
        }
        if (deliveryId == null || deliveryId.isBlank()) {
            return refuse(
                    400, "missing-delivery", "no X-Forgejo-Delivery header: it identifies a delivery", deliveryId);
        }
        if (deliveryId.length() > 200) {
            return refuse(400, "bad-delivery", "X-Forgejo-Delivery is longer than 200 characters", null);
        }
        if (!"push".equals(event)) {
            return answer(
                    200,
                    new WebhookResponse(
                            "ignored",
                            "not-a-push",
                            "event '" + event + "' is not a push; only push events deploy; nothing published",
                            deliveryId,
                            null));
        }
        DeliveryLog.CommitLock commitLock = null;
        try {
            Optional<List<String>> seen = deliveries.accepted(deliveryId);
            if (seen.isPresent()) {
                return answer(
                        200,
                        new WebhookResponse(
                                "duplicate",
                                "repeated-delivery",
                                "delivery " + deliveryId + " was accepted before; nothing published again",
                                deliveryId,
                                seen.get().stream()
                                        .map(id -> new WebhookResponse.DeploymentRef(id, null))
                                        .toList()));
            }
            ForgejoPush push;
            try {
                push = ForgejoPush.parse(json);
            } catch (ForgejoPush.MalformedPushException e) {
                return refuse(400, "malformed-payload", e.getMessage(), deliveryId);
            }
            PushRouting.Decision decision = routing.route(push, deliveryId);
            if (decision instanceof PushRouting.Ignore ignore) {
                return answer(200, new WebhookResponse("ignored", ignore.reason(), ignore.message(), deliveryId, null));
            }
            List<EventEnvelope> routed = ((PushRouting.Deploy) decision).events();
            Map<String, PushFreshness.Verdict> verdicts;
            try {
                verdicts = freshness.enabled()
                        ? freshness.judge(
                                inventory.repository(push.repository()).orElseThrow(),
                                push.after(),
                                routed.stream().map(EventEnvelope::subject).toList())
                        : Map.of();
            } catch (RepositoryUnreachableException e) {
                LOG.errorf("delivery %s: %s", deliveryId, e.getMessage());
                return unavailable(
                        "repository-unreachable",
                        "cannot tell whether commit " + push.after() + " is newer than what its hosts run: "
                                + e.getMessage() + "; nothing published, Forgejo may redeliver later",
                        deliveryId);
            }
            // from here to recording the delivery, no reconciliation or other delivery publishes this commit
            commitLock = deliveries.lockCommit(push.repository(), push.after());
            Map<String, String> before = deliveries.deployedBefore(push.repository(), push.after());
            List<EventEnvelope> stale = new ArrayList<>();
            List<EventEnvelope> events = new ArrayList<>();
            for (EventEnvelope e : routed) {
                PushFreshness.Verdict verdict = verdicts.getOrDefault(e.subject(), new PushFreshness.Fresh());
                if (verdict instanceof PushFreshness.Stale s) {
                    stale.add(routing.stale(push, deliveryId, e.subject(), s));
                } else if (verdict instanceof PushFreshness.Fresh && !before.containsKey(e.deploymentId())) {
                    events.add(e);
                }
            }
            if (events.isEmpty() && stale.isEmpty()) {
                List<String> existing =
                        routed.stream().map(EventEnvelope::deploymentId).toList();
                deliveries.record(deliveryId, push.repository(), push.after(), existing);
                String earlier = before.isEmpty()
                        ? "by a replay"
                        : "by delivery " + before.values().iterator().next();
                LOG.infof(
                        "delivery %s: %s@%s was deployed before (%s): nothing published; Forgejo's clone_url %s is"
                                + " not used",
                        deliveryId, push.repository(), push.after(), earlier, push.cloneUrl());
                return answer(
                        200,
                        new WebhookResponse(
                                "duplicate",
                                "repeated-commit",
                                "commit " + push.after() + " of " + push.repository() + " already has a deployment on"
                                        + " every host that deploys it (" + earlier + "); nothing published. To deploy"
                                        + " it again on purpose, replay it (handoffctl replay)",
                                deliveryId,
                                routed.stream()
                                        .map(e -> new WebhookResponse.DeploymentRef(e.deploymentId(), e.subject()))
                                        .toList()));
            }
            List<EventEnvelope> published = new ArrayList<>(events);
            published.addAll(stale);
            publisher.publishDeploymentStarts(
                    published, "webhook", config.webhook().ackTimeout());
            List<String> ids =
                    events.stream().map(EventEnvelope::deploymentId).distinct().toList();
            // a stale delivery deployed nothing: it must not count as the host's last deployment
            deliveries.record(deliveryId, push.repository(), push.after(), ids);
            stale.forEach(e -> LOG.warnf(
                    "delivery %s: stale push not deployed: %s",
                    deliveryId, e.data().path("message").asText()));
            if (events.isEmpty()) {
                return answer(
                        200,
                        new WebhookResponse(
                                "ignored",
                                "stale",
                                stale.get(0).data().path("message").asText()
                                        + (stale.size() > 1 ? " (and " + (stale.size() - 1) + " more host(s))" : "")
                                        + "; recorded as a stale deployment, nothing deployed",
                                deliveryId,
                                stale.stream()
                                        .map(e -> new WebhookResponse.DeploymentRef(e.deploymentId(), e.subject()))
                                        .toList()));
            }
            LOG.infof(
                    "delivery %s: %s@%s → %d deployment(s) %s (fetched from handoff.yaml's URL; Forgejo's clone_url %s"
                            + " is information only)",
                    deliveryId, push.repository(), push.after(), ids.size(), ids, push.cloneUrl());
            int skipped = routed.size() - events.size() - stale.size();
            return answer(
                    202,
                    new WebhookResponse(
                            "accepted",
                            "published",
                            "published " + events.size() + " commit.pushed event(s)"
                                    + (skipped > 0
                                            ? "; " + skipped + " host(s) already had a deployment of this commit"
                                            : "")
                                    + (stale.isEmpty()
                                            ? ""
                                            : "; " + stale.size() + " host(s) run a newer commit and did not get it"
                                                    + " (stale: "
                                                    + stale.stream()
                                                            .map(EventEnvelope::subject)
                                                            .toList()
                                                    + ")"),
                            deliveryId,
                            events.stream()
                                    .map(e -> new WebhookResponse.DeploymentRef(e.deploymentId(), e.subject()))
                                    .toList()));
        } catch (InvalidEventException e) {
            LOG.errorf("delivery %s: built an event that breaks the contract: %s", deliveryId, e.getMessage());
            return refuse(500, "contract-violation", "internal error: " + e.getMessage(), deliveryId);
        } catch (EventPublisher.PublishException e) {
            LOG.errorf("delivery %s: %s", deliveryId, e.getMessage());
            return unavailable("kafka-unavailable", e.getMessage() + "; Forgejo may redeliver later", deliveryId);
        } catch (SQLException e) {
            LOG.errorf("delivery %s: database error: %s", deliveryId, e.getMessage());
            return unavailable(
                    "database-unavailable", "cannot reach PostgreSQL; redeliver later: " + e.getMessage(), deliveryId);
        } finally {
            release(commitLock, deliveryId);
        }
    }

    private static void release(DeliveryLog.CommitLock lock, String deliveryId) {
        if (lock == null) {
            return;
        }
        try {
            lock.close();
        } catch (SQLException e) {
            // the lock ends with its connection's session, which the pool closes when it is broken
            LOG.warnf("delivery %s: releasing the commit lock failed: %s", deliveryId, e.getMessage());
        }
    }

    private Response refuse(int status, String reason, String message, String deliveryId) {
        LOG.warnf("webhook refused (%d %s) delivery=%s: %s", status, reason, deliveryId, message);
        metrics.webhook("refused", reason);
        return Response.status(status)
                .entity(new WebhookResponse("refused", reason, message, deliveryId, null))
                .type(MediaType.APPLICATION_JSON)
                .build();
    }

    private Response unavailable(String reason, String message, String deliveryId) {
        metrics.webhook("refused", reason);
        return Response.status(503)
                .header("Retry-After", "10")
                .entity(new WebhookResponse("refused", reason, message, deliveryId, null))
                .type(MediaType.APPLICATION_JSON)
                .build();
    }

    private Response answer(int status, WebhookResponse response) {
        metrics.webhook(response.status(), response.reason());
        return Response.status(status)
                .entity(response)
                .type(MediaType.APPLICATION_JSON)
                .build();
    }

    private static String firstHeader(HttpHeaders headers, String... names) {
        for (String name : names) {
            String v = headers.getHeaderString(name);
            if (v != null && !v.isBlank()) {
                return v.trim();
            }
        }
        return null;
    }
}
