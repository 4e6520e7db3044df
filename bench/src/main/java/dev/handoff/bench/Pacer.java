package dev.handoff.bench;

import java.util.concurrent.locks.LockSupport;

/**
 * Paces one sender at a fixed rate: the i-th send is due {@code i / perSecond} seconds after the first. A sender that
 * falls behind sends at once (no catch-up burst beyond that: each due time is fixed in advance).
 */
final class Pacer {
    private final long intervalNanos;
    private long start = Long.MIN_VALUE;

    Pacer(double perSecond) {
        if (!(perSecond > 0)) {
            throw new IllegalArgumentException("rate must be positive: " + perSecond);
        }
        this.intervalNanos = Math.round(1_000_000_000L / perSecond);
    }

    /** Waits until the {@code i}-th send (from 0) is due; the first call starts the clock. */
    void awaitTurn(int i) throws InterruptedException {
        if (start == Long.MIN_VALUE) {
            start = System.nanoTime();
        }
        long due = start + i * intervalNanos;
        long wait;
        while ((wait = due - System.nanoTime()) > 0) {
            LockSupport.parkNanos(wait);
            if (Thread.interrupted()) {
                throw new InterruptedException("interrupted while pacing");
            }
        }
    }
}
