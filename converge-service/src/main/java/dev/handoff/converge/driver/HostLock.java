package dev.handoff.converge.driver;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import javax.sql.DataSource;

/**
 * A per-host lock across every converge-service instance: a PostgreSQL session advisory lock keyed by the host name,
 * held on its own connection for the whole run. A second run for the same host waits for it; it is not dropped.
 */
public final class HostLock {
    private final DataSource dataSource;

    public HostLock(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** A held lock; closing releases it. */
    public interface Held extends AutoCloseable {
        @Override
        void close();
    }

    /** Blocks until the lock of {@code host} is held. */
    public Held acquire(String host) throws SQLException {
        Connection connection = dataSource.getConnection();
        try (PreparedStatement s = connection.prepareStatement("SELECT pg_advisory_lock(hashtextextended(?, 5))")) {
            s.setString(1, "handoff-converge:" + host);
            s.execute();
        } catch (SQLException e) {
            connection.close();
            throw e;
        }
        return () -> {
            try (connection;
                    PreparedStatement s =
                            connection.prepareStatement("SELECT pg_advisory_unlock(hashtextextended(?, 5))")) {
                s.setString(1, "handoff-converge:" + host);
                s.execute();
            } catch (SQLException e) {
                // closing the connection ends the session, which releases its advisory locks as well
            }
        };
    }
}
