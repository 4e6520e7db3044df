package dev.handoff.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class LatenciesTest {

    @Test
    void nearestRankPercentilesOfOneToThousandAreMeasuredValues() {
        // Given: 1..1000 in reverse order
        long[] values = LongStream.rangeClosed(1, 1000).map(v -> 1001 - v).toArray();

        // When
        Latencies l = Latencies.of(values);

        // Then
        assertThat(l.count()).isEqualTo(1000);
        assertThat(l.min()).isEqualTo(1);
        assertThat(l.p50()).isEqualTo(500);
        assertThat(l.p99()).isEqualTo(990);
        assertThat(l.max()).isEqualTo(1000);
        assertThat(l.mean()).isEqualTo(500.5);
        assertThat(values[0]).as("input left unsorted").isEqualTo(1000);
    }

    @Test
    void percentileRanksRoundUp() {
        long[] sorted = {10, 20, 30, 40, 50, 60, 70, 80, 90, 100};

        assertThat(Latencies.percentile(sorted, 50)).isEqualTo(50);
        assertThat(Latencies.percentile(sorted, 51)).isEqualTo(60);
        assertThat(Latencies.percentile(sorted, 99)).isEqualTo(100);
        assertThat(Latencies.percentile(sorted, 100)).isEqualTo(100);
        assertThat(Latencies.percentile(sorted, 0.1)).isEqualTo(10);
    }

    @Test
    void oneValueIsEveryPercentile() {
        Latencies l = Latencies.of(List.of(42L));

        assertThat(l.p50()).isEqualTo(42);
        assertThat(l.p99()).isEqualTo(42);
        assertThat(l.max()).isEqualTo(42);
    }

    @Test
    void nothingMeasuredOrAPercentileOutOfRangeIsRefused() {
        assertThatThrownBy(() -> Latencies.of(new long[0])).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Latencies.percentile(new long[] {1}, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Latencies.percentile(new long[] {1}, 101))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void millisecondsHaveTwoDecimals() {
        assertThat(Latencies.ms(12_345)).isEqualTo("12.35 ms");
        assertThat(Latencies.of(new long[] {1_000, 2_000}).describe())
                .isEqualTo("p50 1.00 ms  p99 2.00 ms  max 2.00 ms");
    }
}
