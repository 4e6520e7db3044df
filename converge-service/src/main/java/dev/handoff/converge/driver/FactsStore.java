package dev.handoff.converge.driver;

import com.fasterxml.jackson.databind.JsonNode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * converge-service's PostgreSQL state: the newest cloud and secret facts per host (an older event never replaces a
 * newer one), whether a host has reached its steady access.
 */
public final class FactsStore {
    /** Kinds of facts kept. */
    public enum Kind {
        CLOUD("cloud"),
        SECRET("secret");

        private final String column;

        Kind(String column) {
            this.column = column;
        }
    }

    private final DataSource dataSource;

    public FactsStore(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Keeps {@code payload} as the host's facts of {@code kind} unless newer ones are already kept. */
    public void keep(String host, Kind kind, String eventId, Instant time, JsonNode payload) throws SQLException {
        String sql = "INSERT INTO host_facts (host, kind, event_id, event_time, payload) VALUES (?, ?, ?, ?, ?::jsonb)"
                + " ON CONFLICT (host, kind) DO UPDATE SET event_id = EXCLUDED.event_id,"
                + " event_time = EXCLUDED.event_time, payload = EXCLUDED.payload"
                + " WHERE host_facts.event_time <= EXCLUDED.event_time";
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, host);
            s.setString(2, kind.column);
            s.setString(3, eventId);
            s.setTimestamp(4, Timestamp.from(time));
            s.setString(5, payload.toString());
            s.executeUpdate();
        }
    }

    /** The newest facts of {@code kind} kept for {@code host}, as JSON. */
    public Optional<String> newest(String host, Kind kind) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement s =
                        c.prepareStatement("SELECT payload::text FROM host_facts WHERE host = ? AND kind = ?")) {
            s.setString(1, host);
            s.setString(2, kind.column);
            try (ResultSet r = s.executeQuery()) {
                return r.next() ? Optional.of(r.getString(1)) : Optional.empty();
            }
        }
    }

    /** Whether {@code host} has converged and answered on its steady address. */
    public boolean steadyReached(String host) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement("SELECT steady_reached FROM host_access WHERE host = ?")) {
            s.setString(1, host);
            try (ResultSet r = s.executeQuery()) {
                return r.next() && r.getBoolean(1);
            }
        }
    }

    /** Records that {@code host} answered on its steady address after converging: steady access from now on. */
    public void markSteady(String host) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement s =
                        c.prepareStatement("INSERT INTO host_access (host, steady_reached) VALUES (?, true)"
                                + " ON CONFLICT (host) DO UPDATE SET steady_reached = true, updated_at = now()")) {
            s.setString(1, host);
            s.executeUpdate();
        }
    }

    /** An infra deployment producing a host's cloud facts. */
    public record InfraRunning(String deploymentId, Instant startedAt) {}

    /** Records that the infra stage started {@code deploymentId} for {@code host} (a newer start replaces an older). */
    public void infraStarted(String host, String deploymentId, Instant time) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement(
                        "INSERT INTO infra_running (host, deployment_id, started_at) VALUES (?, ?, ?)"
                                + " ON CONFLICT (host) DO UPDATE SET deployment_id = EXCLUDED.deployment_id,"
                                + " started_at = EXCLUDED.started_at WHERE infra_running.started_at <= EXCLUDED.started_at")) {
            s.setString(1, host);
            s.setString(2, deploymentId);
            s.setTimestamp(3, Timestamp.from(time));
            s.executeUpdate();
        }
    }

    /** Records that the infra deployment {@code deploymentId} of {@code host} ended (completed, failed, superseded). */
    public void infraEnded(String host, String deploymentId) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement s =
                        c.prepareStatement("DELETE FROM infra_running WHERE host = ? AND deployment_id = ?")) {
            s.setString(1, host);
            s.setString(2, deploymentId);
            s.executeUpdate();
        }
    }

    /** The infra deployment running for {@code host}, if one is. */
    public Optional<InfraRunning> infraRunning(String host) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement s =
                        c.prepareStatement("SELECT deployment_id, started_at FROM infra_running WHERE host = ?")) {
            s.setString(1, host);
            try (ResultSet r = s.executeQuery()) {
                return r.next()
                        ? Optional.of(new InfraRunning(
                                r.getString(1), r.getTimestamp(2).toInstant()))
                        : Optional.empty();
            }
        }
    }

    /**
     * A value that changes whenever any host's kept facts or steady access change: the cache key of what is built from
     * every host's facts (one query over the small tables, instead of three per host).
     */
    public String version() throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement("SELECT (SELECT count(*) || ':' || coalesce(sum(hashtext(host"
                        + " || '/' || kind || '/' || event_id)::bigint), 0) FROM host_facts) || ':' || (SELECT count(*)"
                        + " FROM host_access WHERE steady_reached)");
                ResultSet r = s.executeQuery()) {
            r.next();
            return r.getString(1);
        }
    }

    /** Every host's kept facts and access, read at once. */
    public record HostState(Optional<String> cloud, Optional<String> secret, boolean steady) {}

    /** The kept facts and steady access of every host that has any. */
    public Map<String, HostState> all() throws SQLException {
        Map<String, String> cloud = new HashMap<>();
        Map<String, String> secret = new HashMap<>();
        java.util.Set<String> steady = new java.util.HashSet<>();
        try (Connection c = dataSource.getConnection()) {
            try (PreparedStatement s = c.prepareStatement("SELECT host, kind, payload::text FROM host_facts");
                    ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    (r.getString(2).equals(Kind.CLOUD.column) ? cloud : secret).put(r.getString(1), r.getString(3));
                }
            }
            try (PreparedStatement s = c.prepareStatement("SELECT host FROM host_access WHERE steady_reached");
                    ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    steady.add(r.getString(1));
                }
            }
        }
        java.util.Set<String> hosts = new java.util.HashSet<>(cloud.keySet());
        hosts.addAll(secret.keySet());
        hosts.addAll(steady);
        Map<String, HostState> all = new HashMap<>();
        for (String h : hosts) {
            all.put(
                    h,
                    new HostState(
                            Optional.ofNullable(cloud.get(h)), Optional.ofNullable(secret.get(h)), steady.contains(h)));
        }
        return all;
    }
}
