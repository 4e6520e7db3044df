package dev.handoff.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./handoff stop|start postgres} against the server the lab would use here: the local server when running as
 * root (its databases pause), else an embedded one of this test's own with a data folder (it stops and starts).
 */
class PostgresOutageTest {
    @TempDir
    Path dataDir;

    private LabPostgres postgres;
    private LabDatabase first;
    private LabDatabase second;
    private PostgresOutage outage;

    @BeforeEach
    void twoLabDatabases() {
        postgres = LabPostgres.open(System.getenv(), dataDir);
        first = postgres.createDatabase("outage");
        second = postgres.createDatabase("outage");
        outage = new PostgresOutage(postgres, List.of(first.name(), second.name(), "outage_never_created"));
    }

    @AfterEach
    void dropThem() {
        if (outage.on()) {
            outage.end();
        }
        postgres.dropDatabase(first);
        postgres.dropDatabase(second);
        postgres.close();
    }

    @Test
    void theLabsDatabasesGoAwayAndComeBackWithTheirData() throws Exception {
        // Given: a service's session with data in its database
        Connection session = first.connect();
        try (Statement s = session.createStatement()) {
            s.execute("CREATE TABLE ledger (id int); INSERT INTO ledger VALUES (1)");
        }

        // When
        String stopped = outage.begin();

        // Then: the session is gone and a new one is refused
        assertThat(outage.on()).isTrue();
        if (postgres.kind() == PostgresServerChoice.Kind.EMBEDDED) {
            assertThat(stopped).startsWith("Stopped the lab's embedded PostgreSQL server on localhost:");
        } else {
            assertThat(stopped)
                    .startsWith("Paused the lab's databases on the shared server " + postgres.address())
                    .contains("ended 1 sessions of " + first.name() + ", " + second.name())
                    .contains("ALLOW_CONNECTIONS false");
        }
        assertThat(session.isValid(5)).isFalse();
        assertThatThrownBy(() -> first.connect().close()).isInstanceOf(SQLException.class);
        assertThatThrownBy(() -> second.connect().close()).isInstanceOf(SQLException.class);

        // When
        String started = outage.end();

        // Then: both accept connections again, with what they held
        assertThat(outage.on()).isFalse();
        assertThat(started).contains(postgres.address());
        try (Connection again = first.connect();
                Statement s = again.createStatement();
                var rs = s.executeQuery("SELECT count(*) FROM ledger")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getInt(1)).isEqualTo(1);
        }
        second.connect().close();
    }

    @Test
    void anOutageALabLeftBehindIsEndedAtItsNextStart() throws Exception {
        // Given: a lab that ended while its databases refused connections
        outage.begin();

        // When: the next lab starts on the same databases
        List<String> ended = new PostgresOutage(postgres, List.of(first.name(), second.name())).endLeftOver();

        // Then: a shared server's databases accept connections again (an embedded server of a lab that ended is not
        // running, and the next lab starts it)
        if (postgres.kind() == PostgresServerChoice.Kind.EMBEDDED) {
            assertThat(ended).isEmpty();
        } else {
            assertThat(ended).containsExactlyInAnyOrder(first.name(), second.name());
            first.connect().close();
            assertThat(outage.on()).isFalse();
        }
    }
}
