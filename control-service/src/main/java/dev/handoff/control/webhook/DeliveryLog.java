package dev.handoff.control.webhook;

import dev.handoff.control.ledger.LedgerQueries;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Remembers accepted webhook deliveries in PostgreSQL, so a repeated {@code X-Forgejo-Delivery} is dropped even after
 * a restart.
 */
@ApplicationScoped
public class DeliveryLog {
    private static final int RECENT = 200;

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

    /**
     * The newest commit of {@code repository} that a delivery published for {@code host}: it may not be in the ledger
     * yet, which reads it back from Kafka a moment later. Looks at the newest {@value #RECENT} deliveries of the
     * repository.
     */
    public Optional<LedgerQueries.DeployedCommit> lastPublished(String repository, String host) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("select commit_sha, deployment_ids, received_at"
                        + " from webhook_delivery where repository = ? order by received_at desc limit " + RECENT)) {
            ps.setString(1, repository);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String commit = rs.getString(1);
                    List<String> ids = Arrays.asList((String[]) rs.getArray(2).getArray());
                    if (ids.contains(PushRouting.deploymentId(repository, commit, host))) {
                        return Optional.of(
                                new LedgerQueries.DeployedCommit(commit, rs.getObject(3, OffsetDateTime.class)));
                    }
                }
            }
        }
        return Optional.empty();
    }

    /**
     * Takes the lock of one commit of one repository, shared by every control-service replica (a PostgreSQL advisory
     * lock), until closed: the webhook and the reconciliation each hold it from "was this commit deployed before?" to
     * recording what they published, so that a delivery and a reconciliation of the same commit (or two deliveries)
     * never both publish it.
     */
    public CommitLock lockCommit(String repository, String commit) throws SQLException {
        Connection c = dataSource.getConnection();
        try {
            // a transaction's lock: whatever happens to this connection, the lock ends with the transaction
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("select pg_advisory_xact_lock(hashtextextended(?, 0))")) {
                ps.setString(1, repository + "@" + commit);
                ps.execute();
            }
            return new CommitLock(c);
        } catch (SQLException | RuntimeException e) {
            c.close();
            throw e;
        }
    }

    /** A held commit lock; closing ends its transaction, which releases it. */
    public static final class CommitLock implements AutoCloseable {
        private final Connection connection;

        CommitLock(Connection connection) {
            this.connection = connection;
        }

        @Override
        public void close() throws SQLException {
            try (Connection c = connection) {
                c.rollback();
                c.setAutoCommit(true);
            }
        }
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
