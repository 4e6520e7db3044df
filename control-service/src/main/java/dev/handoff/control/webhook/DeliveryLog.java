package dev.handoff.control.webhook;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Remembers accepted webhook deliveries in PostgreSQL, so a repeated {@code X-Forgejo-Delivery} is dropped even after
 * a restart.
 */
@ApplicationScoped
public class DeliveryLog {
    private final AgroalDataSource dataSource;

    public DeliveryLog(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** The deployment ids of an already accepted delivery, if it was accepted before. */
    public Optional<List<String>> accepted(String deliveryId) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps =
                        c.prepareStatement("select deployment_ids from webhook_delivery where delivery_id = ?")) {
            ps.setString(1, deliveryId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(Arrays.asList((String[]) rs.getArray(1).getArray()));
            }
        }
    }

    /**
     * The deployments already published for {@code commit} of {@code repository}, by any delivery: deployment id →
     * the first delivery that carried it.
     */
    public java.util.Map<String, String> deployedBefore(String repository, String commit) throws SQLException {
        java.util.Map<String, String> deployed = new java.util.LinkedHashMap<>();
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("select delivery_id, deployment_ids from webhook_delivery"
                        + " where repository = ? and commit_sha = ? order by received_at")) {
            ps.setString(1, repository);
            ps.setString(2, commit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    for (String id : (String[]) rs.getArray(2).getArray()) {
                        deployed.putIfAbsent(id, rs.getString(1));
                    }
                }
            }
        }
        return deployed;
    }

    /** Records an accepted delivery; a concurrent duplicate changes nothing. */
    public void record(String deliveryId, String repository, String commit, List<String> deploymentIds)
            throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(
                        "insert into webhook_delivery (delivery_id, repository, commit_sha, deployment_ids)"
                                + " values (?, ?, ?, ?) on conflict (delivery_id) do nothing")) {
            Array ids = c.createArrayOf("text", deploymentIds.toArray());
            ps.setString(1, deliveryId);
            ps.setString(2, repository);
            ps.setString(3, commit);
            ps.setArray(4, ids);
            ps.executeUpdate();
        }
    }
}
