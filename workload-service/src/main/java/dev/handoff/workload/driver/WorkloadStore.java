package dev.handoff.workload.driver;

import dev.handoff.workload.stage.RustdeskKey;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * workload-service's database (Flyway {@code db/migration}): the RustDesk key fingerprint last verified per host and
 * data dir ({@code rustdesk_keys}), and the hosts the scheduled check watches with the drift it last reported for each
 * ({@code watched_hosts}). Fingerprints and public keys only.
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

    /** Watches {@code host} from its verification by {@code deploymentId} on, forgetting any drift reported before. */
    public void verified(String host, String deploymentId, Instant at) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement("INSERT INTO watched_hosts (host, deployment_id, verified_at)"
                        + " VALUES (?, ?, ?) ON CONFLICT (host) DO UPDATE SET deployment_id = EXCLUDED.deployment_id,"
                        + " verified_at = EXCLUDED.verified_at, drift_reported = NULL, drift_reported_at = NULL")) {
            s.setString(1, host);
            s.setString(2, deploymentId);
            s.setTimestamp(3, Timestamp.from(at));
            s.executeUpdate();
        }
    }

    /** Stops watching {@code host}: its newest run failed, and that failure is what the ledger shows for it. */
    public void unverified(String host) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement("DELETE FROM watched_hosts WHERE host = ?")) {
            s.setString(1, host);
            s.executeUpdate();
        }
    }

    /**
     * A host the scheduled check watches.
     *
     * @param host the host
     * @param verifiedAt when its newest run completed
     * @param driftReported the fingerprint of the drift last reported for it, if one stands
     */
    public record Watched(String host, Instant verifiedAt, Optional<String> driftReported) {}

    /** Every watched host, by name. */
    public List<Watched> watched() throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement(
                        "SELECT host, verified_at, drift_reported FROM watched_hosts ORDER BY host");
                ResultSet r = s.executeQuery()) {
            List<Watched> out = new ArrayList<>();
            while (r.next()) {
                out.add(new Watched(
                        r.getString(1), r.getTimestamp(2).toInstant(), Optional.ofNullable(r.getString(3))));
            }
            return out;
        }
    }

    /** The watched host {@code host}, if it is watched. */
    public Optional<Watched> watched(String host) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement(
                        "SELECT host, verified_at, drift_reported FROM watched_hosts WHERE host = ?")) {
            s.setString(1, host);
            try (ResultSet r = s.executeQuery()) {
                return r.next()
                        ? Optional.of(new Watched(
                                r.getString(1), r.getTimestamp(2).toInstant(), Optional.ofNullable(r.getString(3))))
                        : Optional.empty();
            }
        }
    }

    /**
     * Sets the drift reported for a watched host ({@code fingerprint} null: none stands). A host no longer watched (a
     * run failed meanwhile) stays unwatched.
     */
    public void driftReported(String host, String fingerprint, Instant at) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement(
                        "UPDATE watched_hosts SET drift_reported = ?, drift_reported_at = ? WHERE host = ?")) {
            s.setString(1, fingerprint);
            s.setTimestamp(2, fingerprint == null ? null : Timestamp.from(at));
            s.setString(3, host);
            s.executeUpdate();
        }
    }
}
