package dev.handoff.backup.panache;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;
import java.io.Serializable;
import java.time.OffsetDateTime;
import java.util.Objects;

/** bench/run-panache-cost only (ADR 0008): backup-service's restic_checks as a Panache entity. */
@Entity
@Table(name = "restic_checks")
@IdClass(ResticCheckEntity.Key.class)
public class ResticCheckEntity extends PanacheEntityBase {
    @Id
    public String host;

    @Id
    public String contract;

    @Column(name = "passed_at")
    public OffsetDateTime passedAt;

    public String subset;

    /** The composite key. */
    public static class Key implements Serializable {
        public String host;
        public String contract;

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && Objects.equals(host, k.host) && Objects.equals(contract, k.contract);
        }

        @Override
        public int hashCode() {
            return Objects.hash(host, contract);
        }
    }
}
