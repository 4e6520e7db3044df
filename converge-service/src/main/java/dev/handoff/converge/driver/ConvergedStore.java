package dev.handoff.converge.driver;

import com.fasterxml.jackson.databind.JsonNode;
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
 * What converge-service last converged on each host ({@code host_converged}): the newest {@code convergence.completed}
 * it published (an older one never replaces a newer one), and the drift its watch reported for it, so that a drift is
 * published once and not at every round. A newer convergence forgets the drift.
 */
public final class ConvergedStore {
    private final DataSource dataSource;

    public ConvergedStore(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * The last convergence of a host.
     *
     * @param host the host
     * @param deploymentId the deployment of its {@code convergence.completed}
     * @param eventId that event's id
     * @param facts its payload ({@code Convergence})
     * @param reportedDrift the fingerprint of the drift reported since, if any
     */
    public record Converged(
            String host, String deploymentId, String eventId, String facts, Optional<String> reportedDrift) {}

    /** Keeps a published {@code convergence.completed} as the host's last convergence unless a newer one is kept. */
    public void keep(String host, String deploymentId, String eventId, Instant time, JsonNode facts)
            throws SQLException {
        String sql = "INSERT INTO host_converged (host, deployment_id, event_id, event_time, payload)"
                + " VALUES (?, ?, ?, ?, ?::jsonb) ON CONFLICT (host) DO UPDATE SET"
                + " deployment_id = EXCLUDED.deployment_id, event_id = EXCLUDED.event_id,"
                + " event_time = EXCLUDED.event_time, payload = EXCLUDED.payload,"
                + " drift_fingerprint = NULL, drift_event_id = NULL, drift_reported_at = NULL"
                + " WHERE host_converged.event_time <= EXCLUDED.event_time"
                + " AND host_converged.event_id <> EXCLUDED.event_id";
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, host);
            s.setString(2, deploymentId);
            s.setString(3, eventId);
            s.setTimestamp(4, Timestamp.from(time));
            s.setString(5, facts.toString());
            s.executeUpdate();
        }
    }

    /** The hosts that have a kept convergence, by name. */
    public List<String> hosts() throws SQLException {
        List<String> hosts = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement("SELECT host FROM host_converged ORDER BY host");
                ResultSet r = s.executeQuery()) {
            while (r.next()) {
                hosts.add(r.getString(1));
            }
        }
        return hosts;
    }

    /** The last convergence of {@code host}, if one is kept. */
    public Optional<Converged> last(String host) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement("SELECT host, deployment_id, event_id, payload::text,"
                        + " drift_fingerprint FROM host_converged WHERE host = ?")) {
            s.setString(1, host);
            try (ResultSet r = s.executeQuery()) {
                return r.next()
                        ? Optional.of(new Converged(
                                r.getString(1),
                                r.getString(2),
                                r.getString(3),
                                r.getString(4),
                                Optional.ofNullable(r.getString(5))))
                        : Optional.empty();
            }
        }
    }

    /** The fingerprint of the drift reported for {@code host} and not cleared since, if any. */
    public Optional<String> reportedDrift(String host) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement s =
                        c.prepareStatement("SELECT drift_fingerprint FROM host_converged WHERE host = ?")) {
            s.setString(1, host);
            try (ResultSet r = s.executeQuery()) {
                return r.next() ? Optional.ofNullable(r.getString(1)) : Optional.empty();
            }
        }
    }

    /**
     * Remembers that the drift {@code fingerprint} of {@code host} was published as {@code eventId} while the host's
     * last convergence is still {@code convergedEventId} (a convergence that completed meanwhile wins).
     */
    public void driftReported(String host, String convergedEventId, String fingerprint, String eventId)
            throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement("UPDATE host_converged SET drift_fingerprint = ?,"
                        + " drift_event_id = ?, drift_reported_at = now() WHERE host = ? AND event_id = ?")) {
            s.setString(1, fingerprint);
            s.setString(2, eventId);
            s.setString(3, host);
            s.setString(4, convergedEventId);
            s.executeUpdate();
        }
    }

    /** Forgets the drift reported for {@code host}: it runs what was converged again. */
    public void driftCleared(String host) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement("UPDATE host_converged SET drift_fingerprint = NULL,"
                        + " drift_event_id = NULL, drift_reported_at = NULL WHERE host = ?"
                        + " AND drift_fingerprint IS NOT NULL")) {
            s.setString(1, host);
            s.executeUpdate();
        }
    }
}
