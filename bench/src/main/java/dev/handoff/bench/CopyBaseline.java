package dev.handoff.bench;

import dev.handoff.lab.LabDatabase;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.util.List;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

/**
 * What PostgreSQL itself can load on this machine: the rows the ledger stored during ingest (its events, and the
 * deployment and stage rows of their deployments) are read out, then loaded with {@code COPY} (the PostgreSQL JDBC
 * driver's {@link CopyManager}) into scratch copies of the three tables (same columns, defaults and indexes), in one
 * transaction with a durable commit, as the ledger's. The scratch tables are dropped afterwards.
 */
final class CopyBaseline {
    private static final String EVENT_COLUMNS = "id, type, source, subject, time, dataschema, deployment_id,"
            + " causation_id, replay_of, topic, kafka_partition, kafka_offset, data, trace_id";
    private static final String DEPLOYMENT_COLUMNS = "id, host, repository, commit_sha, first_stage, status, result,"
            + " started_at, updated_at, finished_at, status_time";
    private static final String STAGE_COLUMNS =
            "deployment_id, stage, status, started_at, finished_at, status_time, reason";

    /** One table's part of the load. */
    private record Table(String name, String columns, String rowsOf) {}

    /**
     * The figures of a COPY run.
     *
     * @param events event rows loaded
     * @param rows all rows loaded (events, deployments, stages)
     * @param nanos the three COPY statements and the commit
     */
    record Result(long events, long rows, long nanos) {
        double eventsPerSecond() {
            return events / (nanos / 1e9);
        }
    }

    private final LabDatabase database;

    CopyBaseline(LabDatabase database) {
        this.database = database;
    }

    /** Loads, with COPY, the rows the ledger stored at or after {@code since}. */
    Result run(OffsetDateTime since) throws SQLException, IOException {
        String ingested = "select deployment_id from event where stored_at >= '" + since + "'";
        List<Table> tables = List.of(
                new Table("event", EVENT_COLUMNS, "from event where stored_at >= '" + since + "'"),
                new Table("deployment", DEPLOYMENT_COLUMNS, "from deployment where id in (" + ingested + ")"),
                new Table(
                        "deployment_stage",
                        STAGE_COLUMNS,
                        "from deployment_stage where deployment_id in (" + ingested + ")"));
        try (Connection c = database.connect();
                Statement s = c.createStatement()) {
            CopyManager copy = c.unwrap(PGConnection.class).getCopyAPI();
            byte[][] data = new byte[tables.size()][];
            for (int i = 0; i < tables.size(); i++) {
                Table t = tables.get(i);
                s.execute("drop table if exists bench_copy_" + t.name());
                s.execute("create table bench_copy_" + t.name() + " (like " + t.name() + " including all)");
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                copy.copyOut("copy (select " + t.columns() + " " + t.rowsOf() + ") to stdout", out);
                data[i] = out.toByteArray();
            }
            try {
                c.setAutoCommit(false);
                long events = 0;
                long rows = 0;
                long start = System.nanoTime();
                for (int i = 0; i < tables.size(); i++) {
                    Table t = tables.get(i);
                    long n = copy.copyIn(
                            "copy bench_copy_" + t.name() + " (" + t.columns() + ") from stdin",
                            new ByteArrayInputStream(data[i]));
                    rows += n;
                    if (i == 0) {
                        events = n;
                    }
                }
                c.commit();
                long nanos = System.nanoTime() - start;
                return new Result(events, rows, nanos);
            } finally {
                c.setAutoCommit(true);
                for (Table t : tables) {
                    s.execute("drop table if exists bench_copy_" + t.name());
                }
            }
        }
    }
}
