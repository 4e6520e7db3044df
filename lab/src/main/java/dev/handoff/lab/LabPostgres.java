package dev.handoff.lab;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;

/**
 * The PostgreSQL server of the lab and of every module's tests, chosen by {@link PostgresServerChoice}: an existing
 * server, or an embedded one the lab starts. Creates fresh databases on it, so tests never share state.
 */
public final class LabPostgres implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(LabPostgres.class);
    private static final Pattern DATABASE_NAME = Pattern.compile("^[a-z_][a-z0-9_]{0,62}$");
    private static final String ZONKY_CLASS = "io.zonky.test.db.postgres.embedded.EmbeddedPostgres";
    private static final SecureRandom RANDOM = new SecureRandom();
    private static LabPostgres shared;

    private final PostgresServerChoice choice;
    private final String adminJdbcUrl;
    private final String description;
    private final Path embeddedDataDir;
    private Closeable embedded;

    private LabPostgres(PostgresServerChoice choice, String adminJdbcUrl, String description, Closeable embedded) {
        this(choice, adminJdbcUrl, description, embedded, null);
    }

    private LabPostgres(
            PostgresServerChoice choice,
            String adminJdbcUrl,
            String description,
            Closeable embedded,
            Path embeddedDataDir) {
        this.choice = choice;
        this.adminJdbcUrl = adminJdbcUrl;
        this.description = description;
        this.embedded = embedded;
        this.embeddedDataDir = embeddedDataDir;
    }

    /**
     * The server of this JVM's tests, chosen from the process environment on first use; an embedded server gets a
     * temporary data folder and is stopped when the JVM ends.
     */
    public static synchronized LabPostgres shared() {
        if (shared == null) {
            shared = open(
                    ContainerBackend.selected()
                            ? ContainerBackend.postgresEnvironment(System.getenv())
                            : System.getenv(),
                    null);
            if (shared.kind() == PostgresServerChoice.Kind.EMBEDDED) {
                Runtime.getRuntime().addShutdownHook(new Thread(shared::close, "lab-postgres-shutdown"));
            }
        }
        return shared;
    }

    /**
     * Chooses the server from {@code env} and checks that it answers; starts an embedded server if that is the
     * choice.
     *
     * @param embeddedDataDir where an embedded server keeps its data across runs; {@code null} for a temporary folder
     * @throws IllegalStateException if the server does not answer, saying how to start it
     */
    public static LabPostgres open(Map<String, String> env, Path embeddedDataDir) {
        PostgresServerChoice choice =
                PostgresServerChoice.choose(env, RunningUser.isRoot(), embeddedPostgresAvailable());
        LabPostgres postgres = choice.kind() == PostgresServerChoice.Kind.EMBEDDED
                ? EmbeddedServer.start(choice, embeddedDataDir)
                : new LabPostgres(choice, choice.adminJdbcUrl(), choice.reason(), null);
        postgres.checkReachable();
        LOG.info(postgres.description);
        return postgres;
    }

    /** One line saying which server is used and why, e.g. for the launcher's output. */
    public String description() {
        return description;
    }

    /** The server's {@code host:port}, e.g. {@code localhost:5432}. */
    public String address() {
        return adminJdbcUrl.replaceFirst("^jdbc:postgresql://([^/?]+).*$", "$1");
    }

    /** Which kind of server this is. */
    public PostgresServerChoice.Kind kind() {
        return choice.kind();
    }

    /**
     * Creates a new, empty database named {@code <prefix>_<random>} and returns how to reach it.
     *
     * @param prefix lower-case letters, digits and underscores; other characters become underscores
     */
    public LabDatabase createDatabase(String prefix) {
        String clean = prefix.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
        if (clean.isEmpty() || Character.isDigit(clean.charAt(0))) {
            clean = "db_" + clean;
        }
        if (clean.length() > 40) {
            clean = clean.substring(0, 40);
        }
        byte[] random = new byte[5];
        RANDOM.nextBytes(random);
        String name = clean + "_" + HexFormat.of().formatHex(random);
        try (Connection c = adminConnection();
                Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE \"" + name + "\"");
        } catch (SQLException e) {
            throw new IllegalStateException(
                    "PostgreSQL: cannot create database " + name + " (" + description + "): " + e.getMessage(), e);
        }
        LOG.debugf("PostgreSQL: created database %s", name);
        return databaseOf(name);
    }

    /** The database {@code name}, created if it does not exist yet; its content is kept across runs. */
    public DatabaseAndState database(String name) {
        if (!DATABASE_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("not a lab database name (lower-case letters, digits, _): " + name);
        }
        try (Connection c = adminConnection()) {
            boolean exists = exists(c, name);
            if (!exists) {
                try (Statement s = c.createStatement()) {
                    s.execute("CREATE DATABASE \"" + name + "\"");
                }
            }
            return new DatabaseAndState(databaseOf(name), !exists);
        } catch (SQLException e) {
            throw new IllegalStateException(
                    "PostgreSQL: cannot create or open database " + name + " (" + description + "): " + e.getMessage(),
                    e);
        }
    }

    /** Drops a database this lab created, closing whatever connections remain. */
    public void dropDatabase(LabDatabase database) {
        dropDatabase(database.name());
    }

    /** Drops the database {@code name} if it exists, closing whatever connections remain. */
    public void dropDatabase(String name) {
        if (!DATABASE_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("not a lab database name: " + name);
        }
        try (Connection c = adminConnection();
                Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS \"" + name + "\" WITH (FORCE)");
        } catch (SQLException e) {
            LOG.warnf("PostgreSQL: could not drop database %s: %s", name, e.getMessage());
        }
    }

    /**
     * Drops the database {@code name}, left by an earlier lab, if it exists and nobody uses it.
     *
     * @return whether it existed and was dropped
     * @throws IllegalStateException if it is in use (another lab runs on it) or cannot be dropped
     */
    public boolean dropUnused(String name) {
        if (!DATABASE_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("not a lab database name: " + name);
        }
        try (Connection c = adminConnection()) {
            if (!exists(c, name)) {
                return false;
            }
            try (Statement s = c.createStatement()) {
                s.execute("DROP DATABASE \"" + name + "\"");
            }
            return true;
        } catch (SQLException e) {
            if ("55006".equals(e.getSQLState())) {
                throw new DatabaseInUseException(name, description);
            }
            throw new IllegalStateException(
                    "PostgreSQL: cannot drop the earlier lab's database " + name + " (" + description + "): "
                            + e.getMessage(),
                    e);
        }
    }

    /** Whether the database {@code name} exists on this server. */
    public boolean exists(String name) {
        try (Connection c = adminConnection()) {
            return exists(c, name);
        } catch (SQLException e) {
            throw new IllegalStateException(
                    "PostgreSQL: cannot look up database " + name + " (" + description + "): " + e.getMessage(), e);
        }
    }

    /**
     * The comment of the database {@code name} ({@code COMMENT ON DATABASE}, {@code \l+} in psql), if it exists and
     * has one. The lab records there which lab folder a database belongs to.
     */
    public Optional<String> comment(String name) {
        try (Connection c = adminConnection();
                PreparedStatement q = c.prepareStatement(
                        "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = ?")) {
            q.setString(1, name);
            try (ResultSet rs = q.executeQuery()) {
                return rs.next() ? Optional.ofNullable(rs.getString(1)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new IllegalStateException(
                    "PostgreSQL: cannot read the comment of database " + name + " (" + description + "): "
                            + e.getMessage(),
                    e);
        }
    }

    /** Sets the comment of the existing database {@code name} to {@code text}. */
    public void comment(String name, String text) {
        if (!DATABASE_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("not a lab database name: " + name);
        }
        try (Connection c = adminConnection();
                Statement s = c.createStatement()) {
            s.execute("COMMENT ON DATABASE \"" + name + "\" IS '" + text.replace("'", "''") + "'");
        } catch (SQLException e) {
            throw new IllegalStateException(
                    "PostgreSQL: cannot record the owner of database " + name + " (" + description + "): "
                            + e.getMessage(),
                    e);
        }
    }

    /** The server's version, e.g. {@code 15.8 (Debian 15.8-0+deb12u1)}. */
    public String serverVersion() {
        try (Connection c = adminConnection();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SHOW server_version")) {
            return rs.next() ? rs.getString(1) : "unknown";
        } catch (SQLException e) {
            return "unknown (" + e.getMessage() + ")";
        }
    }

    /** A database could not be dropped because a session (another lab, a psql) is connected to it. */
    public static final class DatabaseInUseException extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        private final String database;

        DatabaseInUseException(String database, String server) {
            super("PostgreSQL: the lab database " + database + " (" + server
                    + ") is in use, by another lab or program: stop it, or give this lab databases of its own"
                    + " with HANDOFF_LAB_DATABASE_PREFIX=<name>");
            this.database = database;
        }

        /** The database that is in use. */
        public String database() {
            return database;
        }
    }

    private static boolean exists(Connection c, String name) throws SQLException {
        try (PreparedStatement q = c.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
            q.setString(1, name);
            try (ResultSet rs = q.executeQuery()) {
                return rs.next();
            }
        }
    }

    /** Stops an embedded server; an existing server is left running. */
    @Override
    public synchronized void close() {
        if (embedded != null) {
            try {
                LOG.info("PostgreSQL: stopping the embedded server");
                embedded.close();
            } catch (IOException e) {
                LOG.warnf("PostgreSQL: the embedded server did not stop cleanly: %s", e.getMessage());
            }
            embedded = null;
        }
    }

    /** Whether this is an embedded server that {@link #close()} stopped. */
    synchronized boolean embeddedStopped() {
        return choice.kind() == PostgresServerChoice.Kind.EMBEDDED && embedded == null;
    }

    /**
     * Starts a stopped embedded server again on its port with its data folder, so that the services' JDBC URLs and
     * data hold.
     *
     * @throws IllegalStateException if it keeps its data in a temporary folder, which stopping deleted
     */
    synchronized void startEmbeddedAgain() {
        if (embeddedDataDir == null) {
            throw new IllegalStateException("PostgreSQL: this embedded server kept its data in a temporary folder,"
                    + " deleted when it stopped; it cannot start again with the same databases");
        }
        int port = Integer.parseInt(adminJdbcUrl.replaceFirst("^jdbc:postgresql://[^:/]+:(\\d+)/.*$", "$1"));
        embedded = EmbeddedServer.startAgain(embeddedDataDir, port);
        checkReachable();
    }

    /** The server's maintenance database as the lab's admin user (the drills' outage goes through it). */
    Connection adminConnectionForOutage() throws SQLException {
        return adminConnection();
    }

    /**
     * A database and whether this call created it.
     *
     * @param database how to reach it
     * @param created {@code true} if it did not exist before
     */
    public record DatabaseAndState(LabDatabase database, boolean created) {}

    private LabDatabase databaseOf(String name) {
        return new LabDatabase(
                name, PostgresServerChoice.jdbcUrlOf(adminJdbcUrl, name), choice.username(), choice.password());
    }

    private Connection adminConnection() throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", choice.username());
        props.setProperty("password", choice.password());
        props.setProperty("connectTimeout", "5");
        props.setProperty("ApplicationName", "handoff-lab");
        return LabDatabase.open(adminJdbcUrl, props);
    }

    private void checkReachable() {
        try (Connection c = adminConnection()) {
            c.isValid(5);
        } catch (SQLException e) {
            String where = PostgresServerChoice.withoutQuery(adminJdbcUrl);
            String hint = switch (choice.kind()) {
                case LOCAL_SERVER ->
                    "Start it with: " + PostgresServerChoice.START_HINT + " (or set HANDOFF_PG_URL to another server).";
                case CONFIGURED ->
                    "Check HANDOFF_PG_URL, HANDOFF_PG_USER and HANDOFF_PG_PASSWORD; for the" + " local server: "
                            + PostgresServerChoice.START_HINT + ".";
                case EMBEDDED -> "The embedded server started but does not answer; see its log above.";
            };
            throw new IllegalStateException(
                    "PostgreSQL at " + where + " is not reachable as user " + choice.username() + " (" + e.getMessage()
                            + "). " + hint,
                    e);
        }
    }

    /** Kept apart so that zonky's classes load only when an embedded server is really started. */
    private static final class EmbeddedServer {
        private EmbeddedServer() {}

        static LabPostgres start(PostgresServerChoice choice, Path dataDir) {
            try {
                EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder();
                if (dataDir != null) {
                    Files.createDirectories(dataDir);
                    builder.setDataDirectory(dataDir)
                            .setCleanDataDirectory(false)
                            .setRegisterShutdownHook(false);
                }
                EmbeddedPostgres pg = builder.start();
                String url = "jdbc:postgresql://localhost:" + pg.getPort() + "/postgres";
                String where = dataDir == null ? "temporary data" : "data in " + dataDir.toAbsolutePath();
                return new LabPostgres(
                        choice,
                        url,
                        "PostgreSQL: embedded (zonky) on localhost:" + pg.getPort() + ", " + where,
                        pg,
                        dataDir == null ? null : dataDir.toAbsolutePath());
            } catch (IOException e) {
                throw new UncheckedIOException(
                        "PostgreSQL: the embedded server did not start (" + e.getMessage()
                                + "); set HANDOFF_PG_URL=jdbc:postgresql://localhost:5432/postgres to use a"
                                + " local server",
                        e);
            }
        }

        static Closeable startAgain(Path dataDir, int port) {
            try {
                return EmbeddedPostgres.builder()
                        .setDataDirectory(dataDir)
                        .setCleanDataDirectory(false)
                        .setRegisterShutdownHook(false)
                        .setPort(port)
                        .start();
            } catch (IOException e) {
                throw new UncheckedIOException(
                        "PostgreSQL: the embedded server did not start again on port " + port + " (" + e.getMessage()
                                + "); see its log in " + dataDir,
                        e);
            }
        }
    }

    private static boolean embeddedPostgresAvailable() {
        try {
            Class.forName(ZONKY_CLASS, false, LabPostgres.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }
}
