package dev.handoff.lab.world.tofu;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * The {@code pg} backend as OpenTofu 1.8's {@code internal/backend/remote-state/pg} keeps state: schema
 * {@code schema_name} (default {@code terraform_remote_state}), sequence {@code public.global_states_id_seq}, table
 * {@code <schema>.states (id bigint default nextval(...) primary key, name text unique, data text)}, unique index
 * {@code states_by_name}, one row per workspace ({@code default} here). Locking takes session-level advisory locks on
 * the row's id and on {@code -1} (the creation lock) exactly as its {@code client.go} does; the lock lives as long as
 * this process's database session.
 *
 * <p>The connection string is lib/pq's ({@code postgres://user:pass@host:port/db?sslmode=...} or
 * {@code key=value ...}); like lib/pq, {@code sslmode} defaults to {@code require}. It is opened with the PostgreSQL
 * JDBC driver, the one dependency the stand-in has beyond the JDK.
 */
final class PgStateStorage implements StateStorage {
    static final String DEFAULT_SCHEMA = "terraform_remote_state";
    private static final String TABLE = "states";
    private static final String INDEX = "states_by_name";

    private final Connection db;
    private final String schema;
    private final String workspace;
    private String lockedPath;

    private PgStateStorage(Connection db, String schema, String workspace) {
        this.db = db;
        this.schema = schema;
        this.workspace = workspace;
    }

    /** Connects and prepares schema, sequence, table and index as the backend's {@code configure} does. */
    static PgStateStorage open(String connStr, String schemaName, Map<String, String> env, String workspace)
            throws BackendError {
        Connection db = connect(connStr, env);
        String schema = quoteIdentifier(schemaName);
        try (Statement s = db.createStatement()) {
            int count;
            try (PreparedStatement q =
                    db.prepareStatement("select count(1) from information_schema.schemata where schema_name = ?")) {
                q.setString(1, schemaName);
                try (ResultSet rs = q.executeQuery()) {
                    rs.next();
                    count = rs.getInt(1);
                }
            }
            if (count < 1) {
                s.execute("CREATE SCHEMA IF NOT EXISTS " + schema);
            }
            s.execute("CREATE SEQUENCE IF NOT EXISTS public.global_states_id_seq AS bigint");
            s.execute("CREATE TABLE IF NOT EXISTS " + schema + "." + TABLE + " (\n"
                    + "\t\t\tid bigint NOT NULL DEFAULT nextval('public.global_states_id_seq') PRIMARY KEY,\n"
                    + "\t\t\tname text UNIQUE,\n"
                    + "\t\t\tdata text\n"
                    + "\t\t\t)");
            s.execute("CREATE UNIQUE INDEX IF NOT EXISTS " + INDEX + " ON " + schema + "." + TABLE + " (name)");
        } catch (SQLException e) {
            close(db);
            throw new BackendError(pqError(e));
        }
        return new PgStateStorage(db, schema, workspace);
    }

    /** lib/pq's {@code pq.QuoteIdentifier}. */
    static String quoteIdentifier(String name) {
        int end = name.indexOf('\0');
        String n = end >= 0 ? name.substring(0, end) : name;
        return "\"" + n.replace("\"", "\"\"") + "\"";
    }

    @Override
    public String read() throws BackendError {
        try (PreparedStatement q =
                db.prepareStatement("SELECT data FROM " + schema + "." + TABLE + " WHERE name = ?")) {
            q.setString(1, workspace);
            try (ResultSet rs = q.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        } catch (SQLException e) {
            throw new BackendError(pqError(e));
        }
    }

    @Override
    public void write(String text) throws BackendError {
        try (PreparedStatement q = db.prepareStatement("INSERT INTO " + schema + "." + TABLE + " (name, data) VALUES"
                + " (?, ?)\n\t\tON CONFLICT (name) DO UPDATE\n\t\tSET data = ? WHERE " + TABLE + ".name = ?")) {
            q.setString(1, workspace);
            q.setString(2, text);
            q.setString(3, text);
            q.setString(4, workspace);
            q.executeUpdate();
        } catch (SQLException e) {
            throw new BackendError(pqError(e));
        }
    }

    @Override
    public void tryLock(LockInfo info) throws LockError, BackendError {
        String query = "SELECT " + TABLE + ".id, pg_try_advisory_lock(" + TABLE + ".id), pg_try_advisory_lock(-1) FROM "
                + schema + "." + TABLE + " WHERE " + TABLE + ".name = ?";
        try (PreparedStatement q = db.prepareStatement(query)) {
            q.setString(1, workspace);
            try (ResultSet rs = q.executeQuery()) {
                if (!rs.next()) {
                    // no row: we are creating the workspace, so take the creation lock
                    try (Statement s = db.createStatement();
                            ResultSet c = s.executeQuery("SELECT pg_try_advisory_lock(-1)")) {
                        c.next();
                        if (!c.getBoolean(1)) {
                            throw new LockError("Already locked for workspace creation: " + workspace, info);
                        }
                    }
                    lockedPath = "-1";
                    return;
                }
                long id = rs.getLong(1);
                boolean didLock = rs.getBoolean(2);
                boolean didLockForCreate = rs.getBoolean(3);
                if (!didLock) {
                    if (didLockForCreate) {
                        advisoryUnlock("-1");
                    }
                    throw new LockError("Workspace is already locked: " + workspace, info);
                }
                if (!didLockForCreate) {
                    advisoryUnlock(Long.toString(id));
                    throw new LockError(
                            "Cannot lock workspace; already locked for workspace creation: " + workspace, info);
                }
                advisoryUnlock("-1");
                lockedPath = Long.toString(id);
            }
        } catch (SQLException e) {
            throw new LockError(pqError(e), info);
        }
    }

    private void advisoryUnlock(String id) throws SQLException {
        try (Statement s = db.createStatement();
                ResultSet rs = s.executeQuery("SELECT pg_advisory_unlock(" + id + ")")) {
            rs.next();
        }
    }

    @Override
    public void unlock() throws BackendError {
        if (lockedPath != null) {
            try {
                advisoryUnlock(lockedPath);
            } catch (SQLException e) {
                throw new BackendError(pqError(e));
            }
            lockedPath = null;
        }
    }

    @Override
    public boolean remote() {
        return true;
    }

    @Override
    public void close() {
        close(db);
    }

    private static void close(Connection c) {
        try {
            c.close();
        } catch (SQLException e) {
            // closing anyway
        }
    }

    // ---------------------------------------------------------------- lib/pq connection strings

    private static Connection connect(String connStr, Map<String, String> env) throws BackendError {
        Map<String, String> o = new LinkedHashMap<>();
        o.put("host", "localhost");
        o.put("port", "5432");
        Map<String, String> fromEnv = Map.of(
                "PGHOST", "host",
                "PGPORT", "port",
                "PGDATABASE", "dbname",
                "PGUSER", "user",
                "PGPASSWORD", "password",
                "PGSSLMODE", "sslmode",
                "PGCONNECT_TIMEOUT", "connect_timeout",
                "PGAPPNAME", "application_name");
        fromEnv.forEach((var, key) -> {
            if (env.get(var) != null && !env.get(var).isEmpty()) {
                o.put(key, env.get(var));
            }
        });
        try {
            if (connStr.startsWith("postgres://") || connStr.startsWith("postgresql://")) {
                parseUrl(connStr, o);
            } else {
                parseKeyValues(connStr, o);
            }
        } catch (IllegalArgumentException e) {
            throw new BackendError(e.getMessage());
        }
        o.putIfAbsent("user", System.getProperty("user.name", "postgres"));
        String host = o.get("host");
        if (host.startsWith("/")) {
            throw new BackendError("dial unix " + host + "/.s.PGSQL." + o.get("port")
                    + ": the lab's stand-in tofu connects over TCP only");
        }
        String sslmode = o.getOrDefault("sslmode", "");
        switch (sslmode) {
            case "", "require", "verify-ca", "verify-full", "disable" -> {}
            default ->
                throw new BackendError("pq: unsupported sslmode \"" + sslmode
                        + "\"; only \"require\" (default), \"verify-full\", \"verify-ca\", and \"disable\" supported");
        }
        Properties props = new Properties();
        props.setProperty("user", o.get("user"));
        if (o.containsKey("password")) {
            props.setProperty("password", o.get("password"));
        }
        props.setProperty("sslmode", sslmode.isEmpty() ? "require" : sslmode);
        if (o.containsKey("connect_timeout")) {
            props.setProperty("connectTimeout", o.get("connect_timeout"));
        }
        props.setProperty("ApplicationName", o.getOrDefault("application_name", ""));
        String db = o.getOrDefault("dbname", o.get("user"));
        String url =
                "jdbc:postgresql://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + o.get("port") + "/" + db;
        try {
            Class.forName("org.postgresql.Driver");
        } catch (ClassNotFoundException e) {
            throw new BackendError("the lab's stand-in tofu needs the PostgreSQL JDBC driver on its class path"
                    + " (TofuWorld.install puts it there)");
        }
        try {
            return DriverManager.getConnection(url, props);
        } catch (SQLException e) {
            throw new BackendError(connectError(e, host, o.get("port"), sslmode));
        }
    }

    private static void parseUrl(String url, Map<String, String> o) {
        URI u;
        try {
            u = new URI(url);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("parse \"" + url + "\": " + e.getReason());
        }
        if (u.getRawUserInfo() != null) {
            String[] userPass = u.getRawUserInfo().split(":", 2);
            put(o, "user", decode(userPass[0]));
            if (userPass.length > 1) {
                put(o, "password", decode(userPass[1]));
            }
        }
        if (u.getHost() != null) {
            put(o, "host", u.getHost().replace("[", "").replace("]", ""));
        }
        if (u.getPort() >= 0) {
            put(o, "port", Integer.toString(u.getPort()));
        }
        if (u.getRawPath() != null && u.getRawPath().length() > 1) {
            put(o, "dbname", decode(u.getRawPath().substring(1)));
        }
        if (u.getRawQuery() != null) {
            for (String kv : u.getRawQuery().split("&")) {
                String[] p = kv.split("=", 2);
                put(o, decode(p[0]), p.length > 1 ? decode(p[1]) : "");
            }
        }
    }

    private static void put(Map<String, String> o, String k, String v) {
        if (v != null && !v.isEmpty()) {
            o.put(k, v);
        }
    }

    private static String decode(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    /** lib/pq's {@code parseOpts}: {@code key=value} pairs, values optionally single-quoted. */
    private static void parseKeyValues(String s, Map<String, String> o) {
        int i = 0;
        while (i < s.length()) {
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
            if (i >= s.length()) {
                break;
            }
            int eq = s.indexOf('=', i);
            if (eq < 0) {
                throw new IllegalArgumentException(
                        "missing \"=\" after \"" + s.substring(i) + "\" in connection info string\"");
            }
            String key = s.substring(i, eq).strip();
            i = eq + 1;
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
            StringBuilder v = new StringBuilder();
            if (i < s.length() && s.charAt(i) == '\'') {
                i++;
                while (i < s.length() && s.charAt(i) != '\'') {
                    if (s.charAt(i) == '\\' && i + 1 < s.length()) {
                        i++;
                    }
                    v.append(s.charAt(i++));
                }
                if (i >= s.length()) {
                    throw new IllegalArgumentException("unterminated quoted string literal in connection string");
                }
                i++;
            } else {
                while (i < s.length() && !Character.isWhitespace(s.charAt(i))) {
                    if (s.charAt(i) == '\\' && i + 1 < s.length()) {
                        i++;
                    }
                    v.append(s.charAt(i++));
                }
            }
            o.put(key, v.toString());
        }
    }

    /** A connection failure as lib/pq and Go's net package word it. */
    private static String connectError(SQLException e, String host, String port, String sslmode) {
        String message = String.valueOf(e.getMessage());
        if (message.contains("The server does not support SSL")) {
            return "pq: SSL is not enabled on the server";
        }
        Throwable cause = e.getCause();
        if (cause instanceof java.net.ConnectException || message.contains("Connection refused")) {
            return "dial tcp " + hostPort(host, port) + ": connect: connection refused";
        }
        if (cause instanceof java.net.UnknownHostException) {
            return "dial tcp: lookup " + host + ": no such host";
        }
        return pqError(e);
    }

    private static String hostPort(String host, String port) {
        String h = host.equals("localhost") ? "127.0.0.1" : host;
        return (h.contains(":") ? "[" + h + "]" : h) + ":" + port;
    }

    /** A server error as lib/pq prints it: {@code pq: <message>}. */
    static String pqError(SQLException e) {
        if (e instanceof org.postgresql.util.PSQLException p && p.getServerErrorMessage() != null) {
            return "pq: " + p.getServerErrorMessage().getMessage();
        }
        return "pq: " + e.getMessage();
    }
}
