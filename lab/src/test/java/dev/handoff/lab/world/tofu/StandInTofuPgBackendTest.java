package dev.handoff.lab.world.tofu;

import static dev.handoff.lab.world.tofu.TofuStacks.APPLY;
import static dev.handoff.lab.world.tofu.TofuStacks.INIT;
import static dev.handoff.lab.world.tofu.TofuStacks.PLAN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.handoff.lab.LabDatabase;
import dev.handoff.lab.LabPostgres;
import dev.handoff.lab.world.InfraWorld;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The {@code pg} backend as OpenTofu's {@code internal/backend/remote-state/pg} implements it: its schema, sequence,
 * table and index, one row per workspace, the advisory-lock locking honouring {@code -lock-timeout}, lib/pq's
 * connection strings; and two runners sharing it: their applies serialize through the lock and the later one finds
 * its plan stale. Runs the lab's {@code edge-cluster-infra-pg} stacks against a database of its own.
 */
class StandInTofuPgBackendTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final TofuStacks stacks = TofuStacks.of("edge-cluster-infra-pg");
    private LabDatabase database;
    private Map<String, String> pg;

    @BeforeEach
    void database() {
        database = LabPostgres.shared().createDatabase("tofu_pg_backend");
        pg = Map.of("PG_CONN_STR", InfraWorld.pgConnStr(database));
    }

    @AfterEach
    void close() {
        stacks.close();
        LabPostgres.shared().dropDatabase(database);
    }

    @Test
    void initCreatesTofusSchemaSequenceTableAndIndexAndApplyKeepsTheStateInTheDefaultRow() throws Exception {
        // Given
        Path network = stacks.stack("network");

        // When
        TofuStacks.Result init = stacks.tofu(network, pg, INIT);
        TofuStacks.Result plan = stacks.tofu(network, pg, PLAN);
        TofuStacks.Result apply = stacks.tofu(network, pg, APPLY);

        // Then
        assertThat(init.exit()).as("%s", init).isZero();
        assertThat(init.out()).contains("Successfully configured the backend \"pg\"!");
        assertThat(plan.exit()).as("%s", plan).isEqualTo(2);
        assertThat(apply.exit()).as("%s", apply).isZero();
        try (Connection c = database.connect()) {
            assertThat(
                            query(
                                    c,
                                    "select data_type, column_default, is_nullable from information_schema.columns"
                                            + " where table_schema = 'handoff_network' and table_name = 'states' order by ordinal_position"))
                    .containsExactly(
                            "bigint|nextval('global_states_id_seq'::regclass)|NO", "text|null|YES", "text|null|YES");
            assertThat(query(
                            c,
                            "select column_name from information_schema.columns where table_schema ="
                                    + " 'handoff_network' and table_name = 'states' order by ordinal_position"))
                    .containsExactly("id", "name", "data");
            assertThat(query(
                            c,
                            "select sequence_schema || '.' || sequence_name || '|' || data_type from"
                                    + " information_schema.sequences"))
                    .containsExactly("public.global_states_id_seq|bigint");
            assertThat(query(c, "select indexname from pg_indexes where schemaname = 'handoff_network' order by 1"))
                    .containsExactly("states_by_name", "states_name_key", "states_pkey");
            assertThat(query(c, "select name from handoff_network.states")).containsExactly("default");
            JsonNode state = JSON.readTree(
                    query(c, "select data from handoff_network.states").get(0));
            assertThat(state.path("serial").asLong()).isEqualTo(1);
            assertThat(state.path("resources")).hasSize(5);
        }
        assertThat(network.resolve("terraform.tfstate")).doesNotExist();
    }

    @Test
    void statePullWithoutStatePrintsTheEmptySnapshotTheRemoteStateManagerExports() {
        // Given
        Path network = stacks.stack("network");
        stacks.tofu(network, pg, INIT);

        // When
        TofuStacks.Result pull = stacks.tofu(network, pg, "state", "pull");

        // Then: states/remote has no snapshot, statemgr.Export gives an empty one with no lineage
        assertThat(pull.exit()).isZero();
        assertThat(pull.out())
                .isEqualTo(
                        "{\"version\":4,\"terraform_version\":\"1.8.5\",\"serial\":0,\"lineage\":\"\",\"outputs\":{},"
                                + "\"resources\":[],\"check_results\":null}\n\n");
    }

    @Test
    void aHeldLockMakesThePlanWaitForTheLockTimeoutThenFailAsTofuDoes() throws Exception {
        // Given: the state row exists and another session holds its advisory lock
        Path network = stacks.stack("network");
        stacks.applyInProcess(network, pg);
        try (Connection holder = database.connect()) {
            long id = Long.parseLong(query(holder, "select id from handoff_network.states where name = 'default'")
                    .get(0));
            query(holder, "select pg_advisory_lock(" + id + ")");

            // When
            long start = System.nanoTime();
            TofuStacks.Result plan = stacks.tofu(
                    network, pg, "plan", "-out=handoff.tfplan", "-input=false", "-no-color", "-lock-timeout=2s");
            long took = (System.nanoTime() - start) / 1_000_000;

            // Then
            assertThat(plan.exit()).isEqualTo(1);
            assertThat(took).isGreaterThanOrEqualTo(2000);
            assertThat(plan.out()).startsWith("Acquiring state lock. This may take a few moments...\n");
            assertThat(plan.err())
                    .startsWith("\nError: Error acquiring the state lock\n\n"
                            + "Error message: Workspace is already locked: default\nLock Info:\n  ID:        ")
                    .contains("\n  Path:      \n  Operation: OperationTypePlan\n")
                    .contains("\n  Version:   1.8.5\n")
                    .endsWith("\n\nOpenTofu acquires a state lock to protect the state from being written\n"
                            + "by multiple users at the same time. Please resolve the issue above and try\n"
                            + "again. For most commands, you can disable locking with the \"-lock=false\"\n"
                            + "flag, but this is not recommended.\n");
        }
    }

    @Test
    void twoConcurrentAppliesOfTheSameStackSerializeThroughTheLockAndTheLaterPlanIsStale() throws Exception {
        // Given: two runners planned the same change against the same state
        Path network = stacks.stack("network");
        stacks.applyInProcess(network, pg);
        long serial = pgState().path("serial").asLong();
        TofuStacks.edit(network.resolve("main.tf"), t -> t.replace("edge-igw", "edge-gateway"));
        assertThat(stacks.tofu(network, pg, PLAN).exit()).isEqualTo(2);
        Files.copy(network.resolve("handoff.tfplan"), network.resolve("b.tfplan"));

        // When: both apply at once, each waiting up to 30 s for the lock
        Process a = stacks.start(
                network,
                pg,
                stacks.root.resolve("a.out"),
                stacks.root.resolve("a.err"),
                "apply",
                "-input=false",
                "-no-color",
                "-lock-timeout=30s",
                "handoff.tfplan");
        Process b = stacks.start(
                network,
                pg,
                stacks.root.resolve("b.out"),
                stacks.root.resolve("b.err"),
                "apply",
                "-input=false",
                "-no-color",
                "-lock-timeout=30s",
                "b.tfplan");
        int exitA = a.waitFor();
        int exitB = b.waitFor();

        // Then: one applied, the other was refused as stale, the state is whole and one serial further
        assertThat(List.of(exitA, exitB)).containsExactlyInAnyOrder(0, 1);
        String refused = Files.readString(stacks.root.resolve(exitA == 1 ? "a.err" : "b.err"));
        assertThat(refused).contains("Error: Saved plan is stale");
        JsonNode state = pgState();
        assertThat(state.path("serial").asLong()).isEqualTo(serial + 1);
        assertThat(state.path("resources")).hasSize(5);
        assertThat(state.toString()).contains("edge-gateway");
    }

    @Test
    void statePushForceRestoresAnArchivedStateWithItsLineageOneSerialOnAndNoForceRefusesIt() throws Exception {
        // Given: an archived snapshot, then another apply
        Path network = stacks.stack("network");
        stacks.applyInProcess(network, pg);
        Path archive = stacks.root.resolve("archive.tfstate");
        Files.writeString(archive, stacks.tofu(network, pg, "state", "pull").out());
        TofuStacks.edit(network.resolve("main.tf"), t -> t.replace("edge-igw", "edge-gateway"));
        stacks.inProcess(network, pg, PLAN);
        stacks.inProcess(network, pg, APPLY);
        JsonNode archived = JSON.readTree(Files.readString(archive));

        // When
        TofuStacks.Result refused = stacks.tofu(network, pg, "state", "push", archive.toString());
        TofuStacks.Result forced =
                stacks.tofu(network, pg, "state", "push", "-force", "-lock-timeout=5s", archive.toString());

        // Then
        assertThat(refused.exit()).isEqualTo(1);
        assertThat(refused.err())
                .isEqualTo("Failed to write state: cannot import state with serial 1 over newer state with serial 2\n");
        assertThat(forced.exit()).as("%s", forced).isZero();
        JsonNode restored = pgState();
        assertThat(restored.path("lineage")).isEqualTo(archived.path("lineage"));
        assertThat(restored.path("resources")).isEqualTo(archived.path("resources"));
        assertThat(restored.path("serial").asLong())
                .isEqualTo(archived.path("serial").asLong() + 1);
    }

    @Test
    void theSchemaComesFromPgSchemaNameWhenTheBlockHasNoneElseTofusDefault() throws Exception {
        // Given: a backend block without schema_name
        Path network = stacks.stack("network");
        TofuStacks.edit(network.resolve("backend.tf"), t -> t.replace("    schema_name = \"handoff_network\"\n", ""));
        Path compute = stacks.stack("compute");
        TofuStacks.edit(compute.resolve("backend.tf"), t -> t.replace("    schema_name = \"handoff_compute\"\n", ""));
        Map<String, String> withSchema = new java.util.HashMap<>(pg);
        withSchema.put("PG_SCHEMA_NAME", "from_env");

        // When
        TofuStacks.Result fromEnv = stacks.inProcess(network, withSchema, INIT);
        TofuStacks.Result byDefault = stacks.inProcess(compute, pg, INIT);

        // Then
        assertThat(fromEnv.exit()).as("%s", fromEnv).isZero();
        assertThat(byDefault.exit()).as("%s", byDefault).isZero();
        try (Connection c = database.connect()) {
            assertThat(query(
                            c,
                            "select table_schema from information_schema.tables where table_name = 'states'"
                                    + " order by 1"))
                    .containsExactly("from_env", "terraform_remote_state");
        }
    }

    @Test
    void aConnectionStringWithoutSslmodeFailsAsLibPqDoesAgainstAServerWithoutTls() throws Exception {
        // Given: lib/pq defaults to sslmode=require
        try (Connection c = database.connect()) {
            assumeThat(query(c, "show ssl")).containsExactly("off");
        }
        Path network = stacks.stack("network");
        String noSslmode = InfraWorld.pgConnStr(database).replace("?sslmode=disable", "");

        // When
        TofuStacks.Result init = stacks.tofu(network, Map.of("PG_CONN_STR", noSslmode), INIT);

        // Then
        assertThat(init.exit()).isEqualTo(1);
        assertThat(init.out()).isEqualTo("\nInitializing the backend...\n");
        assertThat(init.err()).isEqualTo("\nError: pq: SSL is not enabled on the server\n\n");
    }

    @Test
    void anUnknownBackendTypeIsRefusedAsTofuRefusesIt() {
        // Given
        Path network = stacks.stack("network");
        TofuStacks.edit(network.resolve("backend.tf"), t -> t.replace("backend \"pg\" {", "backend \"postgres\" {"));

        // When
        TofuStacks.Result init = stacks.inProcess(network, pg, INIT);

        // Then
        assertThat(init.exit()).isEqualTo(1);
        assertThat(init.err())
                .isEqualTo("\nError: Invalid backend type\n\n  on backend.tf line 3, in terraform:\n"
                        + "   3:   backend \"postgres\" {\n\nThere is no backend type named \"postgres\".\n");
    }

    private JsonNode pgState() throws Exception {
        try (Connection c = database.connect()) {
            return JSON.readTree(query(c, "select data from handoff_network.states where name = 'default'")
                    .get(0));
        }
    }

    private static List<String> query(Connection c, String sql) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            int columns = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                List<String> cells = new ArrayList<>();
                for (int i = 1; i <= columns; i++) {
                    cells.add(String.valueOf(rs.getString(i)));
                }
                rows.add(String.join("|", cells));
            }
        }
        return rows;
    }
}
