package dev.handoff.lab.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.handoff.lab.LabPostgres;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LabDatabasesTest {
    private static final ServiceModule CONVERGE = ServiceModule.ALL.get(3);

    @TempDir
    Path dir;

    private final Map<String, String> env = Map.of(
            ServiceModule.DATABASE_PREFIX_VARIABLE,
            "handoff_owner_" + UUID.randomUUID().toString().substring(0, 8));
    private final LabPostgres postgres = LabPostgres.shared();
    private final ByteArrayOutputStream output = new ByteArrayOutputStream();

    @AfterEach
    void dropDatabases() {
        ServiceModule.ALL.forEach(s -> postgres.dropDatabase(s.database(env)));
    }

    @Test
    void twoLabFoldersUsedOneAfterTheOtherEachGetDatabasesWithoutTheOthersState() throws Exception {
        // Given: lab A ran and pinned its hosts' state in its converge database
        LabIdentity a = LabIdentity.of(new LabHome(dir.resolve("a/.handoff")));
        LabIdentity b = LabIdentity.of(new LabHome(dir.resolve("b/.handoff")));
        start(a);
        remember("host-key of A's cloud-edge-1");

        // When: lab B starts on the same server, then lab A again (whose Kafka log exists: it is not new)
        start(b);
        String bSaw = output();
        remember("host-key of B's cloud-edge-1");
        output.reset();
        start(a);

        // Then: each time the databases are the starting lab's own, without the other's state, said plainly
        assertThat(bSaw).contains("belonged to the lab in " + a.folder(), "made anew for this lab");
        assertThat(output())
                .contains("PostgreSQL: the databases ", CONVERGE.database(env))
                .contains("belonged to the lab in " + b.folder())
                .contains(ServiceModule.DATABASE_PREFIX_VARIABLE + "=<name> ./handoff up")
                .doesNotContainIgnoringCase("host key")
                .doesNotContainIgnoringCase("attack");
        assertThat(remembered()).isEmpty();
        assertThat(postgres.comment(CONVERGE.database(env))).contains(a.databaseComment());
    }

    @Test
    void aLabKeepsItsOwnDatabasesAcrossRestarts() throws Exception {
        // Given
        LabIdentity a = LabIdentity.of(new LabHome(dir.resolve("a/.handoff")));
        start(a);
        remember("kept");

        // When
        start(LabIdentity.of(new LabHome(dir.resolve("a/.handoff"))));

        // Then
        assertThat(remembered()).containsExactly("kept");
        assertThat(output()).doesNotContain("belonged to");
    }

    @Test
    void theDatabasesOfAnotherLabThatIsRunningAreRefusedNamingHowToStopIt() throws Exception {
        // Given: lab B holds the databases and is running (its launcher's state names a live process: this one)
        LabHome bHome = new LabHome(dir.resolve("b/.handoff"));
        LabIdentity b = LabIdentity.of(bHome);
        start(b);
        remember("B is running");
        ProcessHandle self = ProcessHandle.current();
        new LabState(self.pid(), LabState.startOf(self), LabState.Phase.UP, Instant.now(), "", "", List.of(), Map.of())
                .write(bHome.labState());
        LabIdentity a = LabIdentity.of(new LabHome(dir.resolve("a/.handoff")));

        // When / Then
        assertThatThrownBy(() -> databases(a).claim(false, true))
                .hasMessageContaining("belong to the lab in " + b.folder() + ", which is running (pid " + self.pid())
                .hasMessageContaining("HANDOFF_HOME=" + b.folder() + " ./handoff down")
                .hasMessageContaining(ServiceModule.DATABASE_PREFIX_VARIABLE + "=<name> ./handoff up");
        assertThat(remembered()).as("B's databases are left alone").containsExactly("B is running");
    }

    @Test
    void ownershipFollowsTheIdInTheDatabaseComment() {
        LabIdentity lab = new LabIdentity("0".repeat(32), Path.of("/x/.handoff"));
        LabIdentity other = new LabIdentity("1".repeat(32), Path.of("/y/.handoff"));

        assertThat(LabDatabases.owner(Optional.of(lab.databaseComment()), lab, true))
                .isEqualTo(LabDatabases.Owner.THIS_LAB);
        assertThat(LabDatabases.owner(Optional.of(other.databaseComment()), lab, true))
                .isEqualTo(LabDatabases.Owner.OTHER_LAB);
        assertThat(LabDatabases.owner(Optional.empty(), lab, true)).isEqualTo(LabDatabases.Owner.UNMARKED_KEPT);
        assertThat(LabDatabases.owner(Optional.of("made by hand"), lab, false))
                .isEqualTo(LabDatabases.Owner.UNMARKED_LEFT_OVER);
        assertThat(LabIdentity.fromDatabaseComment(other.databaseComment())).contains(other);
    }

    /** What a lab's start does with its databases: claim them, then each service opens its own. */
    private void start(LabIdentity lab) {
        LabDatabases databases = databases(lab);
        databases.claim(false, true);
        ServiceModule.ALL.forEach(databases::open);
    }

    private LabDatabases databases(LabIdentity lab) {
        return new LabDatabases(postgres, env, lab, new PrintStream(output, true, StandardCharsets.UTF_8));
    }

    /** Stands for a lab's hosts' state (pins, history) in its converge database. */
    private void remember(String what) throws Exception {
        try (Connection c = postgres.database(CONVERGE.database(env)).database().connect();
                Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS lab_state (what text)");
            try (var insert = c.prepareStatement("INSERT INTO lab_state VALUES (?)")) {
                insert.setString(1, what);
                insert.executeUpdate();
            }
        }
    }

    private List<String> remembered() throws Exception {
        try (Connection c = postgres.database(CONVERGE.database(env)).database().connect();
                Statement s = c.createStatement();
                ResultSet rs =
                        s.executeQuery("SELECT what FROM lab_state WHERE to_regclass('lab_state') IS NOT NULL")) {
            List<String> all = new java.util.ArrayList<>();
            while (rs.next()) {
                all.add(rs.getString(1));
            }
            return all;
        } catch (java.sql.SQLException noTable) {
            return List.of();
        }
    }

    private String output() {
        return output.toString(StandardCharsets.UTF_8);
    }
}
