package dev.handoff.control.ledger;

import com.fasterxml.jackson.databind.JsonNode;
import dev.handoff.common.event.EventEnvelope;
import dev.handoff.common.event.EventType;
import dev.handoff.common.event.Stage;
import dev.handoff.common.event.StageInputs;
import dev.handoff.common.messaging.ReceivedEvent;
import dev.handoff.control.api.ReplayViews.ReplayLink;
import dev.handoff.control.api.ReplayViews.ReplayView;
import dev.handoff.control.api.ReplayViews.ReplayedRecord;
import dev.handoff.control.api.Views.Page;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The replays in the ledger. Written from the topics inside the ledger's batch transaction ({@link #store}): each
 * {@code handoff.replay.requested} event becomes a replay row, each copy on a replay channel a row linking the new
 * deployment to the original's; read for the API and for the replay links of deployments.
 */
@ApplicationScoped
public class ReplayLedger {
    private static final String INSERT_REPLAYS = """
            insert into replay (id, stage, topic, kafka_partition, from_offset, to_offset, host, requested_by,
                                requested_at, record_count)
            select * from unnest(?::text[], ?::text[], ?::text[], ?::int[], ?::bigint[], ?::bigint[], ?::text[],
                                 ?::text[], ?::timestamptz[], ?::int[])
            on conflict (id) do nothing
            """;

    private static final String INSERT_RECORDS = """
            insert into replay_record (event_id, replay_id, stage, deployment_id, original_event_id,
                                       original_deployment_id)
            select t.event_id, t.replay_id, t.stage, t.deployment_id, t.original_event_id,
                   (select o.deployment_id from event o where o.id = t.original_event_id)
            from unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[])
                 as t(event_id, replay_id, stage, deployment_id, original_event_id)
            on conflict (event_id) do nothing
            """;

    /** A replayed deployment starts at the replayed stage, whatever its first copy says. */
    private static final String MARK_FIRST_STAGE = """
            update deployment d set first_stage = t.stage
            from unnest(?::text[], ?::text[]) as t(id, stage)
            where d.id = t.id and d.first_stage is distinct from t.stage
            """;

    /** When a ledger is rebuilt, copies may be stored before their originals: link them once the originals come. */
    private static final String LINK_LATE_ORIGINALS = """
            update replay_record r set original_deployment_id = t.deployment_id
            from unnest(?::text[], ?::text[]) as t(id, deployment_id)
            where r.original_event_id = t.id and r.original_deployment_id is null
            """;

    private final AgroalDataSource dataSource;

    public ReplayLedger(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Stores what a batch says about replays, in the caller's transaction (after the batch's events). */
    public static void store(Connection c, List<ReceivedEvent> batch) throws SQLException {
        List<EventEnvelope> requests = new ArrayList<>();
        List<ReceivedEvent> copies = new ArrayList<>();
        List<EventEnvelope> originals = new ArrayList<>();
        for (ReceivedEvent r : batch) {
            EventEnvelope e = r.event();
            if (e.type().equals(EventType.REPLAY_REQUESTED.type())) {
                requests.add(e);
            } else if (e.replayOf() != null
                    && e.causationId() != null
                    && e.deploymentId() != null
                    && StageInputs.ofReplayChannel(r.topic()).isPresent()) {
                copies.add(r);
            } else if (e.deploymentId() != null) {
                originals.add(e);
            }
        }
        if (!requests.isEmpty()) {
            insertReplays(c, requests);
        }
        if (!copies.isEmpty()) {
            insertRecords(c, copies);
        }
        if (!originals.isEmpty() && anyUnlinked(c)) {
            try (PreparedStatement ps = c.prepareStatement(LINK_LATE_ORIGINALS)) {
                ps.setArray(
                        1,
                        c.createArrayOf(
                                "text",
                                originals.stream().map(EventEnvelope::id).toArray()));
                ps.setArray(
                        2,
                        c.createArrayOf(
                                "text",
                                originals.stream()
                                        .map(EventEnvelope::deploymentId)
                                        .toArray()));
                ps.executeUpdate();
            }
        }
    }

    private static void insertReplays(Connection c, List<EventEnvelope> requests) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(INSERT_REPLAYS)) {
            List<JsonNode> data = requests.stream().map(EventEnvelope::data).toList();
            ps.setArray(1, text(c, data, "replayId"));
            ps.setArray(2, text(c, data, "stage"));
            ps.setArray(3, text(c, data, "topic"));
            ps.setArray(
                    4,
                    c.createArrayOf(
                            "integer",
                            data.stream().map(d -> d.path("partition").asInt()).toArray()));
            ps.setArray(
                    5,
                    c.createArrayOf(
                            "bigint",
                            data.stream()
                                    .map(d -> d.path("fromOffset").asLong())
                                    .toArray()));
            ps.setArray(
                    6,
                    c.createArrayOf(
                            "bigint",
                            data.stream().map(d -> d.path("toOffset").asLong()).toArray()));
            ps.setArray(7, text(c, data, "host"));
            ps.setArray(8, text(c, data, "requestedBy"));
            ps.setArray(9, text(c, data, "requestedAt"));
            ps.setArray(
                    10,
                    c.createArrayOf(
                            "integer",
                            data.stream()
                                    .map(d -> d.path("recordCount").asInt())
                                    .toArray()));
            ps.executeUpdate();
        }
    }

    private static void insertRecords(Connection c, List<ReceivedEvent> copies) throws SQLException {
        List<String> stages = copies.stream()
                .map(r -> StageInputs.ofReplayChannel(r.topic()).map(Stage::id).orElseThrow())
                .toList();
        try (PreparedStatement ps = c.prepareStatement(INSERT_RECORDS)) {
            ps.setArray(
                    1,
                    c.createArrayOf(
                            "text", copies.stream().map(r -> r.event().id()).toArray()));
            ps.setArray(
                    2,
                    c.createArrayOf(
                            "text",
                            copies.stream().map(r -> r.event().causationId()).toArray()));
            ps.setArray(3, c.createArrayOf("text", stages.toArray()));
            ps.setArray(
                    4,
                    c.createArrayOf(
                            "text",
                            copies.stream().map(r -> r.event().deploymentId()).toArray()));
            ps.setArray(
                    5,
                    c.createArrayOf(
                            "text",
                            copies.stream().map(r -> r.event().replayOf()).toArray()));
            ps.executeUpdate();
        }
        try (PreparedStatement ps = c.prepareStatement(MARK_FIRST_STAGE)) {
            ps.setArray(
                    1,
                    c.createArrayOf(
                            "text",
                            copies.stream().map(r -> r.event().deploymentId()).toArray()));
            ps.setArray(2, c.createArrayOf("text", stages.toArray()));
            ps.executeUpdate();
        }
    }

    private static boolean anyUnlinked(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                        "select exists (select 1 from replay_record where original_deployment_id is null)");
                ResultSet rs = ps.executeQuery()) {
            return rs.next() && rs.getBoolean(1);
        }
    }

    private static java.sql.Array text(Connection c, List<JsonNode> data, String field) throws SQLException {
        return c.createArrayOf(
                "text",
                data.stream()
                        .map(d -> d.hasNonNull(field) ? d.get(field).asText() : null)
                        .toArray());
    }

    /** Replays, newest first. */
    public Page<ReplayView> replays(int limit, LedgerQueries.Cursor before) throws SQLException {
        StringBuilder sql = new StringBuilder(REPLAY_COLUMNS + " where true");
        if (before != null) {
            sql.append(" and (requested_at, id) < (?, ?)");
        }
        sql.append(" order by requested_at desc, id desc limit ?");
        List<ReplayView> rows = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(sql.toString())) {
            int i = 1;
            if (before != null) {
                ps.setObject(i++, before.startedAt());
                ps.setString(i++, before.id());
            }
            ps.setInt(i, limit + 1);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.add(replay(rs, null));
                }
            }
        }
        String next = null;
        if (rows.size() > limit) {
            rows = rows.subList(0, limit);
            ReplayView last = rows.get(limit - 1);
            next = new LedgerQueries.Cursor(last.requestedAt(), last.id()).encode();
        }
        return new Page<>(rows, next);
    }

    /** One replay with the records it re-published. */
    public Optional<ReplayView> replay(String id) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            try (PreparedStatement ps = c.prepareStatement(REPLAY_COLUMNS + " where id = ?")) {
                ps.setString(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.empty();
                    }
                    List<ReplayedRecord> records = new ArrayList<>();
                    try (PreparedStatement rp = c.prepareStatement("""
                            select r.original_event_id, o.kafka_offset, coalesce(r.original_deployment_id,
                                   o.deployment_id) as original_deployment_id, r.event_id, r.deployment_id, e.type
                            from replay_record r
                            left join event o on o.id = r.original_event_id
                            left join event e on e.id = r.event_id
                            where r.replay_id = ?
                            order by o.kafka_offset, r.event_id
                            """)) {
                        rp.setString(1, id);
                        try (ResultSet rr = rp.executeQuery()) {
                            while (rr.next()) {
                                long offset = rr.getLong("kafka_offset");
                                records.add(new ReplayedRecord(
                                        rr.getString("original_event_id"),
                                        rr.wasNull() ? null : offset,
                                        rr.getString("original_deployment_id"),
                                        rr.getString("event_id"),
                                        rr.getString("deployment_id"),
                                        rr.getString("type")));
                            }
                        }
                    }
                    return Optional.of(replay(rs, records));
                }
            }
        }
    }

    /**
     * The replay links of deployments.
     *
     * @param replayOf for each replayed deployment: its replay and original
     * @param replays for each original deployment: the replays of it and their new deployments
     */
    public record Links(Map<String, ReplayLink> replayOf, Map<String, List<ReplayLink>> replays) {
        public Optional<ReplayLink> replayOf(String deployment) {
            return Optional.ofNullable(replayOf.get(deployment));
        }

        public List<ReplayLink> replays(String deployment) {
            return replays.getOrDefault(deployment, List.of());
        }
    }

    /** The replay links of the given deployments, both ways, in one round trip each. */
    public static Links links(Connection c, List<String> deploymentIds) throws SQLException {
        Map<String, ReplayLink> replayOf = new HashMap<>();
        Map<String, List<ReplayLink>> replays = new HashMap<>();
        if (deploymentIds.isEmpty()) {
            return new Links(replayOf, replays);
        }
        java.sql.Array ids = c.createArrayOf("text", deploymentIds.toArray());
        try (PreparedStatement ps = c.prepareStatement("""
                select distinct r.deployment_id, r.replay_id,
                       coalesce(r.original_deployment_id, o.deployment_id) as original
                from replay_record r left join event o on o.id = r.original_event_id
                where r.deployment_id = any(?)
                """)) {
            ps.setArray(1, ids);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    replayOf.put(
                            rs.getString("deployment_id"),
                            new ReplayLink(rs.getString("replay_id"), rs.getString("original")));
                }
            }
        }
        try (PreparedStatement ps = c.prepareStatement("""
                select r.original_deployment_id, r.replay_id, r.deployment_id, min(p.requested_at) as requested_at
                from replay_record r left join replay p on p.id = r.replay_id
                where r.original_deployment_id = any(?)
                group by r.original_deployment_id, r.replay_id, r.deployment_id
                order by requested_at nulls last, r.deployment_id
                """)) {
            ps.setArray(1, ids);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    replays.computeIfAbsent(rs.getString("original_deployment_id"), k -> new ArrayList<>())
                            .add(new ReplayLink(rs.getString("replay_id"), rs.getString("deployment_id")));
                }
            }
        }
        return new Links(replayOf, replays);
    }

    private static final String REPLAY_COLUMNS =
            "select id, stage, topic, kafka_partition, from_offset, to_offset, host, requested_by, requested_at,"
                    + " record_count from replay";

    private static ReplayView replay(ResultSet rs, List<ReplayedRecord> records) throws SQLException {
        return new ReplayView(
                rs.getString("id"),
                rs.getString("stage"),
                rs.getString("topic"),
                rs.getInt("kafka_partition"),
                rs.getLong("from_offset"),
                rs.getLong("to_offset"),
                rs.getString("host"),
                rs.getString("requested_by"),
                rs.getObject("requested_at", OffsetDateTime.class),
                rs.getInt("record_count"),
                null,
                records);
    }
}
