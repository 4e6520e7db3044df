package dev.handoff.common.messaging;

import dev.handoff.common.event.Topics;
import dev.handoff.common.serde.InvalidEventException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Routes records that are not valid events to {@code <topic>.dlq}: the original key, value and headers, plus
 * headers that say why, where it came from and which consumer refused it. Nothing is dropped silently.
 */
public final class DeadLetters {
    public static final String H_REASON = "handoff-dlq-reason";
    public static final String H_MESSAGE = "handoff-dlq-message";
    public static final String H_TOPIC = "handoff-dlq-topic";
    public static final String H_PARTITION = "handoff-dlq-partition";
    public static final String H_OFFSET = "handoff-dlq-offset";
    public static final String H_CONSUMER = "handoff-dlq-consumer";

    private final Producer<String, byte[]> producer;
    private final String consumerGroup;

    public DeadLetters(Producer<String, byte[]> producer, String consumerGroup) {
        this.producer = producer;
        this.consumerGroup = consumerGroup;
    }

    /** Writes the record to its dead-letter topic and waits for the acknowledgement. */
    public void send(ConsumerRecord<String, byte[]> record, InvalidEventException why)
            throws InterruptedException, ExecutionException, TimeoutException {
        RecordHeaders headers = new RecordHeaders();
        for (Header h : record.headers()) {
            headers.add(h);
        }
        add(headers, H_REASON, why.reasonCode());
        add(headers, H_MESSAGE, why.getMessage());
        add(headers, H_TOPIC, record.topic());
        add(headers, H_PARTITION, Integer.toString(record.partition()));
        add(headers, H_OFFSET, Long.toString(record.offset()));
        add(headers, H_CONSUMER, consumerGroup);
        producer.send(new ProducerRecord<>(
                        Topics.deadLetter(record.topic()), null, record.key(), record.value(), headers))
                .get(Duration.ofSeconds(30).toMillis(), TimeUnit.MILLISECONDS);
    }

    private static void add(RecordHeaders headers, String name, String value) {
        headers.add(name, value.getBytes(StandardCharsets.UTF_8));
    }
}
