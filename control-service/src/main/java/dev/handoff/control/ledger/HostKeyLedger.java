package dev.handoff.control.ledger;

import com.fasterxml.jackson.databind.JsonNode;
import dev.handoff.common.event.EventEnvelope;
import dev.handoff.common.event.EventType;
import dev.handoff.common.event.v1.HostKeyTrusted;
import dev.handoff.common.messaging.ReceivedEvent;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

/**
 * The SSH host key decisions in the ledger: each {@code handoff.host-key.trusted} record once (written inside the
 * ledger's batch transaction, {@link #store}), and the history of a host with the decision in effect marked as the
 * services apply it (an operator's replaces the pin, a first-bootstrap pin counts only when none exists).
 */
@ApplicationScoped
public class HostKeyLedger {
    private static final String INSERT = """
            insert into host_key_decision (event_id, host, key_type, fingerprint, public_key, source, decided_by,
                                           reason, decided_at, kafka_partition, kafka_offset)
            values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            on conflict (event_id) do nothing
            """;

    /**
     * One decision.
     *
     * @param eventId the {@code host-key.trusted} event
     * @param host the host
     * @param keyType the key type, if known
     * @param fingerprint {@code SHA256:…}
     * @param source {@code first-bootstrap} or {@code operator}
     * @param decidedBy who decided
     * @param reason why, if given
     * @param decidedAt when
     * @param inEffect whether the services check the host's key against this one now (unless handoff.yaml gives one)
     */
    public record Decision(
            String eventId,
            String host,
            String keyType,
            String fingerprint,
            String source,
            String decidedBy,
            String reason,
            OffsetDateTime decidedAt,
            boolean inEffect) {}

    private final AgroalDataSource dataSource;

    public HostKeyLedger(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Stores the batch's {@code host-key.trusted} events in the ledger's transaction {@code c}. */
    static void store(Connection c, List<ReceivedEvent> batch) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(INSERT)) {
            int rows = 0;
            for (ReceivedEvent r : batch) {
                EventEnvelope e = r.event();
                if (!EventType.HOST_KEY_TRUSTED.type().equals(e.type())) {
                    continue;
                }
                JsonNode d = e.data();
                ps.setString(1, e.id());
                ps.setString(2, d.path("host").asText());
                ps.setString(3, text(d, "keyType"));
                ps.setString(4, d.path("fingerprint").asText());
                ps.setString(5, text(d, "publicKey"));
                ps.setString(6, d.path("source").asText());
                ps.setString(7, text(d, "decidedBy"));
                ps.setString(8, text(d, "reason"));
                ps.setObject(9, e.time());
                ps.setInt(10, r.partition());
                ps.setLong(11, r.offset());
                ps.addBatch();
                rows++;
            }
            if (rows > 0) {
                ps.executeBatch();
            }
        }
    }

    /** Every decision about {@code host}, oldest first, the one in effect marked. */
    public List<Decision> history(String host) throws SQLException {
        List<Decision> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(
                        "select event_id, key_type, fingerprint, source, decided_by, reason, decided_at"
                                + " from host_key_decision where host = ? order by kafka_partition, kafka_offset")) {
            ps.setString(1, host);
            try (ResultSet r = ps.executeQuery()) {
                int inEffect = -1;
                while (r.next()) {
                    String source = r.getString(4);
                    if (HostKeyTrusted.OPERATOR.equals(source) || inEffect < 0) {
                        inEffect = out.size();
                    }
                    out.add(new Decision(
                            r.getString(1),
                            host,
                            r.getString(2),
                            r.getString(3),
                            source,
                            r.getString(5),
                            r.getString(6),
                            r.getObject(7, OffsetDateTime.class),
                            false));
                }
                if (inEffect >= 0) {
                    Decision d = out.get(inEffect);
                    out.set(
                            inEffect,
                            new Decision(
                                    d.eventId(),
                                    d.host(),
                                    d.keyType(),
                                    d.fingerprint(),
                                    d.source(),
                                    d.decidedBy(),
                                    d.reason(),
                                    d.decidedAt(),
                                    true));
                }
            }
        }
        return out;
    }

    private static String text(JsonNode data, String field) {
        JsonNode n = data.get(field);
        return n == null || n.isNull() ? null : n.asText();
    }
}
