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
import java.time.OffsetDateTime;
import java.util.Collection;
import java.util.List;
import java.util.function.Function;

/**
 * Writes batches of events into the ledger: every event once (its id is the primary key, so a redelivered event
 * changes nothing) and the deployment projection, all in one transaction per batch. Each table is written with one
 * statement per batch ({@code unnest} of arrays), which keeps ingest fast.
 */
@ApplicationScoped
public class LedgerStore {
    private static final String INSERT_EVENTS = """
            insert into event (id, type, source, subject, time, dataschema, deployment_id, causation_id, replay_of,
                               topic, kafka_partition, kafka_offset, data)
            select id, type, source, subject, time, dataschema, deployment_id, causation_id, replay_of,
                   topic, kafka_partition, kafka_offset, data::jsonb
            from unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::timestamptz[], ?::text[], ?::text[],
                        ?::text[], ?::text[], ?::text[], ?::int[], ?::bigint[], ?::text[])
                 as t(id, type, source, subject, time, dataschema, deployment_id, causation_id, replay_of,
                      topic, kafka_partition, kafka_offset, data)
            on conflict (id) do nothing
            """;

    private static final String UPSERT_DEPLOYMENTS = """
            insert into deployment as d (id, host, repository, commit_sha, first_stage, status, result,
                                         started_at, updated_at, finished_at, status_time)
            select * from unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[],
                                 ?::timestamptz[], ?::timestamptz[], ?::timestamptz[], ?::timestamptz[])
            on conflict (id) do update set
                repository  = coalesce(d.repository, excluded.repository),
                commit_sha  = coalesce(d.commit_sha, excluded.commit_sha),
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
                int stored = insertEvents(c, batch);
                upsertDeployments(c, projection.deployments());
                upsertStages(c, projection.stages());
                ReplayLedger.store(c, batch);
                c.commit();
                return stored;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    private static int insertEvents(Connection c, List<ReceivedEvent> batch) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(INSERT_EVENTS)) {
            Function<Function<EventEnvelope, Object>, Object[]> col =
                    f -> batch.stream().map(r -> f.apply(r.event())).toArray();
            int i = 1;
            ps.setArray(i++, c.createArrayOf("text", col.apply(EventEnvelope::id)));
            ps.setArray(i++, c.createArrayOf("text", col.apply(EventEnvelope::type)));
            ps.setArray(i++, c.createArrayOf("text", col.apply(EventEnvelope::source)));
            ps.setArray(i++, c.createArrayOf("text", col.apply(EventEnvelope::subject)));
            ps.setArray(i++, c.createArrayOf("text", col.apply(e -> e.time().toString())));
            ps.setArray(i++, c.createArrayOf("text", col.apply(EventEnvelope::dataSchema)));
            ps.setArray(i++, c.createArrayOf("text", col.apply(EventEnvelope::deploymentId)));
            ps.setArray(i++, c.createArrayOf("text", col.apply(EventEnvelope::causationId)));
            ps.setArray(i++, c.createArrayOf("text", col.apply(EventEnvelope::replayOf)));
            ps.setArray(
                    i++,
                    c.createArrayOf(
                            "text", batch.stream().map(ReceivedEvent::topic).toArray()));
            ps.setArray(
                    i++,
                    c.createArrayOf(
                            "integer",
                            batch.stream().map(ReceivedEvent::partition).toArray()));
            ps.setArray(
                    i++,
                    c.createArrayOf(
                            "bigint", batch.stream().map(ReceivedEvent::offset).toArray()));
            ps.setArray(i, c.createArrayOf("text", col.apply(e -> e.data().toString())));
            return ps.executeUpdate();
        }
    }

    private static void upsertDeployments(Connection c, Collection<DeploymentRow> rows) throws SQLException {
        if (rows.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement(UPSERT_DEPLOYMENTS)) {
            int i = 1;
            ps.setArray(
                    i++, c.createArrayOf("text", rows.stream().map(r -> r.id).toArray()));
            ps.setArray(
                    i++, c.createArrayOf("text", rows.stream().map(r -> r.host).toArray()));
            ps.setArray(
                    i++,
                    c.createArrayOf("text", rows.stream().map(r -> r.repository).toArray()));
            ps.setArray(
                    i++,
                    c.createArrayOf("text", rows.stream().map(r -> r.commit).toArray()));
            ps.setArray(
                    i++,
                    c.createArrayOf("text", rows.stream().map(r -> r.firstStage).toArray()));
            ps.setArray(
                    i++,
                    c.createArrayOf(
                            "text", rows.stream().map(r -> r.status.id()).toArray()));
            ps.setArray(
                    i++,
                    c.createArrayOf("text", rows.stream().map(r -> r.result).toArray()));
            ps.setArray(i++, times(c, rows.stream().map(r -> r.startedAt).toList()));
            ps.setArray(i++, times(c, rows.stream().map(r -> r.updatedAt).toList()));
            ps.setArray(i++, times(c, rows.stream().map(r -> r.finishedAt).toList()));
            ps.setArray(i, times(c, rows.stream().map(r -> r.statusTime).toList()));
            ps.executeUpdate();
        }
    }

    private static void upsertStages(Connection c, Collection<StageRow> rows) throws SQLException {
        if (rows.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement(UPSERT_STAGES)) {
            int i = 1;
            ps.setArray(
                    i++,
                    c.createArrayOf(
                            "text", rows.stream().map(r -> r.deploymentId).toArray()));
            ps.setArray(
                    i++, c.createArrayOf("text", rows.stream().map(r -> r.stage).toArray()));
            ps.setArray(
                    i++,
                    c.createArrayOf("text", rows.stream().map(r -> r.status).toArray()));
            ps.setArray(i++, times(c, rows.stream().map(r -> r.startedAt).toList()));
            ps.setArray(i++, times(c, rows.stream().map(r -> r.finishedAt).toList()));
            ps.setArray(i++, times(c, rows.stream().map(r -> r.statusTime).toList()));
            ps.setArray(
                    i, c.createArrayOf("text", rows.stream().map(r -> r.reason).toArray()));
            ps.executeUpdate();
        }
    }

    private static java.sql.Array times(Connection c, List<OffsetDateTime> times) throws SQLException {
        return c.createArrayOf(
                "text", times.stream().map(t -> t == null ? null : t.toString()).toArray());
    }
}
