package dev.handoff.converge.panache;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.OffsetDateTime;

/** bench/run-panache-cost only (ADR 0008): converge-service's infra_running as a Panache entity. */
@Entity
@Table(name = "infra_running")
public class InfraRunningEntity extends PanacheEntityBase {
    @Id
    public String host;

    @Column(name = "deployment_id")
    public String deploymentId;

    @Column(name = "started_at")
    public OffsetDateTime startedAt;
}
