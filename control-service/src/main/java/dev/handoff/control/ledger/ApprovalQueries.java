package dev.handoff.control.ledger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.handoff.common.serde.Json;
import dev.handoff.control.api.Views.ApprovalView;
import dev.handoff.control.api.Views.Page;
import dev.handoff.control.ledger.LedgerQueries.Cursor;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Finds, in the ledger, the approval request a deployment waits on, and whether its stage still waits; lists approval
 * requests with what became of them.
 */
@ApplicationScoped
public class ApprovalQueries {
    /** The stage status the ledger shows while a stage waits for an operator's decision. */
    public static final String WAITING = "waiting-approval";

    private final AgroalDataSource dataSource;

    public ApprovalQueries(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * The newest approval request of a deployment.
     *
     * @param requestId the {@code approval.requested} event's id
     * @param host its subject
     * @param stage the stage that asked
     * @param stageStatus the stage's status in the ledger now, e.g. {@code waiting-approval}, {@code failed}
     */
    public record PendingRequest(String requestId, String host, String stage, String stageStatus) {
        /** Whether the stage still waits for this request's answer. */
        public boolean waiting() {
            return WAITING.equals(stageStatus);
        }
    }

    /** The newest approval request of {@code deploymentId}, if it ever asked for one. */
    public Optional<PendingRequest> newestRequest(String deploymentId) throws SQLException {
        String sql = """
                select e.id, e.subject, e.data->>'stage' as stage, s.status
                  from event e
                  left join deployment_stage s on s.deployment_id = e.deployment_id and s.stage = e.data->>'stage'
                 where e.deployment_id = ? and e.type = 'handoff.approval.requested'
                 order by e.time desc, e.id desc
                 limit 1
                """;
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, deploymentId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(new PendingRequest(
                        rs.getString("id"), rs.getString("subject"), rs.getString("stage"), rs.getString("status")));
            }
        }
    }

    /**
     * Approval requests, newest first, with the stage's status now and the decision if there is one.
     *
     * @param pendingOnly only those an operator still has to decide: the stage waits, the request is its deployment's
     *     newest and no decision was published
     * @param before the last request of the previous page (its time and id), or null for the first page
     */
    public Page<ApprovalView> list(boolean pendingOnly, int limit, Cursor before) throws SQLException {
        StringBuilder sql = new StringBuilder("""
                select * from (
                  select e.id, e.deployment_id, e.subject, e.time, e.data, s.status, d.data as decided,
                         s.status = 'waiting-approval' and d.data is null and not exists (
                           select 1 from event n
                            where n.deployment_id = e.deployment_id and n.type = 'handoff.approval.requested'
                              and (n.time, n.id) > (e.time, e.id)) as pending
                    from event e
                    left join deployment_stage s
                           on s.deployment_id = e.deployment_id and s.stage = e.data->>'stage'
                    left join lateral (
                           select x.data from event x
                            where x.deployment_id = e.deployment_id and x.type = 'handoff.approval.decided'
                              and x.data->>'requestId' = e.id
                            order by x.time desc limit 1) d on true
                   where e.type = 'handoff.approval.requested'
                ) a where true""");
        List<Object> args = new ArrayList<>();
        if (pendingOnly) {
            sql.append(" and pending");
        }
        if (before != null) {
            sql.append(" and (time, id) < (?, ?)");
            args.add(before.startedAt());
            args.add(before.id());
        }
        sql.append(" order by time desc, id desc limit ?");
        args.add(limit + 1);
        List<ApprovalView> rows = new ArrayList<>();
        List<Cursor> positions = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(sql.toString())) {
            for (int i = 0; i < args.size(); i++) {
                ps.setObject(i + 1, args.get(i));
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.add(approval(rs));
                    positions.add(new Cursor(rs.getObject("time", OffsetDateTime.class), rs.getString("id")));
                }
            }
        }
        String next = null;
        if (rows.size() > limit) {
            rows = rows.subList(0, limit);
            next = positions.get(limit - 1).encode();
        }
        return new Page<>(List.copyOf(rows), next);
    }

    private static ApprovalView approval(ResultSet rs) throws SQLException {
        JsonNode request = json(rs, "data");
        JsonNode decided = json(rs, "decided");
        return new ApprovalView(
                rs.getString("deployment_id"),
                rs.getString("id"),
                rs.getString("subject"),
                request.path("stage").asText(null),
                request.path("repository").asText(null),
                request.path("commit").asText(null),
                rs.getString("status"),
                rs.getBoolean("pending"),
                request.path("changes").size(),
                time(request.path("requestedAt")),
                time(request.path("expiresAt")),
                decided == null ? null : decided.path("decision").asText(null),
                decided == null ? null : decided.path("decidedBy").asText(null),
                decided == null ? null : time(decided.path("decidedAt")),
                decided == null ? null : decided.path("comment").asText(null));
    }

    private static JsonNode json(ResultSet rs, String column) throws SQLException {
        String text = rs.getString(column);
        if (text == null) {
            return null;
        }
        try {
            return Json.mapper().readTree(text);
        } catch (JsonProcessingException e) {
            throw new SQLException("event " + rs.getString("id") + " has unreadable data in the ledger", e);
        }
    }

    private static OffsetDateTime time(JsonNode node) {
        try {
            return node.isTextual() ? OffsetDateTime.parse(node.asText()) : null;
        } catch (DateTimeParseException e) {
            // the schema validated it as a date-time when it was stored; a form OffsetDateTime cannot read is left out
            return null;
        }
    }
}
