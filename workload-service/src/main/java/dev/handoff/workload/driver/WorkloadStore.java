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
 * workload-service's database (Flyway {@code V1__workload.sql}): pinned SSH host keys ({@code host_keys}) and the
 * RustDesk key fingerprint last verified per host and data dir ({@code rustdesk_keys}). Fingerprints and public keys
 * only.
 */
public final class WorkloadStore implements HostKeyPins {
    private final DataSource dataSource;

    public WorkloadStore(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    @Override
    public Optional<Pin> pinned(String host) {
        try (Connection c = dataSource.getConnection();
                PreparedStatement s =
                        c.prepareStatement("SELECT key_type, public_key, fingerprint FROM host_keys WHERE host = ?")) {
            s.setString(1, host);
            try (ResultSet r = s.executeQuery()) {
                return r.next()
                        ? Optional.of(new Pin(r.getString(1), r.getString(2), r.getString(3)))
                        : Optional.empty();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the pinned host key of " + host + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void pin(String host, Pin pin) {
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement("INSERT INTO host_keys (host, key_type, public_key,"
                        + " fingerprint) VALUES (?, ?, ?, ?) ON CONFLICT (host) DO NOTHING")) {
            s.setString(1, host);
            s.setString(2, pin.keyType());
            s.setString(3, pin.publicKey());
            s.setString(4, pin.fingerprint());
            s.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("cannot pin the host key of " + host + ": " + e.getMessage(), e);
        }
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
