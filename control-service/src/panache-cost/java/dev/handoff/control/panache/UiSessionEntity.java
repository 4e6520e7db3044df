package dev.handoff.control.panache;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.OffsetDateTime;

/** bench/run-panache-cost only (ADR 0008): control-service's UI sessions as a Panache entity, to measure its cost. */
@Entity
@Table(name = "ui_session")
public class UiSessionEntity extends PanacheEntityBase {
    @Id
    @Column(name = "id_sha256")
    public String idSha256;

    public String name;
    public String role;

    @Column(name = "last_used")
    public OffsetDateTime lastUsed;
}
