package dev.handoff.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.handoff.common.event.EventEnvelope;
import dev.handoff.common.messaging.EventPublisher;
import dev.handoff.common.serde.EventCodec;
import dev.handoff.common.serde.InvalidEventException;
import dev.handoff.common.serde.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.jboss.logging.Logger;

/**
 * What a stage's run of one trigger for one host ended with — its {@code completed} or {@code failed} event — kept in
 * the stage's own store before it is published, so that the same trigger delivered again (its offset was not
 * committed: the service was killed after the run, a rebalance, a commit lost with the broker) publishes that same
 * event again, same id and same facts, instead of running the stage a second time (no second tofu apply, no second
 * activation, no second completion).
 *
 * <p>A run that ended half-way (killed, or its work failed and is retried) has no outcome kept, so the trigger runs
 * again, under the host's lock. Replays and redeploys carry new event ids and always run. Kept per (stage, trigger id,
 * piece of work): {@code work} names what the trigger asked for, the host and, where a trigger asks for several
 * repositories of one host, the repository.
 */
public final class StageOutcomes {
    private static final Logger LOG = Logger.getLogger(StageOutcomes.class);
    private static final ObjectMapper JSON = Json.mapper();

    /** Where the outcomes are kept. */
    public interface Store {
        /** The encoded outcome events kept for the trigger's work, in publication order; empty if none. */
        List<JsonNode> find(String stage, String triggerId, String work) throws Exception;

        /** Keeps {@code events} as the outcome of the trigger's work, all or nothing; a kept outcome stays. */
        void put(String stage, String triggerId, String work, List<JsonNode> events) throws Exception;
    }

    private final String stage;
    private final Store store;
    private final EventCodec codec;
    private final EventPublisher publisher;

    public StageOutcomes(String stage, Store store, EventCodec codec, EventPublisher publisher) {
        this.stage = stage;
        this.store = store;
        this.codec = codec;
        this.publisher = publisher;
    }

    /** Outcomes kept in the stage's PostgreSQL database (table {@value Jdbc#TABLE}, created when first used). */
    public static Store jdbc(DataSource dataSource) {
        return new Jdbc(dataSource);
    }

    /** Outcomes kept as files in {@code dir} (a stage without a database: infra-service). */
    public static Store files(Path dir) {
        return new FileStore(dir);
    }

    /**
     * If a run of {@code trigger} for {@code work} (e.g. the host) ended before, publishes its outcome again and
     * returns true; the caller then does not run. Call it under the host's lock, so that a second delivery waits for
     * the first run.
     */
    public boolean republished(EventEnvelope trigger, String work, Duration timeout) throws Exception {
        List<JsonNode> kept = store.find(stage, trigger.id(), work);
        if (kept.isEmpty()) {
            return false;
        }
        List<EventEnvelope> again = new ArrayList<>(kept.size());
        for (JsonNode encoded : kept) {
            again.add(decode(encoded));
        }
        // sent again unchanged, and not counted again as a run in the stage's metrics
        publisher.republishAll(again, timeout);
        LOG.infof(
                "%s: trigger %s (%s) for %s was delivered again after its run ended: published its outcome again (%s)"
                        + " instead of running the stage a second time",
                stage,
                trigger.id(),
                trigger.type(),
                work,
                again.stream().map(e -> e.type() + " " + e.id()).toList());
        return true;
    }

    /** Keeps {@code outcome} as the end of the run of {@code trigger} for {@code work}, then publishes it. */
    public void publish(EventEnvelope trigger, String work, EventEnvelope outcome, Duration timeout) throws Exception {
        publish(trigger, work, List.of(outcome), timeout);
    }

    /** As {@link #publish(EventEnvelope, String, EventEnvelope, Duration)} for an outcome of several events. */
    public void publish(EventEnvelope trigger, String work, List<EventEnvelope> outcome, Duration timeout)
            throws Exception {
        List<JsonNode> encoded = new ArrayList<>(outcome.size());
        for (EventEnvelope e : outcome) {
            encoded.add(encode(e));
        }
        store.put(stage, trigger.id(), work, encoded);
        publisher.publishAll(outcome, timeout);
    }

    private JsonNode encode(EventEnvelope event) throws InvalidEventException {
        ProducerRecord<String, byte[]> record = codec.encode(event);
        ObjectNode node = JSON.createObjectNode();
        ObjectNode headers = node.putObject("headers");
        for (Header h : record.headers()) {
            if (h.value() != null) {
                headers.put(h.key(), new String(h.value(), StandardCharsets.UTF_8));
            }
        }
        node.put("body", new String(record.value(), StandardCharsets.UTF_8));
        return node;
    }

    private EventEnvelope decode(JsonNode encoded) throws InvalidEventException {
        RecordHeaders headers = new RecordHeaders();
        Iterator<Map.Entry<String, JsonNode>> fields = encoded.path("headers").fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> h = fields.next();
            headers.add(h.getKey(), h.getValue().asText().getBytes(StandardCharsets.UTF_8));
        }
        return codec.decode(headers, encoded.path("body").asText().getBytes(StandardCharsets.UTF_8));
    }

    private static final class Jdbc implements Store {
        static final String TABLE = "handoff_stage_outcome";
        private static final String CREATE = "CREATE TABLE IF NOT EXISTS " + TABLE + " (stage text NOT NULL,"
                + " trigger_id text NOT NULL, work text NOT NULL, events jsonb NOT NULL,"
                + " kept_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (stage, trigger_id, work))";
        private final DataSource dataSource;
        private volatile boolean created;

        Jdbc(DataSource dataSource) {
            this.dataSource = dataSource;
        }

        private void create(Connection c) throws SQLException {
            if (!created) {
                try (Statement s = c.createStatement()) {
                    s.execute(CREATE);
                }
                created = true;
            }
        }

        @Override
        public List<JsonNode> find(String stage, String triggerId, String work) throws Exception {
            try (Connection c = dataSource.getConnection()) {
                create(c);
                try (PreparedStatement s = c.prepareStatement(
                        "SELECT events::text FROM " + TABLE + " WHERE stage = ? AND trigger_id = ? AND work = ?")) {
                    s.setString(1, stage);
                    s.setString(2, triggerId);
                    s.setString(3, work);
                    List<JsonNode> kept = new ArrayList<>();
                    try (ResultSet r = s.executeQuery()) {
                        if (r.next()) {
                            JSON.readTree(r.getString(1)).forEach(kept::add);
                        }
                    }
                    return kept;
                }
            }
        }

        @Override
        public void put(String stage, String triggerId, String work, List<JsonNode> events) throws Exception {
            ArrayNode all = JSON.createArrayNode();
            events.forEach(all::add);
            try (Connection c = dataSource.getConnection()) {
                create(c);
                try (PreparedStatement s = c.prepareStatement("INSERT INTO " + TABLE
                        + " (stage, trigger_id, work, events) VALUES (?, ?, ?, ?::jsonb) ON CONFLICT DO NOTHING")) {
                    s.setString(1, stage);
                    s.setString(2, triggerId);
                    s.setString(3, work);
                    s.setString(4, JSON.writeValueAsString(all));
                    s.executeUpdate();
                }
            }
        }
    }

    private static final class FileStore implements Store {
        private final Path dir;

        FileStore(Path dir) {
            this.dir = dir;
        }

        private Path file(String stage, String triggerId, String work) throws NoSuchAlgorithmException {
            byte[] hash = MessageDigest.getInstance("SHA-256")
                    .digest((stage + "\n" + triggerId + "\n" + work).getBytes(StandardCharsets.UTF_8));
            return dir.resolve(HexFormat.of().formatHex(hash) + ".json");
        }

        @Override
        public synchronized List<JsonNode> find(String stage, String triggerId, String work) throws Exception {
            Path file = file(stage, triggerId, work);
            if (!Files.exists(file)) {
                return List.of();
            }
            List<JsonNode> kept = new ArrayList<>();
            JSON.readTree(file.toFile()).forEach(kept::add);
            return kept;
        }

        @Override
        public synchronized void put(String stage, String triggerId, String work, List<JsonNode> events)
                throws Exception {
            Files.createDirectories(dir);
            Path file = file(stage, triggerId, work);
            if (Files.exists(file)) {
                return;
            }
            ArrayNode all = JSON.createArrayNode();
            events.forEach(all::add);
            Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
            try {
                Files.writeString(tmp, JSON.writeValueAsString(all));
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                Files.deleteIfExists(tmp);
                throw e;
            }
        }
    }
}
