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
import java.util.List;
import java.util.Optional;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.jboss.logging.Logger;

/**
 * Forgejo push webhook ingress. Order matters: size, then signature over the raw bytes, then parsing; a delivery is
 * answered 202 only after Kafka acknowledged its events. Nothing is published for any refused request.
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

    public ForgejoWebhookResource(
            HandoffConfig config,
            Inventory inventory,
            EventCodec codec,
            EventPublisher publisher,
            DeliveryLog deliveries,
            ControlMetrics metrics) {
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
    }

    @POST
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(
            summary = "Receive a Forgejo push webhook",
            description = "Verifies the HMAC signature over the raw body, drops repeated deliveries, and publishes"
                    + " one commit.pushed event per host that uses the repository. 202 only after Kafka"
                    + " acknowledged them.")
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
        if (presented == null) {
            return refuse(
                    401,
                    "missing-signature",
                    "no X-Forgejo-Signature header: set the webhook's secret in Forgejo to HANDOFF_WEBHOOK_SECRET",
                    deliveryId);
        }
        if (!signature.verifies(raw, presented)) {
            return refuse(
                    401,
                    "bad-signature",
                    "the signature does not match the body: the webhook's secret in Forgejo differs from"
                            + " HANDOFF_WEBHOOK_SECRET",
                    deliveryId);
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
                push = ForgejoPush.parse(raw);
            } catch (ForgejoPush.MalformedPushException e) {
                return refuse(400, "malformed-payload", e.getMessage(), deliveryId);
            }
            PushRouting.Decision decision = routing.route(push, deliveryId);
            if (decision instanceof PushRouting.Ignore ignore) {
                return answer(200, new WebhookResponse("ignored", ignore.reason(), ignore.message(), deliveryId, null));
            }
            List<EventEnvelope> events = ((PushRouting.Deploy) decision).events();
            publisher.publishAll(events, config.webhook().ackTimeout());
            List<String> ids =
                    events.stream().map(EventEnvelope::deploymentId).distinct().toList();
            deliveries.record(deliveryId, push.repository(), push.after(), ids);
            LOG.infof(
                    "delivery %s: %s@%s → %d deployment(s) %s",
                    deliveryId, push.repository(), push.after(), ids.size(), ids);
            return answer(
                    202,
                    new WebhookResponse(
                            "accepted",
                            "published",
                            "published " + events.size() + " commit.pushed event(s)",
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
