package dev.handoff.converge.panache;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.OffsetDateTime;

/** bench/run-panache-cost only (ADR 0008): converge-service's host_access as a Panache entity. */
@Entity
@Table(name = "host_access")
public class HostAccessEntity extends PanacheEntityBase {
    @Id
    public String host;

    @Column(name = "steady_reached")
    public boolean steadyReached;

    @Column(name = "updated_at")
    public OffsetDateTime updatedAt;
}
