package dev.handoff.workload.driver;

import dev.handoff.workload.stage.RustdeskKey;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * workload-service's database (Flyway {@code V1__workload.sql}): the RustDesk key fingerprint last verified per host and data dir ({@code rustdesk_keys}). Fingerprints and public keys
 * only.
 */
public final class WorkloadStore {
    private final DataSource dataSource;

    public WorkloadStore(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** The RustDesk key last verified for {@code host} and {@code dataDir}. */
    public Optional<RustdeskKey.Known> rustdeskKey(String host, String dataDir) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement("SELECT fingerprint, rotation, verified_at FROM rustdesk_keys"
                        + " WHERE host = ? AND data_dir = ?")) {
            s.setString(1, host);
            s.setString(2, dataDir);
            try (ResultSet r = s.executeQuery()) {
                return r.next()
                        ? Optional.of(new RustdeskKey.Known(
                                r.getString(1),
                                r.getString(2),
                                r.getTimestamp(3).toInstant()))
                        : Optional.empty();
            }
        }
    }

    /** Records the verified RustDesk key of {@code host} and {@code dataDir}. */
    public void keepRustdeskKey(String host, String dataDir, String fingerprint, String rotation, Instant at)
            throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement("INSERT INTO rustdesk_keys (host, data_dir, fingerprint,"
                        + " rotation, first_seen, verified_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (host, data_dir)"
                        + " DO UPDATE SET fingerprint = EXCLUDED.fingerprint, rotation = EXCLUDED.rotation,"
                        + " first_seen = CASE WHEN rustdesk_keys.fingerprint = EXCLUDED.fingerprint"
                        + " THEN rustdesk_keys.first_seen ELSE EXCLUDED.first_seen END,"
                        + " verified_at = EXCLUDED.verified_at")) {
            s.setString(1, host);
            s.setString(2, dataDir);
            s.setString(3, fingerprint);
            s.setString(4, rotation);
            s.setTimestamp(5, Timestamp.from(at));
            s.setTimestamp(6, Timestamp.from(at));
            s.executeUpdate();
        }
    }
}
