package dev.handoff.control.ledger;

import dev.handoff.common.event.EventType;
import dev.handoff.common.event.Stage;
import dev.handoff.common.event.StageInputs;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Finds in the ledger what made a stage run for a host last: the newest original (not replayed) trigger of the stage
 * on one of its input topics, with its topic position, which a redeploy replays.
 */
@ApplicationScoped
public class HostTriggers {
    private final AgroalDataSource dataSource;

    public HostTriggers(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * A trigger event and where it was read from.
     *
     * @param eventId its id
     * @param type its CloudEvents type
     * @param topic the topic
     * @param partition the partition
     * @param offset the offset
     * @param deploymentId the deployment it belongs to
     * @param time the event's time
     */
    public record Trigger(
            String eventId,
            String type,
            String topic,
            int partition,
            long offset,
            String deploymentId,
            OffsetDateTime time) {}

    /**
     * The newest trigger of {@code stage} for {@code host}: a {@code commit.pushed} on {@code handoff.commits} of a
     * repository the stage owns, or the earlier stage's {@code …completed} facts — whichever came last.
     */
    public Optional<Trigger> last(String host, Stage stage) throws SQLException {
        List<String> types = triggerTypes(stage);
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("""
                        select id, type, topic, kafka_partition, kafka_offset, deployment_id, time from event
                         where type = any(?) and subject = ? and replay_of is null and topic = any(?)
                           and (type <> ? or data->>'stage' = ?)
                         order by time desc, kafka_offset desc, id desc
                         limit 1
                        """)) {
            ps.setArray(1, c.createArrayOf("text", types.toArray()));
            ps.setString(2, host);
            ps.setArray(3, c.createArrayOf("text", StageInputs.of(stage).toArray()));
            ps.setString(4, EventType.COMMIT_PUSHED.type());
            ps.setString(5, stage.id());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(new Trigger(
                        rs.getString("id"),
                        rs.getString("type"),
                        rs.getString("topic"),
                        rs.getInt("kafka_partition"),
                        rs.getLong("kafka_offset"),
                        rs.getString("deployment_id"),
                        rs.getObject("time", OffsetDateTime.class)));
            }
        }
    }

    /** The stage the host's newest deployment started at, if it has a deployment that names one. */
    public Optional<String> lastFirstStage(String host) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("select first_stage from deployment"
                        + " where host = ? and first_stage is not null order by started_at desc, id desc limit 1")) {
            ps.setString(1, host);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
            }
        }
    }

    /** The event types that make {@code stage} run, read from its input topics. */
    static List<String> triggerTypes(Stage stage) {
        List<String> types = new ArrayList<>();
        for (EventType type : EventType.values()) {
            if (StageInputs.triggers(type) && StageInputs.isInput(stage, type.topic())) {
                types.add(type.type());
            }
        }
        return types;
    }
}
