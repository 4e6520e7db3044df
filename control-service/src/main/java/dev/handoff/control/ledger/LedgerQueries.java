package dev.handoff.control.ledger;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.handoff.common.serde.Json;
import dev.handoff.control.api.ReplayViews;
import dev.handoff.control.api.Views.DeploymentView;
import dev.handoff.control.api.Views.EventView;
import dev.handoff.control.api.Views.Page;
import dev.handoff.control.api.Views.StageView;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Reads the ledger for the API: keyset-paged deployment lists, one deployment's timeline, raw events. */
@ApplicationScoped
public class LedgerQueries {
    private static final List<String> STAGE_ORDER =
            List.of("commit", "infra", "secrets", "converge", "workload", "backup");

    private final AgroalDataSource dataSource;

    public LedgerQueries(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Filters of the deployment list. */
    public record DeploymentFilter(String host, String repository, String status) {}

    /** A position in the newest-first list: (started_at, id) of the last item seen. */
    public record Cursor(OffsetDateTime startedAt, String id) {
        /** Encodes as an opaque URL-safe string. */
        public String encode() {
            return Base64.getUrlEncoder()
                    .withoutPadding()
                    .encodeToString((startedAt + "|" + id).getBytes(StandardCharsets.UTF_8));
        }

        /**
         * Decodes a cursor from {@link #encode()}.
         *
         * @throws IllegalArgumentException when it is not one
         */
        public static Cursor decode(String text) {
            try {
                String s = new String(Base64.getUrlDecoder().decode(text), StandardCharsets.UTF_8);
                int bar = s.indexOf('|');
                return new Cursor(OffsetDateTime.parse(s.substring(0, bar)), s.substring(bar + 1));
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("'before' is not a cursor from a previous page's 'next'");
            }
        }
    }

    /** Deployments, newest first. */
    public Page<DeploymentView> deployments(DeploymentFilter filter, int limit, Cursor before) throws SQLException {
        StringBuilder sql = new StringBuilder(
                "select id, host, repository, commit_sha, first_stage, status, result, started_at, updated_at,"
                        + " finished_at from deployment where true");
        List<Object> args = new ArrayList<>();
        if (filter.host() != null) {
            sql.append(" and host = ?");
            args.add(filter.host());
        }
        if (filter.repository() != null) {
            sql.append(" and repository = ?");
            args.add(filter.repository());
        }
        if (filter.status() != null) {
            sql.append(" and status = ?");
            args.add(filter.status());
        }
        if (before != null) {
            sql.append(" and (started_at, id) < (?, ?)");
            args.add(before.startedAt());
            args.add(before.id());
        }
        sql.append(" order by started_at desc, id desc limit ?");
        args.add(limit + 1);
        try (Connection c = dataSource.getConnection()) {
            List<DeploymentView> rows = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
                bind(ps, args);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        rows.add(deployment(rs, List.of(), null));
                    }
                }
            }
            String next = null;
            if (rows.size() > limit) {
                rows = rows.subList(0, limit);
                DeploymentView last = rows.get(limit - 1);
                next = new Cursor(last.startedAt(), last.id()).encode();
            }
            List<String> ids = rows.stream().map(DeploymentView::id).toList();
            Map<String, List<StageView>> stages = stages(c, ids);
            ReplayLedger.Links links = ReplayLedger.links(c, ids);
            List<DeploymentView> items = rows.stream()
                    .map(d -> withStages(d, stages.getOrDefault(d.id(), List.of()), null, links))
                    .toList();
            return new Page<>(items, next);
        }
    }

    /** One deployment with its stages and every event, in time order. */
    public Optional<DeploymentView> deployment(String id) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            DeploymentView d;
            try (PreparedStatement ps = c.prepareStatement(
                    "select id, host, repository, commit_sha, first_stage, status, result, started_at, updated_at,"
                            + " finished_at from deployment where id = ?")) {
                ps.setString(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.empty();
                    }
                    d = deployment(rs, List.of(), null);
                }
            }
            List<EventView> events = new ArrayList<>();
            try (PreparedStatement ps =
                    c.prepareStatement(EVENT_COLUMNS + " where deployment_id = ? order by time, kafka_offset, id")) {
                ps.setString(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        events.add(event(rs));
                    }
                }
            }
            return Optional.of(withStages(
                    d, stages(c, List.of(id)).getOrDefault(id, List.of()), events, ReplayLedger.links(c, List.of(id))));
        }
    }

    /**
     * A commit deployed on a host.
     *
     * @param commit the deployed commit
     * @param at when its deployment started
     */
    public record DeployedCommit(String commit, OffsetDateTime at) {}

    /**
     * The commit of the newest deployment of {@code repository} on {@code host} that was neither stale nor superseded
     * (nothing ran for those): what the host
     * runs from that repository, whether a push or a replay deployed it.
     */
    public Optional<DeployedCommit> lastDeployment(String repository, String host) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("select commit_sha, started_at from deployment"
                        + " where host = ? and repository = ? and commit_sha is not null and status not in (?, ?)"
                        + " order by started_at desc, id desc limit 1")) {
            ps.setString(1, host);
            ps.setString(2, repository);
            ps.setString(3, LedgerProjection.Status.STALE.id());
            ps.setString(4, LedgerProjection.Status.SUPERSEDED.id());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next()
                        ? Optional.of(new DeployedCommit(rs.getString(1), rs.getObject(2, OffsetDateTime.class)))
                        : Optional.empty();
            }
        }
    }

    /** Filters of the event list. */
    public record EventFilter(String deployment, String type, String topic, Integer partition, Long fromOffset) {}

    /** Events matching the filter, by topic position (or time when no topic is given). */
    public List<EventView> events(EventFilter f, int limit) throws SQLException {
        StringBuilder sql = new StringBuilder(EVENT_COLUMNS + " where true");
        List<Object> args = new ArrayList<>();
        if (f.deployment() != null) {
            sql.append(" and deployment_id = ?");
            args.add(f.deployment());
        }
        if (f.type() != null) {
            sql.append(" and type = ?");
            args.add(f.type());
        }
        if (f.topic() != null) {
            sql.append(" and topic = ?");
            args.add(f.topic());
        }
        if (f.partition() != null) {
            sql.append(" and kafka_partition = ?");
            args.add(f.partition());
        }
        if (f.fromOffset() != null) {
            sql.append(" and kafka_offset >= ?");
            args.add(f.fromOffset());
        }
        sql.append(
                f.topic() != null
                        ? " order by kafka_partition, kafka_offset limit ?"
                        : " order by time, topic, kafka_partition, kafka_offset limit ?");
        args.add(limit);
        List<EventView> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(sql.toString())) {
            bind(ps, args);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(event(rs));
                }
            }
        }
        return out;
    }

    private static final String EVENT_COLUMNS =
            "select id, type, time, source, subject, dataschema, deployment_id, causation_id, replay_of, topic,"
                    + " kafka_partition, kafka_offset, data, trace_id from event";

    private static Map<String, List<StageView>> stages(Connection c, List<String> ids) throws SQLException {
        Map<String, List<StageView>> out = new HashMap<>();
        if (ids.isEmpty()) {
            return out;
        }
        try (PreparedStatement ps = c.prepareStatement(
                "select deployment_id, stage, status, started_at, finished_at, reason from deployment_stage"
                        + " where deployment_id = any(?)")) {
            ps.setArray(1, c.createArrayOf("text", ids.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    OffsetDateTime started = rs.getObject("started_at", OffsetDateTime.class);
                    OffsetDateTime finished = rs.getObject("finished_at", OffsetDateTime.class);
                    out.computeIfAbsent(rs.getString("deployment_id"), k -> new ArrayList<>())
                            .add(new StageView(
                                    rs.getString("stage"),
                                    rs.getString("status"),
                                    started,
                                    finished,
                                    started != null && finished != null
                                            ? Duration.between(started, finished)
                                                    .toMillis()
                                            : null,
                                    rs.getString("reason")));
                }
            }
        }
        out.values()
                .forEach(list -> list.sort(
                        (a, b) -> Integer.compare(STAGE_ORDER.indexOf(a.stage()), STAGE_ORDER.indexOf(b.stage()))));
        return out;
    }

    private static DeploymentView deployment(ResultSet rs, List<StageView> stages, List<EventView> events)
            throws SQLException {
        return new DeploymentView(
                rs.getString("id"),
                rs.getString("host"),
                rs.getString("repository"),
                rs.getString("commit_sha"),
                rs.getString("first_stage"),
                rs.getString("status"),
                rs.getString("result"),
                rs.getObject("started_at", OffsetDateTime.class),
                rs.getObject("updated_at", OffsetDateTime.class),
                rs.getObject("finished_at", OffsetDateTime.class),
                stages,
                events,
                null,
                null);
    }

    private static DeploymentView withStages(
            DeploymentView d, List<StageView> stages, List<EventView> events, ReplayLedger.Links links) {
        List<ReplayViews.ReplayLink> replays = links.replays(d.id());
        return new DeploymentView(
                d.id(),
                d.host(),
                d.repository(),
                d.commit(),
                d.firstStage(),
                d.status(),
                d.result(),
                d.startedAt(),
                d.updatedAt(),
                d.finishedAt(),
                stages,
                events,
                links.replayOf(d.id()).orElse(null),
                replays.isEmpty() ? null : replays);
    }

    private static EventView event(ResultSet rs) throws SQLException {
        try {
            return new EventView(
                    rs.getString("id"),
                    rs.getString("type"),
                    rs.getObject("time", OffsetDateTime.class),
                    rs.getString("source"),
                    rs.getString("subject"),
                    rs.getString("dataschema"),
                    rs.getString("deployment_id"),
                    rs.getString("causation_id"),
                    rs.getString("replay_of"),
                    rs.getString("topic"),
                    rs.getInt("kafka_partition"),
                    rs.getLong("kafka_offset"),
                    rs.getString("trace_id"),
                    Json.mapper().readTree(rs.getString("data")));
        } catch (JsonProcessingException e) {
            throw new SQLException("event " + rs.getString("id") + " has unreadable data in the ledger", e);
        }
    }

    private static void bind(PreparedStatement ps, List<Object> args) throws SQLException {
        for (int i = 0; i < args.size(); i++) {
            ps.setObject(i + 1, args.get(i));
        }
    }
}
