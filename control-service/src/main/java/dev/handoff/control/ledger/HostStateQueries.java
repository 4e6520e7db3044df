package dev.handoff.control.ledger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.handoff.common.serde.Json;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Reads what the ledger knows of one host for its web page: each stage's newest run, and the host's newest event of
 * a kind (convergence facts, backup verdicts, drift reports). The caller has checked the host against handoff.yaml.
 */
@ApplicationScoped
public class HostStateQueries {
    private final AgroalDataSource dataSource;

    public HostStateQueries(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * A stage's newest run on a host.
     *
     * @param stage the stage
     * @param status its status in that deployment
     * @param startedAt when it started, if known
     * @param finishedAt when it finished, if it did
     * @param reason why it failed, if it did
     * @param deploymentId the deployment
     * @param deploymentStatus the deployment's status
     * @param repository the repository whose push (or replay) started the deployment
     * @param commit that commit
     */
    public record StageRun(
            String stage,
            String status,
            OffsetDateTime startedAt,
            OffsetDateTime finishedAt,
            String reason,
            String deploymentId,
            String deploymentStatus,
            String repository,
            String commit) {}

    /**
     * An event of the host.
     *
     * @param id its id
     * @param type its CloudEvents type
     * @param time its time
     * @param deploymentId its deployment, if any
     * @param data its payload
     */
    public record HostEvent(String id, String type, OffsetDateTime time, String deploymentId, JsonNode data) {}

    /** The newest run of each stage on {@code host}, by stage id. */
    public Map<String, StageRun> lastRunPerStage(String host) throws SQLException {
        Map<String, StageRun> out = new HashMap<>();
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("""
                        select distinct on (s.stage) s.stage, s.status, s.started_at, s.finished_at, s.reason,
                               d.id, d.status, d.repository, d.commit_sha
                          from deployment d join deployment_stage s on s.deployment_id = d.id
                         where d.host = ?
                         order by s.stage, s.status_time desc, d.started_at desc, d.id desc
                        """)) {
            ps.setString(1, host);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(
                            rs.getString(1),
                            new StageRun(
                                    rs.getString(1),
                                    rs.getString(2),
                                    rs.getObject(3, OffsetDateTime.class),
                                    rs.getObject(4, OffsetDateTime.class),
                                    rs.getString(5),
                                    rs.getString(6),
                                    rs.getString(7),
                                    rs.getString(8),
                                    rs.getString(9)));
                }
            }
        }
        return out;
    }

    /**
     * The host's newest event of {@code type}; when {@code field} is given, only one whose payload has that value
     * there (e.g. {@code contract} = {@code runtime}, {@code reason} = {@code drift}).
     */
    public Optional<HostEvent> newest(String host, String type, String field, String value) throws SQLException {
        String sql = "select id, type, time, deployment_id, data from event where type = ? and subject = ?"
                + (field == null ? "" : " and data->>? = ?")
                + " order by time desc, kafka_offset desc, id desc limit 1";
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, type);
            ps.setString(2, host);
            if (field != null) {
                ps.setString(3, field);
                ps.setString(4, value);
            }
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(new HostEvent(
                        rs.getString(1),
                        rs.getString(2),
                        rs.getObject(3, OffsetDateTime.class),
                        rs.getString(4),
                        Json.mapper().readTree(rs.getString(5))));
            }
        } catch (JsonProcessingException e) {
            throw new SQLException("an event of " + host + " has unreadable data in the ledger", e);
        }
    }
}
