package dev.handoff.common.lock;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * A per-host lock across every instance of a stage: a PostgreSQL session advisory lock on a 64-bit hash of
 * {@code handoff-<stage>:<host>}, taken on a dedicated connection and held for as long as one host's run lasts. A second
 * run for the same host (another consumer thread, another instance in the group) waits for it — later runs queue,
 * nothing is dropped — while runs for other hosts go on. Closing the {@link Held} unlocks and returns the connection;
 * if the process dies, PostgreSQL ends the session and the lock goes with it.
 *
 * <p>Only {@code java.sql}: each service brings its own pool (Agroal) and PostgreSQL driver. Used by secrets-service
 * (stage {@code secrets}) and converge-service (stage {@code converge}); see docs/secrets-service.md.
 */
public final class HostLock {
    private static final String LOCK = "SELECT pg_advisory_lock(hashtextextended(?, 5))";
    private static final String TRY_LOCK = "SELECT pg_try_advisory_lock(hashtextextended(?, 5))";
    private static final String UNLOCK = "SELECT pg_advisory_unlock(hashtextextended(?, 5))";

    private final DataSource dataSource;
    private final String stage;
    private final Waits waits;

    /** Told how long each {@link #acquire} waited until the lock was held (metrics). */
    @FunctionalInterface
    public interface Waits {
        void waited(Duration waited);
    }

    /**
     * @param dataSource the stage's own database
     * @param stage the namespace of the keys, e.g. {@code secrets}: stages never wait for each other
     */
    public HostLock(DataSource dataSource, String stage) {
        this(dataSource, stage, waited -> {});
    }

    /** As {@link #HostLock(DataSource, String)}, telling {@code waits} how long each acquisition waited. */
    public HostLock(DataSource dataSource, String stage, Waits waits) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        this.stage = Objects.requireNonNull(stage, "stage");
        this.waits = Objects.requireNonNull(waits, "waits");
    }

    /** A held lock; {@link #close()} releases it (in a finally block or try-with-resources). */
    public interface Held extends AutoCloseable {
        /** The host whose lock this is. */
        String host();

        @Override
        void close();
    }

    /**
     * Blocks until the lock of {@code host} is held. An interrupt does not end the wait (JDBC cannot be interrupted);
     * the wait ends when the holder releases, or with an {@link SQLException} when the connection fails.
     */
    public Held acquire(String host) throws SQLException {
        String key = key(host);
        long asked = System.nanoTime();
        Connection connection = dataSource.getConnection();
        try {
            connection.setAutoCommit(true);
            try (PreparedStatement s = connection.prepareStatement(LOCK)) {
                s.setString(1, key);
                s.execute();
            }
        } catch (SQLException | RuntimeException e) {
            connection.close();
            throw e;
        }
        waits.waited(Duration.ofNanos(System.nanoTime() - asked));
        return held(host, key, connection);
    }

    /**
     * The lock of {@code host} if no one holds it now, else empty at once (a scheduled check skips a host that a run is
     * working on rather than queue behind it).
     */
    public Optional<Held> tryAcquire(String host) throws SQLException {
        String key = key(host);
        Connection connection = dataSource.getConnection();
        boolean locked = false;
        try {
            connection.setAutoCommit(true);
            try (PreparedStatement s = connection.prepareStatement(TRY_LOCK)) {
                s.setString(1, key);
                try (var rs = s.executeQuery()) {
                    locked = rs.next() && rs.getBoolean(1);
                }
            }
        } finally {
            if (!locked) {
                connection.close();
            }
        }
        return locked ? Optional.of(held(host, key, connection)) : Optional.empty();
    }

    private static Held held(String host, String key, Connection connection) {
        return new Held() {
            private boolean released;

            @Override
            public String host() {
                return host;
            }

            @Override
            public synchronized void close() {
                if (released) {
                    return;
                }
                released = true;
                boolean unlocked = false;
                try (PreparedStatement s = connection.prepareStatement(UNLOCK)) {
                    s.setString(1, key);
                    try (var rs = s.executeQuery()) {
                        unlocked = rs.next() && rs.getBoolean(1);
                    }
                } catch (SQLException | RuntimeException e) {
                    unlocked = false;
                } finally {
                    if (!unlocked) {
                        // never hand a session that may still hold the lock back to the pool: end it, and
                        // PostgreSQL drops its advisory locks with it. The physical connection: a pool's wrapper
                        // (Agroal's) only detaches itself on abort() and would lend the session out again; the pool
                        // drops the dead one when it validates it
                        try {
                            connection.unwrap(Connection.class).abort(Runnable::run);
                        } catch (SQLException | RuntimeException ignored) {
                            // closing below is the last resort
                        }
                    }
                    try {
                        connection.close();
                    } catch (SQLException ignored) {
                        // the session is gone either way
                    }
                }
            }
        };
    }

    /** The text whose hash is the advisory lock key: {@code handoff-<stage>:<host>}. */
    public String key(String host) {
        return "handoff-" + stage + ":" + Objects.requireNonNull(host, "host");
    }
}
