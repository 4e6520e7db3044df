package dev.handoff.control.panache;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.OffsetDateTime;

/** bench/run-panache-cost only (ADR 0008): the webhook deliveries as a Panache entity, to measure its cost. */
@Entity
@Table(name = "webhook_delivery")
public class WebhookDeliveryEntity extends PanacheEntityBase {
    @Id
    @Column(name = "delivery_id")
    public String deliveryId;

    @Column(name = "received_at")
    public OffsetDateTime receivedAt;

    public String repository;

    @Column(name = "commit_sha")
    public String commitSha;
}
