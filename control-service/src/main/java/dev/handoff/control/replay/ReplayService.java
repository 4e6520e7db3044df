package dev.handoff.control.replay;

import dev.handoff.common.event.EventEnvelope;
import dev.handoff.common.event.EventType;
import dev.handoff.common.event.Stage;
import dev.handoff.common.event.Topics;
import dev.handoff.common.event.TraceParent;
import dev.handoff.common.event.v1.ReplayRequested;
import dev.handoff.common.messaging.EventPublisher;
import dev.handoff.common.messaging.KafkaSettings;
import dev.handoff.common.messaging.ReceivedEvent;
import dev.handoff.common.serde.EventCodec;
import dev.handoff.common.serde.InvalidEventException;
import dev.handoff.common.trace.Tracing;
import dev.handoff.control.api.ReplayViews.ReplayView;
import dev.handoff.control.api.ReplayViews.ReplayedRecord;
import dev.handoff.control.config.HandoffConfig;
import dev.handoff.control.kafka.KafkaClients;
import dev.handoff.control.replay.ReplayPlan.Checked;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

/**
 * Runs a stage again from records of one of its input topics: checks the request, reads the records with a
 * group-less consumer (assign and seek), re-publishes each trigger among them to the stage's replay channel as a
 * copy marked {@code replayof} with a new deployment, then publishes {@code handoff.replay.requested}, the audit
 * record. Nothing is published for a refused request.
 */
@ApplicationScoped
public class ReplayService {
    private static final Logger LOG = Logger.getLogger(ReplayService.class);
    /** ce_subject and key of the audit event of a replay of every host. */
    static final String EVERY_HOST = "all-hosts";
    /** Bytes one fetch of the reader may bring. */
    private static final int READER_FETCH_BYTES = 16 * 1024 * 1024;

    private final KafkaClients kafka;
    private final EventCodec codec;
    private final Producer<String, byte[]> producer;
    private final HandoffConfig config;

    public ReplayService(
            KafkaClients kafka, EventCodec codec, Producer<String, byte[]> producer, HandoffConfig config) {
        this.kafka = kafka;
        this.codec = codec;
        this.producer = producer;
        this.config = config;
    }

    /** Kafka could not be read or did not acknowledge in time; a retry with the same idempotency key is safe. */
    public static final class KafkaUnavailable extends Exception {
        private static final long serialVersionUID = 1L;

        KafkaUnavailable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * Replays.
     *
     * @param caller the operator token's name, recorded as who asked
     * @param idempotencyKey when given, the same caller and key always make the same replay id and copies
     */
    public ReplayView replay(ReplayRequest request, String caller, String idempotencyKey)
            throws ReplayRefused, KafkaUnavailable {
        Stage stage = ReplayPlan.checkShape(request);
        int max = config.replay().maxRecords();
        Duration timeout = config.replay().timeout();
        long started = System.nanoTime();
        long deadline = started + timeout.toNanos();
        String replayId = ReplayPlan.replayId(caller, idempotencyKey);
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MICROS);
        Checked checked;
        List<ReplayedRecord> replayed = new ArrayList<>();
        List<CompletableFuture<RecordMetadata>> sent = new ArrayList<>();
        Map<String, Integer> skipped = new TreeMap<>();
        long decoding = 0;
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(readerSettings(max))) {
            List<PartitionInfo> partitions = consumer.partitionsFor(request.topic(), timeout);
            TopicPartition tp = new TopicPartition(request.topic(), request.partition());
            long beginning = 0;
            long end = 0;
            if (request.partition() < partitions.size()) {
                beginning = consumer.beginningOffsets(List.of(tp), timeout).get(tp);
                end = consumer.endOffsets(List.of(tp), timeout).get(tp);
            }
            checked = ReplayPlan.checkRange(stage, request, partitions.size(), beginning, end, max);
            String channel = Topics.replay(checked.stage());
            consumer.assign(List.of(tp));
            consumer.seek(tp, checked.fromOffset());
            // Reading, checking and publishing overlap: each fetch's records are decoded (JSON Schema validation,
            // most of a replay's CPU) spread over the cores, and their copies handed to the producer in offset order
            // while the consumer fetches the next records and the producer's I/O thread sends the earlier copies.
            while (consumer.position(tp, timeout) <= checked.toOffset()) {
                if (System.nanoTime() > deadline) {
                    throw new KafkaUnavailable(
                            "reading offsets " + checked.fromOffset() + " to " + checked.toOffset() + " of "
                                    + checked.topic() + " took longer than " + timeout.toSeconds() + " s",
                            null);
                }
                List<ConsumerRecord<String, byte[]>> fetched = new ArrayList<>();
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.offset() > checked.toOffset()) {
                        break;
                    }
                    fetched.add(r);
                }
                long t = System.nanoTime();
                Object[] outcomes = new Object[fetched.size()];
                IntStream.range(0, fetched.size())
                        .parallel()
                        .forEach(i -> outcomes[i] = outcome(checked, replayId, now, channel, fetched.get(i)));
                decoding += System.nanoTime() - t;
                for (Object o : outcomes) {
                    if (o instanceof Copy copy) {
                        replayed.add(copy.replayed());
                        sent.add(send(copy.record()));
                    } else {
                        skipped.merge((String) o, 1, Integer::sum);
                    }
                }
            }
        } catch (KafkaException e) {
            throw new KafkaUnavailable("cannot read " + request.topic() + " from Kafka: " + e.getMessage(), e);
        }
        if (replayed.isEmpty()) {
            throw new ReplayRefused(
                    "nothing-to-replay",
                    "offsets " + checked.fromOffset() + " to " + checked.toOffset() + " of partition "
                            + checked.partition() + " of " + checked.topic() + " hold no "
                            + (checked.host() == null ? "" : "record of " + checked.host() + " that is a ")
                            + "trigger of " + stage.id() + " (a pushed commit or an earlier stage's facts)"
                            + (skipped.isEmpty() ? "" : "; skipped: " + skipped),
                    "choose offsets of a commit.pushed or …completed event (GET /api/events?topic=" + checked.topic()
                            + "&partition=" + checked.partition() + ")");
        }
        long read = System.nanoTime();
        // Copies first: the audit record is only published once every copy is on the replay channel.
        String channel = Topics.replay(checked.stage());
        await(sent, timeout, replayed.size() + " replayed records to " + channel);
        ReplayView view = audit(checked, replayed, skipped, caller, replayId, now, timeout);
        LOG.infof(
                "replay %s by %s: %s from %s[%d] offsets %d..%d, %d records re-published to %s (read, checked and"
                        + " handed to the producer in %d ms, of which decoding %d ms; acknowledged %d ms later)",
                replayId,
                caller,
                checked.stage().id(),
                checked.topic(),
                checked.partition(),
                checked.fromOffset(),
                checked.toOffset(),
                replayed.size(),
                channel,
                TimeUnit.NANOSECONDS.toMillis(read - started),
                TimeUnit.NANOSECONDS.toMillis(decoding),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - read));
        return view;
    }

    /** A trigger's copy: what the answer lists, and the record to publish. */
    private record Copy(ReplayedRecord replayed, ProducerRecord<String, byte[]> record) {}

    /**
     * The copy of a record that is a valid trigger within the request, or why it is skipped ({@code invalid-…}, or
     * {@link ReplayPlan#skipReason}).
     */
    private Object outcome(
            Checked checked, String replayId, OffsetDateTime now, String channel, ConsumerRecord<String, byte[]> r) {
        EventEnvelope original;
        try {
            original = codec.decode(r);
        } catch (InvalidEventException e) {
            return "invalid-" + e.reasonCode();
        }
        ReceivedEvent received = new ReceivedEvent(original, r.topic(), r.partition(), r.offset(), r.timestamp());
        Optional<String> why = ReplayPlan.skipReason(checked, received);
        if (why.isPresent()) {
            return why.get();
        }
        EventEnvelope copy = ReplayPlan.copy(replayId, original, now);
        return new Copy(
                new ReplayedRecord(
                        original.id(),
                        r.offset(),
                        original.deploymentId(),
                        copy.id(),
                        copy.deploymentId(),
                        copy.type()),
                tracedRecord(channel, copy, r));
    }

    /**
     * The copy's record, encoded in the first span of the copy's deployment (its own trace), which links to the
     * original event's span: a trace viewer leads from a replay to what it replayed.
     */
    private static ProducerRecord<String, byte[]> tracedRecord(
            String channel, EventEnvelope copy, ConsumerRecord<String, byte[]> original) {
        if (copy.deploymentId() == null) {
            return ReplayCopy.record(channel, copy, original);
        }
        return Tracing.deploymentStart(
                copy.deploymentId(),
                "replay " + Tracing.shortType(copy.type()),
                copy.subject(),
                TraceParent.remoteParent(EventCodec.optional(original.headers(), TraceParent.HEADER))
                        .orElse(null),
                () -> ReplayCopy.record(channel, copy, original));
    }

    /** Publishes the replay's audit record, once its copies are acknowledged, and answers. */
    private ReplayView audit(
            Checked checked,
            List<ReplayedRecord> replayed,
            Map<String, Integer> skipped,
            String caller,
            String replayId,
            OffsetDateTime now,
            Duration timeout)
            throws KafkaUnavailable {
        try {
            String subject = checked.host() != null ? checked.host() : EVERY_HOST;
            ReplayRequested audit = new ReplayRequested(
                    replayId,
                    checked.stage().id(),
                    checked.topic(),
                    checked.partition(),
                    checked.fromOffset(),
                    checked.toOffset(),
                    checked.host(),
                    caller,
                    now.toInstant(),
                    replayed.size());
            EventEnvelope auditEvent = codec.newEvent(
                    replayId, EventType.REPLAY_REQUESTED, KafkaClients.SOURCE, subject, null, null, audit);
            await(List.of(send(codec.encode(auditEvent))), timeout, "the replay.requested event");
        } catch (InvalidEventException e) {
            throw new IllegalStateException("the replay.requested event breaks the contract: " + e.getMessage(), e);
        }
        return new ReplayView(
                replayId,
                checked.stage().id(),
                checked.topic(),
                checked.partition(),
                checked.fromOffset(),
                checked.toOffset(),
                checked.host(),
                caller,
                now,
                replayed.size(),
                skipped,
                replayed);
    }

    private CompletableFuture<RecordMetadata> send(ProducerRecord<String, byte[]> record) {
        return EventPublisher.send(producer, record);
    }

    private static void await(List<CompletableFuture<RecordMetadata>> futures, Duration timeout, String what)
            throws KafkaUnavailable {
        try {
            CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new))
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaUnavailable("interrupted while publishing " + what, e);
        } catch (ExecutionException e) {
            throw new KafkaUnavailable(
                    "Kafka refused " + what + ": " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new KafkaUnavailable(
                    "Kafka did not acknowledge " + what + " within " + timeout.toSeconds() + " s", e);
        }
    }

    private Map<String, Object> readerSettings(int maxRecords) {
        Map<String, Object> settings = KafkaSettings.consumer(
                kafka.bootstrapServers(),
                "unused",
                "control-service-replay",
                kafka.security(),
                Map.of(
                        ConsumerConfig.MAX_POLL_RECORDS_CONFIG,
                        maxRecords,
                        // a whole range in a few fetches rather than one MiB (Kafka's default) at a time
                        ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG,
                        READER_FETCH_BYTES,
                        ConsumerConfig.FETCH_MAX_BYTES_CONFIG,
                        READER_FETCH_BYTES));
        // No group: the reader assigns the partition itself and commits nothing.
        settings.remove(ConsumerConfig.GROUP_ID_CONFIG);
        return settings;
    }
}
