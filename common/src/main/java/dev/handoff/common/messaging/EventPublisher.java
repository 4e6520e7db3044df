package dev.handoff.common.messaging;

import dev.handoff.common.event.EventEnvelope;
import dev.handoff.common.serde.EventCodec;
import dev.handoff.common.serde.InvalidEventException;
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

/**
 * Publishes events after validating them against the contract. {@link #publishAll} returns only once Kafka has
 * acknowledged every event, so a caller may promise delivery (e.g. answer a webhook with 202) afterwards.
 */
public final class EventPublisher implements AutoCloseable {
    private final Producer<String, byte[]> producer;
    private final EventCodec codec;

    public EventPublisher(Producer<String, byte[]> producer, EventCodec codec) {
        this.producer = producer;
        this.codec = codec;
    }

    /** Sends one event to its type's topic. The future completes when Kafka acknowledged it. */
    public CompletableFuture<RecordMetadata> publish(EventEnvelope event) throws InvalidEventException {
        return send(codec.encode(event));
    }

    /** Sends one event to a chosen topic (a replay channel). */
    public CompletableFuture<RecordMetadata> publish(String topic, EventEnvelope event) throws InvalidEventException {
        return send(codec.encode(topic, event));
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
        return futures.stream().map(CompletableFuture::join).toList();
    }

    private CompletableFuture<RecordMetadata> send(ProducerRecord<String, byte[]> record) {
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
