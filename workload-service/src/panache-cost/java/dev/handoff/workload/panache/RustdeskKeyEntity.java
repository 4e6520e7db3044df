package dev.handoff.workload.panache;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;
import java.io.Serializable;
import java.time.OffsetDateTime;
import java.util.Objects;

/** bench/run-panache-cost only (ADR 0008): workload-service's rustdesk_keys as a Panache entity. */
@Entity
@Table(name = "rustdesk_keys")
@IdClass(RustdeskKeyEntity.Key.class)
public class RustdeskKeyEntity extends PanacheEntityBase {
    @Id
    public String host;

    @Id
    @Column(name = "data_dir")
    public String dataDir;

    public String fingerprint;

    @Column(name = "verified_at")
    public OffsetDateTime verifiedAt;

    /** The composite key. */
    public static class Key implements Serializable {
        public String host;
        public String dataDir;

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && Objects.equals(host, k.host) && Objects.equals(dataDir, k.dataDir);
        }

        @Override
        public int hashCode() {
            return Objects.hash(host, dataDir);
        }
    }
}
