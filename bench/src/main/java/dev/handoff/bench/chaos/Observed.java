package dev.handoff.bench.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import dev.handoff.bench.chaos.ChaosModel.Committed;
import dev.handoff.bench.chaos.ChaosModel.DeadLetter;
import dev.handoff.bench.chaos.ChaosModel.LedgerDeployment;
import dev.handoff.bench.chaos.ChaosModel.LedgerStage;
import dev.handoff.bench.chaos.ChaosModel.TopicRecord;
import dev.handoff.common.event.EventEnvelope;
import dev.handoff.common.event.Topics;
import dev.handoff.common.messaging.DeadLetters;
import dev.handoff.common.serde.EventCodec;
import dev.handoff.common.serde.InvalidEventException;
import dev.handoff.lab.LabDatabase;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupListing;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Reads what the checks need: the ledger (straight from PostgreSQL), every topic and every group's offsets. */
final class Observed {
    /** The topics whose records the checks read: every handoff topic but the dead-letter ones. */
    static final List<String> CHAIN_TOPICS =
            Topics.all().stream().filter(t -> !t.endsWith(Topics.DLQ_SUFFIX)).toList();

    /** The topics the ledger reads (LedgerConsumer.TOPICS): every handoff topic but the dead-letter ones. */
    static final List<String> LEDGER_TOPICS =
            Topics.all().stream().filter(t -> !t.endsWith(Topics.DLQ_SUFFIX)).toList();

    private static final List<String> DATA_FIELDS = List.of("stage", "rolledBack", "generation", "reason", "contract");

    private final String bootstrapServers;
    private final Map<String, Object> adminSecurity;
    private final EventCodec codec = new EventCodec();

    Observed(String bootstrapServers, Map<String, Object> adminSecurity) {
        this.bootstrapServers = bootstrapServers;
        this.adminSecurity = adminSecurity;
    }

    /** The ledger's deployments with their stages. */
    static Map<String, LedgerDeployment> deployments(LabDatabase ledger) throws SQLException {
        Map<String, Map<String, LedgerStage>> stages = new HashMap<>();
        Map<String, LedgerDeployment> deployments = new LinkedHashMap<>();
        try (Connection c = ledger.connect();
                Statement s = c.createStatement()) {
            try (ResultSet r = s.executeQuery(
                    "select deployment_id, stage, status, reason from deployment_stage order by deployment_id, status_time")) {
                while (r.next()) {
                    stages.computeIfAbsent(r.getString(1), k -> new LinkedHashMap<>())
                            .put(r.getString(2), new LedgerStage(r.getString(2), r.getString(3), r.getString(4)));
                }
            }
            try (ResultSet r = s.executeQuery("select id, host, status, result from deployment order by started_at")) {
                while (r.next()) {
                    String id = r.getString(1);
                    deployments.put(
                            id,
                            new LedgerDeployment(
                                    id,
                                    r.getString(2),
                                    r.getString(3),
                                    r.getString(4),
                                    stages.getOrDefault(id, Map.of())));
                }
            }
        }
        return deployments;
    }

    /** How many rows of {@code event} each event id has (the primary key makes it one; the check does not assume). */
    static Map<String, Integer> eventIds(LabDatabase ledger) throws SQLException {
        return counts(ledger, "select id, count(*) from event group by id");
    }

    /** How many {@code commit.pushed} events each deployment has in the ledger. */
    static Map<String, Integer> commitPushed(LabDatabase ledger) throws SQLException {
        return counts(
                ledger,
                "select deployment_id, count(*) from event where type = 'handoff.commit.pushed' group by deployment_id");
    }

    private static Map<String, Integer> counts(LabDatabase db, String sql) throws SQLException {
        Map<String, Integer> counts = new HashMap<>();
        try (Connection c = db.connect();
                Statement s = c.createStatement();
                ResultSet r = s.executeQuery(sql)) {
            while (r.next()) {
                counts.put(r.getString(1), r.getInt(2));
            }
        }
        return counts;
    }

    /** The first event after {@code after} matching {@code where} (an SQL condition on {@code event}), if any. */
    static Optional<Instant> firstEvent(LabDatabase ledger, String where, Instant after, String... args) {
        String sql = "select min(time) from event where time > ? and " + where;
        try (Connection c = ledger.connect();
                PreparedStatement p = c.prepareStatement(sql)) {
            p.setTimestamp(1, Timestamp.from(after));
            for (int i = 0; i < args.length; i++) {
                p.setString(i + 2, args[i]);
            }
            try (ResultSet r = p.executeQuery()) {
                r.next();
                Timestamp t = r.getTimestamp(1);
                return Optional.ofNullable(t).map(Timestamp::toInstant);
            }
        } catch (SQLException e) {
            return Optional.empty(); // PostgreSQL away (a drill): not yet
        }
    }

    /** The first row stored by the ledger after {@code after} ({@code stored_at}), if any. */
    static Optional<Instant> firstStored(LabDatabase ledger, Instant after) {
        try (Connection c = ledger.connect();
                PreparedStatement p = c.prepareStatement("select min(stored_at) from event where stored_at > ?")) {
            p.setTimestamp(1, Timestamp.from(after));
            try (ResultSet r = p.executeQuery()) {
                r.next();
                return Optional.ofNullable(r.getTimestamp(1)).map(Timestamp::toInstant);
            }
        } catch (SQLException e) {
            return Optional.empty();
        }
    }

    /** Whether a query finds a row; false when the database does not answer. */
    static boolean exists(LabDatabase db, String sql) {
        try (Connection c = db.connect();
                Statement s = c.createStatement()) {
            s.setQueryTimeout(5);
            try (ResultSet r = s.executeQuery(sql)) {
                return r.next();
            }
        } catch (SQLException e) {
            return false;
        }
    }

    /** Rows stored by the ledger and deployments still running: the chain is quiet when neither moves. */
    static Optional<long[]> activity(LabDatabase ledger) {
        try (Connection c = ledger.connect();
                Statement s = c.createStatement();
                ResultSet r = s.executeQuery("select (select count(*) from event),"
                        + " (select count(*) from deployment where status = 'running')")) {
            r.next();
            return Optional.of(new long[] {r.getLong(1), r.getLong(2)});
        } catch (SQLException e) {
            return Optional.empty();
        }
    }

    /** Every record of the chain topics, each decoded by the codec (valid or not). */
    List<TopicRecord> records() {
        List<TopicRecord> out = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> r : readAll(CHAIN_TOPICS)) {
            out.add(record(r));
        }
        return out;
    }

    /** Every record of every dead-letter topic. */
    List<DeadLetter> deadLetters() {
        List<String> dlqs =
                Topics.all().stream().filter(t -> t.endsWith(Topics.DLQ_SUFFIX)).toList();
        List<DeadLetter> out = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> r : readAll(dlqs)) {
            boolean valid;
            try {
                codec.decode(r.headers(), r.value());
                valid = true;
            } catch (InvalidEventException e) {
                valid = false;
            }
            out.add(new DeadLetter(
                    r.topic(),
                    r.offset(),
                    header(r.headers(), DeadLetters.H_CONSUMER),
                    header(r.headers(), DeadLetters.H_REASON),
                    header(r.headers(), DeadLetters.H_TOPIC),
                    parseInt(header(r.headers(), DeadLetters.H_PARTITION)),
                    parseLong(header(r.headers(), DeadLetters.H_OFFSET)),
                    valid));
        }
        return out;
    }

    /** Every consumer group's committed offsets (groups without offsets are left out). */
    List<Committed> committed() throws Exception {
        List<Committed> out = new ArrayList<>();
        try (Admin admin = Admin.create(settings(Map.of()))) {
            for (ConsumerGroupListing g : admin.listConsumerGroups().all().get(30, TimeUnit.SECONDS)) {
                Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(g.groupId())
                        .partitionsToOffsetAndMetadata()
                        .get(30, TimeUnit.SECONDS);
                offsets.forEach((tp, o) -> {
                    if (o != null) {
                        out.add(new Committed(g.groupId(), tp.topic(), tp.partition(), o.offset()));
                    }
                });
            }
        }
        return out;
    }

    /** The end offsets of {@code topics}' partitions. */
    Map<TopicPartition, Long> endOffsets(List<String> topics) throws Exception {
        try (Admin admin = Admin.create(settings(Map.of()))) {
            Map<TopicPartition, OffsetSpec> ask = new HashMap<>();
            for (var d : admin.describeTopics(topics)
                    .allTopicNames()
                    .get(30, TimeUnit.SECONDS)
                    .values()) {
                d.partitions().forEach(p -> ask.put(new TopicPartition(d.name(), p.partition()), OffsetSpec.latest()));
            }
            Map<TopicPartition, Long> ends = new HashMap<>();
            admin.listOffsets(ask).all().get(30, TimeUnit.SECONDS).forEach((tp, info) -> ends.put(tp, info.offset()));
            return ends;
        }
    }

    private TopicRecord record(ConsumerRecord<String, byte[]> r) {
        try {
            EventEnvelope e = codec.decode(r);
            Map<String, String> data = new HashMap<>();
            JsonNode payload = e.data();
            for (String f : DATA_FIELDS) {
                if (payload != null && payload.has(f)) {
                    data.put(f, payload.get(f).asText());
                }
            }
            return new TopicRecord(
                    r.topic(),
                    r.partition(),
                    r.offset(),
                    e.id(),
                    e.type(),
                    e.subject(),
                    e.deploymentId(),
                    e.causationId(),
                    e.time().toInstant(),
                    true,
                    Map.copyOf(data));
        } catch (InvalidEventException | RuntimeException invalid) {
            return new TopicRecord(
                    r.topic(),
                    r.partition(),
                    r.offset(),
                    header(r.headers(), "ce_id"),
                    header(r.headers(), "ce_type"),
                    r.key(),
                    header(r.headers(), "ce_deploymentid"),
                    header(r.headers(), "ce_causationid"),
                    Instant.ofEpochMilli(r.timestamp()),
                    false,
                    Map.of());
        }
    }

    private List<ConsumerRecord<String, byte[]>> readAll(List<String> topics) {
        Map<String, Object> extra = new HashMap<>();
        extra.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        extra.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        extra.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000);
        extra.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        extra.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(settings(extra))) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (String t : topics) {
                List<PartitionInfo> infos = consumer.partitionsFor(t, Duration.ofSeconds(30));
                if (infos != null) {
                    infos.forEach(p -> partitions.add(new TopicPartition(t, p.partition())));
                }
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(30));
            long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
            while (System.nanoTime() < deadline) {
                boolean done = true;
                for (TopicPartition tp : partitions) {
                    if (consumer.position(tp, Duration.ofSeconds(30)) < end.get(tp)) {
                        done = false;
                        break;
                    }
                }
                if (done) {
                    break;
                }
                consumer.poll(Duration.ofMillis(500)).forEach(out::add);
            }
        }
        return out;
    }

    private Map<String, Object> settings(Map<String, Object> extra) {
        Map<String, Object> s = new HashMap<>(adminSecurity);
        s.put("bootstrap.servers", bootstrapServers);
        s.put("client.id", "chaos-bench");
        s.putAll(extra);
        return s;
    }

    private static String header(Headers headers, String name) {
        Header h = headers.lastHeader(name);
        return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    private static int parseInt(String s) {
        try {
            return Integer.parseInt(s);
        } catch (RuntimeException e) {
            return -1;
        }
    }

    private static long parseLong(String s) {
        try {
            return Long.parseLong(s);
        } catch (RuntimeException e) {
            return -1;
        }
    }
}
