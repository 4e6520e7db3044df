package dev.handoff.lab;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * A PostgreSQL outage of the lab's databases, for drills ({@code ./handoff stop|start postgres}). An embedded server,
 * the lab's own process, is really stopped and started again on the same port with the same data. A server the lab
 * shares (the local one, or {@code HANDOFF_PG_URL}) keeps running for everyone else: only the lab's databases go away,
 * as a database server does for its clients when it stops: their sessions are ended ({@code pg_terminate_backend}) and
 * new ones refused ({@code ALTER DATABASE … ALLOW_CONNECTIONS false}) until the outage ends.
 */
public final class PostgresOutage {
    private final LabPostgres postgres;
    private final List<String> databases;

    /**
     * @param postgres the lab's server
     * @param databases the lab's databases on it
     */
    public PostgresOutage(LabPostgres postgres, List<String> databases) {
        this.postgres = postgres;
        this.databases = List.copyOf(databases);
    }

    /** Whether the outage is on: the embedded server stopped, or the lab's databases refusing connections. */
    public boolean on() {
        if (postgres.kind() == PostgresServerChoice.Kind.EMBEDDED) {
            return postgres.embeddedStopped();
        }
        return !refusing().isEmpty();
    }

    /** Begins the outage; returns what it did, in a sentence. */
    public String begin() {
        if (postgres.kind() == PostgresServerChoice.Kind.EMBEDDED) {
            postgres.close();
            return "Stopped the lab's embedded PostgreSQL server on " + postgres.address()
                    + ": the services' connections are gone and new ones are refused.";
        }
        try (Connection c = postgres.adminConnectionForOutage()) {
            List<String> paused = new ArrayList<>();
            for (String database : existing(c)) {
                try (Statement s = c.createStatement()) {
                    s.execute("ALTER DATABASE \"" + database + "\" ALLOW_CONNECTIONS false");
                }
                paused.add(database);
            }
            int ended;
            try (PreparedStatement q = c.prepareStatement("SELECT count(pg_terminate_backend(pid)) FROM"
                    + " pg_stat_activity WHERE datname = ANY(?) AND pid <> pg_backend_pid()")) {
                q.setArray(1, names(c, paused));
                try (ResultSet rs = q.executeQuery()) {
                    ended = rs.next() ? rs.getInt(1) : 0;
                }
            }
            return "Paused the lab's databases on the shared server " + postgres.address()
                    + " (it keeps running for its other users): ended " + ended + " sessions of "
                    + String.join(", ", paused) + " and refused new ones (ALLOW_CONNECTIONS false).";
        } catch (SQLException e) {
            throw failed("pause the lab's databases", e);
        }
    }

    /** Ends the outage; returns what it did, in a sentence. */
    public String end() {
        if (postgres.kind() == PostgresServerChoice.Kind.EMBEDDED) {
            postgres.startEmbeddedAgain();
            return "Started the lab's embedded PostgreSQL server again on " + postgres.address()
                    + " with its data: the services can connect again.";
        }
        List<String> resumed = allowAll();
        return "Resumed the lab's databases on the shared server " + postgres.address() + ": "
                + String.join(", ", resumed) + " accept connections again (ALLOW_CONNECTIONS true).";
    }

    /**
     * Ends an outage a lab that is gone left behind (it stopped or died while its databases refused connections):
     * returns the databases that refused them, now allowed again.
     */
    public List<String> endLeftOver() {
        if (postgres.kind() == PostgresServerChoice.Kind.EMBEDDED) {
            return List.of();
        }
        List<String> refusing = refusing();
        if (!refusing.isEmpty()) {
            allowAll();
        }
        return refusing;
    }

    private List<String> allowAll() {
        try (Connection c = postgres.adminConnectionForOutage()) {
            List<String> resumed = new ArrayList<>();
            for (String database : existing(c)) {
                try (Statement s = c.createStatement()) {
                    s.execute("ALTER DATABASE \"" + database + "\" ALLOW_CONNECTIONS true");
                }
                resumed.add(database);
            }
            return resumed;
        } catch (SQLException e) {
            throw failed("resume the lab's databases", e);
        }
    }

    /** The lab's databases that refuse connections now. */
    private List<String> refusing() {
        try (Connection c = postgres.adminConnectionForOutage();
                PreparedStatement q = c.prepareStatement(
                        "SELECT datname FROM pg_database WHERE datname = ANY(?) AND NOT datallowconn ORDER BY 1")) {
            q.setArray(1, names(c, databases));
            return column(q);
        } catch (SQLException e) {
            throw failed("read which lab databases accept connections", e);
        }
    }

    private List<String> existing(Connection c) throws SQLException {
        try (PreparedStatement q = c.prepareStatement("SELECT datname FROM pg_database WHERE datname = ANY(?)")) {
            q.setArray(1, names(c, databases));
            List<String> found = column(q);
            // in the lab's order, which is the services' order
            return databases.stream().filter(found::contains).toList();
        }
    }

    private static List<String> column(PreparedStatement q) throws SQLException {
        List<String> values = new ArrayList<>();
        try (ResultSet rs = q.executeQuery()) {
            while (rs.next()) {
                values.add(rs.getString(1));
            }
        }
        return values;
    }

    private static Array names(Connection c, List<String> names) throws SQLException {
        return c.createArrayOf("text", names.toArray());
    }

    private IllegalStateException failed(String what, SQLException e) {
        return new IllegalStateException(
                "PostgreSQL: cannot " + what + " on " + postgres.address() + ": " + e.getMessage()
                        + ". Is the server running? (" + PostgresServerChoice.START_HINT + ")",
                e);
    }
}
