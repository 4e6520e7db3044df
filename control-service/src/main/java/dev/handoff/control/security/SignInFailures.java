package dev.handoff.control.security;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Failed sign-ins per client address, in fixed windows: a client with {@code maxFailures} failures in its current
 * window is blocked until the window ends. Successes are not counted. Memory is bounded: at most {@code capacity}
 * addresses are remembered, the least recently failing forgotten first.
 */
public final class SignInFailures {
    private record Window(Instant start, int failures) {}

    private final int maxFailures;
    private final Duration window;
    private final Clock clock;
    private final Map<String, Window> clients;

    public SignInFailures(int maxFailures, Duration window, int capacity, Clock clock) {
        if (maxFailures < 1 || window.isNegative() || window.isZero() || capacity < 1) {
            throw new IllegalArgumentException(
                    "handoff.auth.max-failures, failure-window and tracked-clients must be positive");
        }
        this.maxFailures = maxFailures;
        this.window = window;
        this.clock = clock;
        this.clients = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Window> eldest) {
                return size() > capacity;
            }
        };
    }

    /** How long {@code client} must wait before it may try again, or empty when it may try now. */
    public synchronized Optional<Duration> blockedFor(String client) {
        Window w = clients.get(client);
        if (w == null) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        Instant end = w.start().plus(window);
        if (!now.isBefore(end)) {
            clients.remove(client);
            return Optional.empty();
        }
        return w.failures() >= maxFailures ? Optional.of(Duration.between(now, end)) : Optional.empty();
    }

    /** Records one failed sign-in of {@code client}. */
    public synchronized void failed(String client) {
        Instant now = clock.instant();
        Window w = clients.get(client);
        if (w == null || !now.isBefore(w.start().plus(window))) {
            clients.put(client, new Window(now, 1));
        } else {
            clients.put(client, new Window(w.start(), w.failures() + 1));
        }
    }

    /** How many addresses are remembered. */
    public synchronized int tracked() {
        return clients.size();
    }

    /** Whole seconds of {@code wait}, rounded up, at least 1: the value of a Retry-After header. */
    public static long retryAfterSeconds(Duration wait) {
        long seconds = wait.toSeconds() + (wait.toNanosPart() > 0 ? 1 : 0);
        return Math.max(1, seconds);
    }
}
