package dev.handoff.control.webhook;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * The answer to a webhook delivery.
 *
 * @param status {@code accepted}, {@code ignored}, {@code duplicate} or {@code refused}
 * @param reason a stable code, e.g. {@code bad-signature}
 * @param message for a person: what happened and what to do
 * @param deliveryId the delivery id, when one was sent
 * @param deployments the deployments started (or started before, for a duplicate)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record WebhookResponse(
        String status, String reason, String message, String deliveryId, List<DeploymentRef> deployments) {

    /**
     * A deployment started by a delivery.
     *
     * @param id the deployment id
     * @param host the host it deploys
     */
    public record DeploymentRef(String id, String host) {}
}
