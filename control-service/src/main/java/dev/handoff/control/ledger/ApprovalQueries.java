package dev.handoff.control.ledger;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;

/** Finds, in the ledger, the approval request a deployment waits on, and whether its stage still waits. */
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
}
