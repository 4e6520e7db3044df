package dev.handoff.control.ledger;

import dev.handoff.common.event.EventEnvelope;
import dev.handoff.common.messaging.ReceivedEvent;
import dev.handoff.control.ledger.LedgerProjection.DeploymentRow;
import dev.handoff.control.ledger.LedgerProjection.StageRow;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.util.Collection;
import java.util.List;
import java.util.stream.IntStream;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.postgresql.copy.CopyManager;

/**
 * Writes batches of events into the ledger: every event once (its id is the primary key, so a redelivered event
 * changes nothing) and the deployment projection, all in one transaction per batch. Each table is written with one
 * statement per batch, which keeps ingest fast: a small batch (the usual one, a webhook's event) with one multi-row
 * {@code insert} sent together with the projection's upserts, one round trip; a large one (catching up) is streamed
 * with {@code COPY} straight into {@code event}, as fast as PostgreSQL loads rows, or, when it holds an event already
 * stored, through a session's temporary table and one {@code insert … select … on conflict do nothing}.
 */
@ApplicationScoped
public class LedgerStore {
    private static final String INSERT_EVENTS_HEAD =
            "insert into event (id, type, source, subject, time, dataschema, deployment_id, causation_id, replay_of,"
                    + " topic, kafka_partition, kafka_offset, data, trace_id) values ";
    private static final String INSERT_EVENT_ROW = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?)";
    private static final String INSERT_EVENTS_TAIL = " on conflict (id) do nothing";

    /**
     * From this many events on, a batch is loaded with COPY (below, one multi-row insert: 14 parameters a row stay far
     * below PostgreSQL's 65,535 per statement, and the COPY's extra round trips would not pay).
     */
    static final int COPY_FROM_ROWS = 200;

    private static final String EVENT_COLUMNS = "id, type, source, subject, time, dataschema, deployment_id,"
            + " causation_id, replay_of, topic, kafka_partition, kafka_offset, data, trace_id";
    /**
     * The session's staging table of a COPY, emptied at every commit (and gone with a rollback or the session); it
     * is never logged, the rows reach {@code event} (logged, durable) within the same transaction.
     */
    private static final String CREATE_STAGING = """
            create temporary table if not exists ledger_event_in (
                id text, type text, source text, subject text, time timestamptz, dataschema text,
                deployment_id text, causation_id text, replay_of text, topic text, kafka_partition integer,
                kafka_offset bigint, data jsonb, trace_id text
            ) on commit delete rows
            """;

    private static final String COPY_EVENTS = "copy event (" + EVENT_COLUMNS + ") from stdin with (format text)";
    /** PostgreSQL's SQLSTATE of a duplicate key. */
    private static final String UNIQUE_VIOLATION = "23505";

    private static final String COPY_STAGING =
            "copy ledger_event_in (" + EVENT_COLUMNS + ") from stdin with (format text)";
    private static final String MOVE_STAGING = "insert into event (" + EVENT_COLUMNS + ") select " + EVENT_COLUMNS
            + " from ledger_event_in on conflict (id) do nothing";

    /**
     * A deployment's repository and commit are its push's: a batch holding the deployment's {@code commit.pushed}
     * (the only event that sets {@code first_stage}) replaces what an earlier batch took from a later stage's event;
     * otherwise the first one stored stays.
     */
    private static final String UPSERT_DEPLOYMENTS = """
            insert into deployment as d (id, host, repository, commit_sha, first_stage, status, result,
                                         started_at, updated_at, finished_at, status_time)
            select * from unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[],
                                 ?::timestamptz[], ?::timestamptz[], ?::timestamptz[], ?::timestamptz[])
            on conflict (id) do update set
                repository  = case when excluded.first_stage is not null and excluded.repository is not null
                                   then excluded.repository else coalesce(d.repository, excluded.repository) end,
                commit_sha  = case when excluded.first_stage is not null and excluded.commit_sha is not null
                                   then excluded.commit_sha else coalesce(d.commit_sha, excluded.commit_sha) end,
                first_stage = coalesce(d.first_stage, excluded.first_stage),
                started_at  = least(d.started_at, excluded.started_at),
                updated_at  = greatest(d.updated_at, excluded.updated_at),
                status      = case when excluded.status_time >= d.status_time then excluded.status else d.status end,
                result      = case when excluded.status_time >= d.status_time then excluded.result else d.result end,
                finished_at = case when excluded.status_time >= d.status_time
                                   then excluded.finished_at else d.finished_at end,
                status_time = greatest(d.status_time, excluded.status_time)
            """;

    private static final String UPSERT_STAGES = """
            insert into deployment_stage as s (deployment_id, stage, status, started_at, finished_at, status_time,
                                               reason)
            select * from unnest(?::text[], ?::text[], ?::text[], ?::timestamptz[], ?::timestamptz[],
                                 ?::timestamptz[], ?::text[])
            on conflict (deployment_id, stage) do update set
                started_at  = least(s.started_at, excluded.started_at),
                status      = case when excluded.status_time >= s.status_time then excluded.status else s.status end,
                reason      = case when excluded.status_time >= s.status_time then excluded.reason else s.reason end,
                finished_at = case when excluded.status_time >= s.status_time
                                   then excluded.finished_at else s.finished_at end,
                status_time = greatest(s.status_time, excluded.status_time)
            """;

    private final AgroalDataSource dataSource;

    public LedgerStore(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * Stores a batch in one transaction.
     *
     * @return how many events were new to the ledger
     */
    public int store(List<ReceivedEvent> batch) throws SQLException {
        if (batch.isEmpty()) {
            return 0;
        }
        LedgerProjection projection = LedgerProjection.of(batch);
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                int stored = writeEventsAndProjection(c, batch, projection);
                ReplayLedger.store(c, batch);
                HostKeyLedger.store(c, batch);
                c.commit();
                return stored;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    /**
     * Writes the events and the projection's rows with the fewest round trips: a small batch's multi-row event
     * {@code insert} (plain parameters: no array literal to build and escape character by character) and both upserts
     * go as one multi-statement command, which the driver sends at once; a large batch is copied first.
     *
     * @return how many events were new to the ledger
     */
    private static int writeEventsAndProjection(Connection c, List<ReceivedEvent> batch, LedgerProjection projection)
            throws SQLException {
        boolean copy = batch.size() >= COPY_FROM_ROWS;
        int stored = copy ? copyEvents(c, batch) : 0;
        Collection<DeploymentRow> deployments = projection.deployments();
        Collection<StageRow> stages = projection.stages();
        List<String> statements = new java.util.ArrayList<>(3);
        if (!copy) {
            statements.add(INSERT_EVENTS_HEAD
                    + String.join(", ", java.util.Collections.nCopies(batch.size(), INSERT_EVENT_ROW))
                    + INSERT_EVENTS_TAIL);
        }
        if (!deployments.isEmpty()) {
            statements.add(UPSERT_DEPLOYMENTS);
        }
        if (!stages.isEmpty()) {
            statements.add(UPSERT_STAGES);
        }
        if (statements.isEmpty()) {
            return stored;
        }
        try (PreparedStatement ps = c.prepareStatement(String.join(";\n", statements))) {
            int i = 1;
            if (!copy) {
                i = bindEvents(ps, i, batch);
            }
            if (!deployments.isEmpty()) {
                i = bindDeployments(c, ps, i, deployments);
            }
            if (!stages.isEmpty()) {
                bindStages(c, ps, i, stages);
            }
            ps.execute();
            if (!copy) {
                // the first result is the event insert's
                stored = ps.getUpdateCount();
            }
        }
        return stored;
    }

    private static int bindEvents(PreparedStatement ps, int first, List<ReceivedEvent> rows) throws SQLException {
        int i = first;
        for (ReceivedEvent r : rows) {
            EventEnvelope e = r.event();
            ps.setString(i++, e.id());
            ps.setString(i++, e.type());
            ps.setString(i++, e.source());
            ps.setString(i++, e.subject());
            ps.setObject(i++, e.time());
            ps.setString(i++, e.dataSchema());
            ps.setString(i++, e.deploymentId());
            ps.setString(i++, e.causationId());
            ps.setString(i++, e.replayOf());
            ps.setString(i++, r.topic());
            ps.setInt(i++, r.partition());
            ps.setLong(i++, r.offset());
            ps.setString(i++, e.data().toString());
            ps.setString(i++, r.traceId());
        }
        return i;
    }

    /**
     * Loads the batch with COPY. Nearly always every event is new, and it is copied straight into {@code event}; a
     * batch holding an event the ledger already has (redelivered after a restart or a rebalance) makes that COPY fail
     * on the primary key, and is then streamed into the session's staging table and moved into {@code event} with
     * {@code on conflict do nothing}.
     */
    private static int copyEvents(Connection c, List<ReceivedEvent> batch) throws SQLException {
        // the rows' text (mostly the payloads as JSON) is written on every core
        byte[][] rows = new byte[batch.size()][];
        IntStream.range(0, batch.size()).parallel().forEach(i -> rows[i] = CopyText.eventRow(batch.get(i)));
        Savepoint before = c.setSavepoint();
        try {
            copy(c, COPY_EVENTS, rows);
            c.releaseSavepoint(before);
            return rows.length;
        } catch (SQLException e) {
            if (!UNIQUE_VIOLATION.equals(e.getSQLState())) {
                throw e;
            }
            c.rollback(before);
        }
        try (Statement s = c.createStatement()) {
            s.execute(CREATE_STAGING);
        }
        copy(c, COPY_STAGING, rows);
        try (Statement s = c.createStatement()) {
            return s.executeUpdate(MOVE_STAGING);
        }
    }

    private static void copy(Connection c, String sql, byte[][] rows) throws SQLException {
        CopyManager copy = c.unwrap(PGConnection.class).getCopyAPI();
        CopyIn in = copy.copyIn(sql);
        try {
            for (byte[] row : rows) {
                in.writeToCopy(row, 0, row.length);
            }
            in.endCopy();
        } finally {
            if (in.isActive()) {
                in.cancelCopy();
            }
        }
    }

    private static int bindDeployments(Connection c, PreparedStatement ps, int first, Collection<DeploymentRow> rows)
            throws SQLException {
        int i = first;
        ps.setArray(i++, c.createArrayOf("text", rows.stream().map(r -> r.id).toArray()));
        ps.setArray(i++, c.createArrayOf("text", rows.stream().map(r -> r.host).toArray()));
        ps.setArray(
                i++,
                c.createArrayOf("text", rows.stream().map(r -> r.repository).toArray()));
        ps.setArray(
                i++, c.createArrayOf("text", rows.stream().map(r -> r.commit).toArray()));
        ps.setArray(
                i++,
                c.createArrayOf("text", rows.stream().map(r -> r.firstStage).toArray()));
        ps.setArray(
                i++,
                c.createArrayOf("text", rows.stream().map(r -> r.status.id()).toArray()));
        ps.setArray(
                i++, c.createArrayOf("text", rows.stream().map(r -> r.result).toArray()));
        ps.setArray(i++, times(c, rows.stream().map(r -> r.startedAt).toList()));
        ps.setArray(i++, times(c, rows.stream().map(r -> r.updatedAt).toList()));
        ps.setArray(i++, times(c, rows.stream().map(r -> r.finishedAt).toList()));
        ps.setArray(i++, times(c, rows.stream().map(r -> r.statusTime).toList()));
        return i;
    }

    private static void bindStages(Connection c, PreparedStatement ps, int first, Collection<StageRow> rows)
            throws SQLException {
        int i = first;
        ps.setArray(
                i++,
                c.createArrayOf("text", rows.stream().map(r -> r.deploymentId).toArray()));
        ps.setArray(i++, c.createArrayOf("text", rows.stream().map(r -> r.stage).toArray()));
        ps.setArray(
                i++, c.createArrayOf("text", rows.stream().map(r -> r.status).toArray()));
        ps.setArray(i++, times(c, rows.stream().map(r -> r.startedAt).toList()));
        ps.setArray(i++, times(c, rows.stream().map(r -> r.finishedAt).toList()));
        ps.setArray(i++, times(c, rows.stream().map(r -> r.statusTime).toList()));
        ps.setArray(i, c.createArrayOf("text", rows.stream().map(r -> r.reason).toArray()));
    }

    private static java.sql.Array times(Connection c, List<OffsetDateTime> times) throws SQLException {
        return c.createArrayOf(
                "text", times.stream().map(t -> t == null ? null : t.toString()).toArray());
    }
}
