package dev.handoff.lab;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which PostgreSQL server the lab uses, and why: a pure decision so that the rule is testable without a server.
 *
 * <ol>
 *   <li>{@code HANDOFF_PG_URL} set: that server ({@code HANDOFF_PG_USER}, default {@code postgres};
 *       {@code HANDOFF_PG_PASSWORD}, default empty).
 *   <li>running as root, or embedded PostgreSQL not on the class path: the server on {@code localhost:5432}, user
 *       {@code postgres} (embedded PostgreSQL's {@code initdb} refuses to run as root).
 *   <li>otherwise: embedded PostgreSQL (zonky), started by the lab.
 * </ol>
 *
 * @param kind which kind of server
 * @param adminJdbcUrl the JDBC URL of the server's maintenance database; {@code null} for {@link Kind#EMBEDDED}
 * @param username the user that creates databases
 * @param password its password (may be empty)
 * @param reason one line for the log saying which server and why
 */
public record PostgresServerChoice(Kind kind, String adminJdbcUrl, String username, String password, String reason) {

    /** Environment variable naming an existing server by JDBC URL. */
    public static final String URL_VARIABLE = "HANDOFF_PG_URL";

    public static final String USER_VARIABLE = "HANDOFF_PG_USER";
    public static final String PASSWORD_VARIABLE = "HANDOFF_PG_PASSWORD";
    public static final String LOCAL_SERVER_URL = "jdbc:postgresql://localhost:5432/postgres";
    public static final String START_HINT = "pg_ctlcluster --skip-systemctl-redirect 15 main start";

    private static final Pattern JDBC_URL = Pattern.compile("^(jdbc:postgresql://[^/?]+)(/[^?]*)?(\\?.*)?$");

    /** The kinds of server. */
    public enum Kind {
        /** The server named by {@code HANDOFF_PG_URL}. */
        CONFIGURED,
        /** The server on {@code localhost:5432}. */
        LOCAL_SERVER,
        /** An embedded server the lab starts itself. */
        EMBEDDED
    }

    /** Applies the rule above. */
    public static PostgresServerChoice choose(
            Map<String, String> env, boolean runningAsRoot, boolean embeddedAvailable) {
        String user = nonBlank(env.get(USER_VARIABLE), "postgres");
        String password = nonBlank(env.get(PASSWORD_VARIABLE), "");
        String url = env.get(URL_VARIABLE);
        if (url != null && !url.isBlank()) {
            if (!JDBC_URL.matcher(url.trim()).matches()) {
                throw new IllegalArgumentException(URL_VARIABLE + "=" + withoutQuery(url)
                        + " is not a PostgreSQL JDBC URL: use jdbc:postgresql://host:port/postgres");
            }
            return new PostgresServerChoice(
                    Kind.CONFIGURED,
                    url.trim(),
                    user,
                    password,
                    "PostgreSQL: server at " + withoutQuery(url.trim()) + " (" + URL_VARIABLE + ")");
        }
        if (runningAsRoot) {
            return new PostgresServerChoice(
                    Kind.LOCAL_SERVER,
                    LOCAL_SERVER_URL,
                    user,
                    password,
                    "PostgreSQL: server on localhost:5432 (running as root, embedded PostgreSQL refuses root)");
        }
        if (!embeddedAvailable) {
            return new PostgresServerChoice(
                    Kind.LOCAL_SERVER,
                    LOCAL_SERVER_URL,
                    user,
                    password,
                    "PostgreSQL: server on localhost:5432 (embedded PostgreSQL is not on the class path)");
        }
        return new PostgresServerChoice(Kind.EMBEDDED, null, "postgres", "", "PostgreSQL: embedded (zonky)");
    }

    /** The JDBC URL of {@code database} on the server of {@code adminJdbcUrl}, keeping its parameters. */
    public static String jdbcUrlOf(String adminJdbcUrl, String database) {
        Matcher m = JDBC_URL.matcher(adminJdbcUrl);
        if (!m.matches()) {
            throw new IllegalArgumentException("not a PostgreSQL JDBC URL: " + withoutQuery(adminJdbcUrl));
        }
        return m.group(1) + "/" + database + (m.group(3) == null ? "" : m.group(3));
    }

    /** A URL without its parameters, which may hold a password: safe to print. */
    public static String withoutQuery(String url) {
        int q = url.indexOf('?');
        return q < 0 ? url : url.substring(0, q);
    }

    private static String nonBlank(String value, String otherwise) {
        return value == null || value.isBlank() ? otherwise : value;
    }
}
