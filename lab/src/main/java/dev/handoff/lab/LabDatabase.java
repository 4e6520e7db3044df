package dev.handoff.lab;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

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
        return DriverManager.getConnection(jdbcUrl, username, password);
    }

    @Override
    public String toString() {
        return "LabDatabase[" + name + " at " + PostgresServerChoice.withoutQuery(jdbcUrl) + ", user " + username + "]";
    }
}
