package dev.handoff.backup.driver;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Optional;
import javax.sql.DataSource;

/** backup-service's database: when {@code restic check} last passed per host and contract, and pinned host keys. */
public final class BackupStore {
    private final DataSource dataSource;

    public BackupStore(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** When the check of {@code host}'s {@code contract} last passed. */
    public Optional<Instant> lastPassedCheck(String host, String contract) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement s =
                        c.prepareStatement("SELECT passed_at FROM restic_checks WHERE host = ? AND contract = ?")) {
            s.setString(1, host);
            s.setString(2, contract);
            try (ResultSet r = s.executeQuery()) {
                return r.next() ? Optional.of(r.getTimestamp(1).toInstant()) : Optional.empty();
            }
        }
    }

    /**
     * Remembers that the check of {@code host}'s {@code contract} passed at {@code at}, covering the repository
     * {@code repository} (a digest of its location, see {@link #lastPassedCheckOfRepository}).
     */
    public void checkPassed(String host, String contract, Instant at, String subset, String repository)
            throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement("INSERT INTO restic_checks (host, contract, passed_at, subset,"
                        + " repository) VALUES (?, ?, ?, ?, ?) ON CONFLICT (host, contract) DO UPDATE SET passed_at ="
                        + " EXCLUDED.passed_at, subset = EXCLUDED.subset, repository = EXCLUDED.repository")) {
            s.setString(1, host);
            s.setString(2, contract);
            s.setTimestamp(3, Timestamp.from(at));
            s.setString(4, subset);
            s.setString(5, repository);
            s.executeUpdate();
        }
    }

    /** When a check of {@code subset} of the repository {@code repository} last passed, for any host sharing it. */
    public Optional<Instant> lastPassedCheckOfRepository(String repository, String subset) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement(
                        "SELECT max(passed_at) FROM restic_checks WHERE repository = ? AND subset = ?")) {
            s.setString(1, repository);
            s.setString(2, subset);
            try (ResultSet r = s.executeQuery()) {
                return r.next() && r.getTimestamp(1) != null
                        ? Optional.of(r.getTimestamp(1).toInstant())
                        : Optional.empty();
            }
        }
    }

    /**
     * Forgets the passed checks of the host's contract and of every host sharing its repository, so the next runs
     * check again (after a failed check).
     */
    public void checkFailed(String host, String contract, String repository) throws SQLException {
        // a failed check speaks for the repository: no host sharing it may lean on an earlier pass any more
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement(
                        "DELETE FROM restic_checks WHERE (host = ? AND contract = ?) OR repository = ?")) {
            s.setString(1, host);
            s.setString(2, contract);
            s.setString(3, repository);
            s.executeUpdate();
        }
    }
}
