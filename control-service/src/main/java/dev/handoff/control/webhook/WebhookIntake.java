package dev.handoff.control.webhook;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.handoff.common.serde.Json;
import dev.handoff.control.ControlMetrics;
import dev.handoff.control.config.HandoffConfig;
import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.logging.Logger;

/**
 * Bounds what the webhook reads before it can check a signature: a delivery that announces a body over
 * {@code handoff.webhook.max-body-bytes} is answered 413, and one that arrives while
 * {@code handoff.webhook.max-in-flight} deliveries are being handled is answered 503 with Retry-After; both before a
 * byte of the body is read, and nothing is published for either.
 */
@ApplicationScoped
public class WebhookIntake {
    /** The webhook's path, as {@code ForgejoWebhookResource} serves it. */
    static final String PATH = "/hooks/forgejo";
    /** Seconds a sender is asked to wait when too many deliveries are in flight. */
    static final int RETRY_AFTER_SECONDS = 5;

    private static final Logger LOG = Logger.getLogger(WebhookIntake.class);
    /** Before the JAX-RS handler reads the body; after Quarkus' own early filters. */
    private static final int PRIORITY = 100;

    private final long maxBodyBytes;
    private final int maxInFlight;
    private final ControlMetrics metrics;
    private final AtomicInteger inFlight = new AtomicInteger();

    public WebhookIntake(HandoffConfig config, ControlMetrics metrics) {
        this.maxBodyBytes = config.webhook().maxBodyBytes();
        this.maxInFlight = config.webhook().maxInFlight();
        this.metrics = metrics;
        if (maxInFlight < 1) {
            throw new IllegalStateException(
                    "handoff.webhook.max-in-flight (HANDOFF_WEBHOOK_MAX_IN_FLIGHT) must be at least 1");
        }
    }

    void register(@Observes Filters filters) {
        filters.register(this::intake, PRIORITY);
    }

    /** How many deliveries are being handled now. */
    int inFlight() {
        return inFlight.get();
    }

    private void intake(RoutingContext rc) {
        if (rc.request().method() != HttpMethod.POST || !isWebhook(rc.normalizedPath())) {
            rc.next();
            return;
        }
        String delivery = rc.request().getHeader("X-Forgejo-Delivery");
        long announced = contentLength(rc.request().getHeader(HttpHeaders.CONTENT_LENGTH));
        if (announced > maxBodyBytes) {
            refuse(
                    rc,
                    413,
                    "too-large",
                    "the body is " + announced + " bytes; deliveries over " + maxBodyBytes
                            + " bytes are refused (HANDOFF_WEBHOOK_MAX_BODY_BYTES)",
                    delivery);
            return;
        }
        if (inFlight.incrementAndGet() > maxInFlight) {
            inFlight.decrementAndGet();
            rc.response().putHeader("Retry-After", Integer.toString(RETRY_AFTER_SECONDS));
            refuse(
                    rc,
                    503,
                    "too-many-in-flight",
                    maxInFlight + " deliveries are being handled already (HANDOFF_WEBHOOK_MAX_IN_FLIGHT); redeliver in "
                            + RETRY_AFTER_SECONDS + " s",
                    delivery);
            return;
        }
        rc.addEndHandler(done -> inFlight.decrementAndGet());
        rc.next();
    }

    private void refuse(RoutingContext rc, int status, String reason, String message, String delivery) {
        LOG.warnf("webhook refused (%d %s) before reading its body: %s", status, reason, message);
        metrics.webhook("refused", reason);
        String body;
        try {
            body = Json.mapper()
                    .writeValueAsString(new WebhookResponse(
                            "refused",
                            reason,
                            message,
                            delivery == null || delivery.length() > 200 ? null : delivery,
                            null));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a webhook answer", e);
        }
        // the body is never read: close the connection rather than let the client go on sending it
        rc.response()
                .setStatusCode(status)
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .putHeader(HttpHeaders.CONNECTION, "close")
                .end(body);
    }

    private static boolean isWebhook(String path) {
        return PATH.equals(path) || (PATH + "/").equals(path);
    }

    private static long contentLength(String header) {
        if (header == null) {
            return -1;
        }
        try {
            return Long.parseLong(header.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
