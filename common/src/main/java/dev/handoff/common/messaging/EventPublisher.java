package dev.handoff.common.messaging;

import dev.handoff.common.event.EventEnvelope;
import dev.handoff.common.serde.EventCodec;
import dev.handoff.common.serde.InvalidEventException;
import dev.handoff.common.trace.Tracing;
import io.opentelemetry.api.trace.SpanContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.jboss.logging.Logger;

/**
 * Publishes events after validating them against the contract. {@link #publishAll} returns only once Kafka has
 * acknowledged every event, so a caller may promise delivery (e.g. answer a webhook with 202) afterwards.
 */
public final class EventPublisher implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(EventPublisher.class);

    /** Told about the events Kafka acknowledged, in the order given (a stage's run metrics). */
    @FunctionalInterface
    public interface Listener {
        void published(List<EventEnvelope> events);
    }

    private final Producer<String, byte[]> producer;
    private final EventCodec codec;
    private final Listener listener;

    public EventPublisher(Producer<String, byte[]> producer, EventCodec codec) {
        this(producer, codec, events -> {});
    }

    /** As {@link #EventPublisher(Producer, EventCodec)}, telling {@code listener} what Kafka acknowledged. */
    public EventPublisher(Producer<String, byte[]> producer, EventCodec codec, Listener listener) {
        this.producer = producer;
        this.codec = codec;
        this.listener = listener;
    }

    /** Sends one event to its type's topic. The future completes when Kafka acknowledged it. */
    public CompletableFuture<RecordMetadata> publish(EventEnvelope event) throws InvalidEventException {
        return send(codec.encode(event)).thenApply(acknowledged(List.of(event)));
    }

    /** Sends one event to a chosen topic (a replay channel). */
    public CompletableFuture<RecordMetadata> publish(String topic, EventEnvelope event) throws InvalidEventException {
        return send(codec.encode(topic, event)).thenApply(acknowledged(List.of(event)));
    }

    /**
     * Validates every event first (nothing is sent if one is invalid), sends them all and waits for every
     * acknowledgement.
     *
     * @throws PublishException when Kafka did not acknowledge all of them within {@code timeout}
     */
    public List<RecordMetadata> publishAll(List<EventEnvelope> events, Duration timeout)
            throws InvalidEventException, PublishException {
        List<ProducerRecord<String, byte[]>> records = new ArrayList<>(events.size());
        for (EventEnvelope e : events) {
            records.add(codec.encode(e));
        }
        return sendAll(events, records, timeout, true);
    }

    /**
     * As {@link #publishAll}, for events that were published before and are sent again unchanged (a stage's kept
     * outcome of a trigger delivered twice): the listener is not told, so the metrics count the run once.
     */
    public List<RecordMetadata> republishAll(List<EventEnvelope> events, Duration timeout)
            throws InvalidEventException, PublishException {
        List<ProducerRecord<String, byte[]>> records = new ArrayList<>(events.size());
        for (EventEnvelope e : events) {
            records.add(codec.encode(e));
        }
        return sendAll(events, records, timeout, false);
    }

    /**
     * As {@link #publishAll}, for events that each start a deployment (a webhook's {@code commit.pushed} for each
     * host): each is encoded in its deployment's first span, {@code origin} plus its type (e.g.
     * {@code webhook commit.pushed}), which links to the span running now (the webhook's request), so that each
     * deployment is one trace from its first event on.
     */
    public List<RecordMetadata> publishDeploymentStarts(List<EventEnvelope> events, String origin, Duration timeout)
            throws InvalidEventException, PublishException {
        List<ProducerRecord<String, byte[]>> records = new ArrayList<>(events.size());
        SpanContext cause = Tracing.current();
        for (EventEnvelope e : events) {
            if (e.deploymentId() == null) {
                records.add(codec.encode(e));
                continue;
            }
            records.add(Tracing.deploymentStart(
                    e.deploymentId(),
                    origin + " " + Tracing.shortType(e.type()),
                    e.subject(),
                    cause,
                    () -> codec.encode(e)));
        }
        return sendAll(events, records, timeout, true);
    }

    private List<RecordMetadata> sendAll(
            List<EventEnvelope> events, List<ProducerRecord<String, byte[]>> records, Duration timeout, boolean tell)
            throws PublishException {
        List<CompletableFuture<RecordMetadata>> futures = new ArrayList<>(records.size());
        for (ProducerRecord<String, byte[]> r : records) {
            futures.add(send(r));
        }
        try {
            CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new))
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PublishException(
                    "interrupted while waiting for Kafka to acknowledge " + events.size() + " event(s)", e);
        } catch (ExecutionException e) {
            throw new PublishException("Kafka refused an event: " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new PublishException(
                    "Kafka did not acknowledge " + events.size() + " event(s) within " + timeout.toMillis()
                            + " ms; is the broker reachable?",
                    e);
        }
        List<RecordMetadata> written =
                futures.stream().map(CompletableFuture::join).toList();
        if (tell) {
            tell(events);
        }
        return written;
    }

    private java.util.function.UnaryOperator<RecordMetadata> acknowledged(List<EventEnvelope> events) {
        return metadata -> {
            tell(events);
            return metadata;
        };
    }

    /** Metrics never fail a publication that Kafka acknowledged. */
    private void tell(List<EventEnvelope> events) {
        try {
            listener.published(events);
        } catch (RuntimeException e) {
            LOG.warnf(e, "recording %d published event(s) in the metrics failed: %s", events.size(), e.getMessage());
        }
    }

    private CompletableFuture<RecordMetadata> send(ProducerRecord<String, byte[]> record) {
        return send(producer, record);
    }

    /**
     * Hands a record to a producer: the future completes with Kafka's acknowledgement, or with the producer's error
     * (also one it throws at once).
     */
    public static CompletableFuture<RecordMetadata> send(
            Producer<String, byte[]> producer, ProducerRecord<String, byte[]> record) {
        CompletableFuture<RecordMetadata> future = new CompletableFuture<>();
        try {
            producer.send(record, (metadata, error) -> {
                if (error != null) {
                    future.completeExceptionally(error);
                } else {
                    future.complete(metadata);
                }
            });
        } catch (RuntimeException e) {
            future.completeExceptionally(e);
        }
        return future;
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }

    /** Kafka did not acknowledge events in time; they may or may not have been written. */
    public static final class PublishException extends Exception {
        public PublishException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
