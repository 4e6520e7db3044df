package dev.handoff.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LabPostgresTest {

    @Test
    void createdDatabaseIsFreshAndRunsQueries() throws SQLException {
        // Given
        LabPostgres postgres = LabPostgres.shared();

        // When
        LabDatabase database = postgres.createDatabase("lab_test");
        try (Connection c = database.connect();
                Statement s = c.createStatement()) {
            s.execute("CREATE TABLE deployment (id text PRIMARY KEY, host text NOT NULL)");
            s.execute("INSERT INTO deployment VALUES ('d-1', 'cloud-edge-1')");
            try (ResultSet rs = s.executeQuery("SELECT current_database(), host FROM deployment")) {

                // Then
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo(database.name());
                assertThat(rs.getString(2)).isEqualTo("cloud-edge-1");
            }
        } finally {
            postgres.dropDatabase(database);
        }
        assertThat(database.name()).startsWith("lab_test_");
    }

    @Test
    void everyCreatedDatabaseHasItsOwnName() {
        // Given
        LabPostgres postgres = LabPostgres.shared();

        // When
        LabDatabase first = postgres.createDatabase("Lab-Test");
        LabDatabase second = postgres.createDatabase("Lab-Test");
        postgres.dropDatabase(first);
        postgres.dropDatabase(second);

        // Then
        assertThat(first.name()).startsWith("lab_test_").isNotEqualTo(second.name());
        assertThat(first.jdbcUrl()).endsWith("/" + first.name());
    }

    @Test
    void namedDatabaseIsCreatedOnceAndThenReused() throws SQLException {
        // Given
        LabPostgres postgres = LabPostgres.shared();
        String name = postgres.createDatabase("lab_reuse").name();
        postgres.dropDatabase(new LabDatabase(name, "", "", ""));

        // When
        LabPostgres.DatabaseAndState first = postgres.database(name);
        try (Connection c = first.database().connect();
                Statement s = c.createStatement()) {
            s.execute("CREATE TABLE kept (v int)");
        }
        LabPostgres.DatabaseAndState second = postgres.database(name);

        // Then
        try (Connection c = second.database().connect();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT count(*) FROM kept")) {
            assertThat(rs.next()).isTrue();
        } finally {
            postgres.dropDatabase(second.database());
        }
        assertThat(first.created()).isTrue();
        assertThat(second.created()).isFalse();
        assertThat(second.database()).isEqualTo(first.database());
    }

    @Test
    void anEarlierLabsDatabaseIsDroppedUnlessAnotherLabUsesIt() throws SQLException {
        // Given: a database an earlier lab left, and one a running lab holds a connection to
        LabPostgres postgres = LabPostgres.shared();
        String left = postgres.createDatabase("lab_left").name();
        LabDatabase inUse = postgres.createDatabase("lab_in_use");
        try (Connection running = inUse.connect()) {

            // When / Then
            assertThat(postgres.dropUnused(left)).isTrue();
            assertThat(postgres.dropUnused(left)).as("gone already").isFalse();
            assertThatThrownBy(() -> postgres.dropUnused(inUse.name()))
                    .hasMessageContaining(inUse.name())
                    .hasMessageContaining("in use")
                    .hasMessageContaining("HANDOFF_LAB_DATABASE_PREFIX");
            assertThat(running.isValid(5))
                    .as("the running lab keeps its database")
                    .isTrue();
        } finally {
            postgres.dropDatabase(inUse);
        }
        assertThat(postgres.database(left).created())
                .as("dropped, so created anew")
                .isTrue();
        postgres.dropDatabase(left);
    }

    @Test
    void postgresTestResourceHandsAFreshDatabaseToQuarkusAndDropsItOnStop() throws SQLException {
        // Given
        PostgresTestResource resource = new PostgresTestResource();
        resource.init(Map.of("prefix", "resource_test"));

        // When
        Map<String, String> config = resource.start();

        // Then
        assertThat(config)
                .containsKeys(
                        "quarkus.datasource.jdbc.url", "quarkus.datasource.username", "quarkus.datasource.password");
        String url = config.get("quarkus.datasource.jdbc.url");
        LabDatabase database = new LabDatabase(
                url.substring(url.lastIndexOf('/') + 1),
                url,
                config.get("quarkus.datasource.username"),
                config.get("quarkus.datasource.password"));
        assertThat(database.name()).startsWith("resource_test_");
        try (Connection c = database.connect();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getInt(1)).isZero();
        }
        resource.stop();
        assertThatThrownBy(database::connect).isInstanceOf(SQLException.class).hasMessageContaining(database.name());
    }

    @Test
    void unreachableServerErrorSaysHowToStartPostgres() {
        // Given a server URL where nothing listens
        Map<String, String> env = Map.of(PostgresServerChoice.URL_VARIABLE, "jdbc:postgresql://localhost:1/postgres");

        // When / Then
        assertThatThrownBy(() -> LabPostgres.open(env, null))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("localhost:1")
                .hasMessageContaining("pg_ctlcluster --skip-systemctl-redirect 15 main start");
    }
}
