package dev.handoff.control.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class SignInFailuresTest {
    private final MutableClock clock = new MutableClock();

    @Test
    void aClientIsBlockedAfterTenFailuresUntilItsMinuteEnds() {
        // Given
        SignInFailures failures = new SignInFailures(10, Duration.ofMinutes(1), 100, clock);

        // When nine failures, then a tenth 20 s later
        for (int i = 0; i < 9; i++) {
            failures.failed("203.0.113.7");
        }
        assertThat(failures.blockedFor("203.0.113.7")).isEmpty();
        clock.advance(Duration.ofSeconds(20));
        failures.failed("203.0.113.7");

        // Then it waits out the rest of the minute, and another client is not affected
        assertThat(failures.blockedFor("203.0.113.7")).contains(Duration.ofSeconds(40));
        assertThat(SignInFailures.retryAfterSeconds(Duration.ofMillis(39_001))).isEqualTo(40);
        assertThat(failures.blockedFor("198.51.100.1")).isEmpty();
        clock.advance(Duration.ofSeconds(40));
        assertThat(failures.blockedFor("203.0.113.7")).isEmpty();
    }

    @Test
    void memoryIsBoundedWhateverTheNumberOfClients() {
        // Given
        SignInFailures failures = new SignInFailures(10, Duration.ofMinutes(1), 1_000, clock);

        // When a million addresses fail once each
        for (int i = 0; i < 1_000_000; i++) {
            failures.failed("client-" + i);
        }

        // Then only the most recent thousand are remembered
        assertThat(failures.tracked()).isEqualTo(1_000);
    }

    /** A clock tests move by hand. */
    static final class MutableClock extends Clock {
        private Instant now = Instant.parse("2026-11-25T10:00:00Z");

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
