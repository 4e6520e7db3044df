package dev.handoff.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PrometheusTextTest {
    private static final String TEXT = """
            # HELP handoff_ledger_events_stored_total Events stored in the ledger
            # TYPE handoff_ledger_events_stored_total counter
            handoff_ledger_events_stored_total 101100.0
            handoff_ledger_events_stored_total_other 7.0
            # TYPE handoff_webhooks_total counter
            handoff_webhooks_total{outcome="accepted",reason="published"} 1100.0
            handoff_webhooks_total{outcome="refused",reason="bad-signature"} 2.0
            """;

    @Test
    void sumsEverySampleOfAName() {
        assertThat(PrometheusText.sum(TEXT, "handoff_ledger_events_stored_total"))
                .isEqualTo(101_100.0);
        assertThat(PrometheusText.sum(TEXT, "handoff_webhooks_total")).isEqualTo(1_102.0);
    }

    @Test
    void anAbsentMetricIsNaN() {
        assertThat(PrometheusText.sum(TEXT, "handoff_ledger_dead_lettered_total"))
                .isNaN();
    }
}
