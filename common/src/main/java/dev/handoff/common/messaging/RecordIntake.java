package dev.handoff.common.messaging;

import dev.handoff.common.event.Topics;
import dev.handoff.common.event.TraceParent;
import dev.handoff.common.serde.EventCodec;
import dev.handoff.common.serde.InvalidEventException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jboss.logging.Logger;

/**
 * What both consumer loops ({@link EventConsumerLoop}, {@link KeyedEventLoop}) do with a record before their handler
 * sees it: decode and validate it, or route it to its dead-letter topic, retrying with back-off until Kafka takes it.
 */
final class RecordIntake {
    private static final Logger LOG = Logger.getLogger(RecordIntake.class);
    static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

    private final String name;
    private final EventCodec codec;
    private final DeadLetters deadLetters;
    private final EventConsumerLoop.DeadLetterListener listener;

    RecordIntake(
            String name, EventCodec codec, DeadLetters deadLetters, EventConsumerLoop.DeadLetterListener listener) {
        this.name = name;
        this.codec = codec;
        this.deadLetters = deadLetters;
        this.listener = listener;
    }

    /** The record as a valid event, or the {@link InvalidEventException} saying why it is not one. */
    Object decode(ConsumerRecord<String, byte[]> r) {
        try {
            return new ReceivedEvent(
                    codec.decode(r),
                    r.topic(),
                    r.partition(),
                    r.offset(),
                    r.timestamp(),
                    EventCodec.optional(r.headers(), TraceParent.HEADER));
        } catch (InvalidEventException why) {
            return why;
        } catch (RuntimeException e) {
            return new InvalidEventException(
                    InvalidEventException.Reason.DECODE_FAILED,
                    "reading the record failed: " + e.getClass().getSimpleName() + ": " + e.getMessage(),
                    e);
        }
    }

    /**
     * Sends the record to its dead-letter topic; while Kafka refuses, reports the error and tries again with back-off
     * until it is taken or the loop stops ({@code running} false or {@code stopped} counted down).
     */
    void deadLetter(
            ConsumerRecord<String, byte[]> r,
            InvalidEventException why,
            BooleanSupplier running,
            CountDownLatch stopped,
            Consumer<String> errors)
            throws InterruptedException {
        LOG.warnf(
                "%s: record %s-%d@%d is not a valid event (%s): %s; sent to %s",
                name,
                r.topic(),
                r.partition(),
                r.offset(),
                why.reasonCode(),
                why.getMessage(),
                Topics.deadLetter(r.topic()));
        Duration backoff = Duration.ofMillis(200);
        while (true) {
            try {
                deadLetters.send(r, why);
                listener.deadLettered(r, why);
                return;
            } catch (InterruptedException e) {
                throw e;
            } catch (Exception e) {
                String error = "cannot write to dead-letter topic: " + e;
                errors.accept(error);
                LOG.errorf("%s: %s; retrying", name, error);
                if (!running.getAsBoolean() || stopped.await(backoff.toMillis(), TimeUnit.MILLISECONDS)) {
                    throw new InterruptedException("stopped while dead-lettering");
                }
                backoff = longer(backoff);
            }
        }
    }

    /**
     * Waits out a failure of the consumer itself (a poll or a commit that threw: the broker away, a rebalance that cut
     * a commit short, a login or an ACL refused for a while), logging it, at the first failure and every tenth after;
     * returns the next wait. The wait ends early when {@code closing} is counted down.
     */
    static Duration consumerFailed(
            String name, RuntimeException e, int failures, Duration backoff, CountDownLatch closing)
            throws InterruptedException {
        if (failures == 1 || failures % 10 == 0) {
            LOG.warnf(
                    "%s: the consumer failed (%d time(s) in a row), polling again in %d ms; records not yet committed"
                            + " are read again: %s",
                    name, failures, backoff.toMillis(), e.toString());
        }
        closing.await(backoff.toMillis(), TimeUnit.MILLISECONDS);
        return longer(backoff);
    }

    /** The next back-off: twice as long, at most {@link #MAX_BACKOFF}. */
    static Duration longer(Duration backoff) {
        Duration twice = backoff.multipliedBy(2);
        return twice.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : twice;
    }
}
