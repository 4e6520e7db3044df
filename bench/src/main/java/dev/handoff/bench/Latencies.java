package dev.handoff.bench;

import java.util.Arrays;
import java.util.Collection;
import java.util.Locale;

/**
 * A summary of measured latencies, in microseconds. Percentiles use the nearest-rank method: the p-th percentile of n
 * sorted values is the value at rank ⌈p/100 · n⌉, so it is always one of the measured values (p50 of 1..1000 is 500,
 * p99 is 990, p100 is the maximum).
 *
 * @param count how many values were measured
 * @param min the smallest value
 * @param p50 the median
 * @param p99 the 99th percentile
 * @param max the largest value
 * @param mean the arithmetic mean
 */
public record Latencies(int count, long min, long p50, long p99, long max, double mean) {

    /** Summarises values in microseconds. */
    public static Latencies of(Collection<Long> micros) {
        return of(micros.stream().mapToLong(Long::longValue).toArray());
    }

    /** Summarises values in microseconds; the array is not changed. */
    public static Latencies of(long[] micros) {
        if (micros.length == 0) {
            throw new IllegalArgumentException("no values measured");
        }
        long[] sorted = micros.clone();
        Arrays.sort(sorted);
        return new Latencies(
                sorted.length,
                sorted[0],
                percentile(sorted, 50),
                percentile(sorted, 99),
                sorted[sorted.length - 1],
                Arrays.stream(sorted).average().orElse(0));
    }

    /**
     * The nearest-rank percentile of sorted values.
     *
     * @param sorted values in ascending order, at least one
     * @param p the percentile, greater than 0 and at most 100
     */
    public static long percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            throw new IllegalArgumentException("no values");
        }
        if (!(p > 0 && p <= 100)) {
            throw new IllegalArgumentException("percentile must be in (0, 100]: " + p);
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(1, Math.min(rank, sorted.length)) - 1];
    }

    /** Microseconds as milliseconds with two decimals, e.g. {@code 12.35 ms}. */
    public static String ms(long micros) {
        return String.format(Locale.ROOT, "%.2f ms", micros / 1000.0);
    }

    /** {@code p50 … p99 … max …} in milliseconds. */
    public String describe() {
        return "p50 " + ms(p50) + "  p99 " + ms(p99) + "  max " + ms(max);
    }
}
