package dev.handoff.bench.fleet;

import java.time.Duration;

/**
 * What {@code bench/run-fleet} measures.
 *
 * @param hosts how many simulated hosts ({@code --hosts}, default 1000)
 * @param activation how long each host's activation takes ({@code --activation}, default 5 s; 0 with
 *     {@code --instant})
 * @param concurrency how many hosts each stage works on at once ({@code --concurrency}, default 16)
 */
public record FleetSettings(int hosts, Duration activation, int concurrency) {
    public FleetSettings {
        if (hosts < 1 || hosts > 9999) {
            throw new IllegalArgumentException("--hosts must be 1 to 9999 (a lab fleet's size), not " + hosts);
        }
        if (activation.isNegative()) {
            throw new IllegalArgumentException("--activation must not be negative: " + activation);
        }
        if (concurrency < 1) {
            throw new IllegalArgumentException("--concurrency must be at least 1, not " + concurrency);
        }
    }

    /** Whether activations take no time: the run measures Handoff's own orchestration. */
    public boolean instant() {
        return activation.isZero();
    }

    /** {@code hosts × activation ÷ concurrency}: the push's duration if only the activations took time. */
    public Duration ideal() {
        return activation.multipliedBy(hosts).dividedBy(concurrency);
    }

    /** The activation as {@code ./handoff up --activation} takes it: {@code 5s}, {@code 0s}, {@code 500ms}. */
    public String activationArgument() {
        long millis = activation.toMillis();
        return millis % 1000 == 0 ? millis / 1000 + "s" : millis + "ms";
    }
}
