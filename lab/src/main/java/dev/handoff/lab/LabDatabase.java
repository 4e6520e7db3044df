package dev.handoff.lab;

import java.sql.Connection;
import java.sql.Driver;
import java.sql.SQLException;
import java.util.Properties;

/**
 * One PostgreSQL database the lab created or reused, with what a service needs to connect to it.
 *
 * @param name the database name
 * @param jdbcUrl {@code quarkus.datasource.jdbc.url}
 * @param username {@code quarkus.datasource.username}
 * @param password {@code quarkus.datasource.password} (may be empty)
 */
public record LabDatabase(String name, String jdbcUrl, String username, String password) {

    /** Opens a connection to this database; the caller closes it. */
    public Connection connect() throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", username);
        props.setProperty("password", password == null ? "" : password);
        return open(jdbcUrl, props);
    }

    /**
     * Opens a connection with PostgreSQL's JDBC driver itself rather than through {@code DriverManager}, which only
     * offers drivers of the caller's class loader: after a second Quarkus application started in the same test JVM,
     * it found none ("No suitable driver found").
     */
    static Connection open(String jdbcUrl, Properties props) throws SQLException {
        Connection c = DRIVER.connect(jdbcUrl, props);
        if (c == null) {
            throw new SQLException("not a PostgreSQL JDBC URL: " + jdbcUrl);
        }
        return c;
    }

    private static final Driver DRIVER = new org.postgresql.Driver();

    @Override
    public String toString() {
        return "LabDatabase[" + name + " at " + PostgresServerChoice.withoutQuery(jdbcUrl) + ", user " + username + "]";
    }
}
