package dev.handoff.lab;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MetricsPageTest {
    @Test
    void aSamplesValueIsReadPastItsLabelsAndBeforeAnExemplarOrTimestamp() {
        String page = String.join(
                "\n",
                "# TYPE handoff_stage_runs_total counter",
                "handoff_stage_runs_total{result=\"completed\",stage=\"infra\"} 2.0 # {span_id=\"00f067aa0ba902b7\","
                        + "trace_id=\"b1e603e93a3f3e1691e108eab44c868d\"} 1.0 1796614520.963",
                "handoff_stage_runs_total{result=\"failed\",stage=\"infra\"} 1.0",
                "handoff_stage_runs_total{result=\"completed\",stage=\"backup\"} 5.0 1796614520963");

        assertThat(MetricsPage.sum(page, "handoff_stage_runs_total", "stage=\"infra\"", "result=\"completed\""))
                .isEqualTo(2.0);
        assertThat(MetricsPage.sum(page, "handoff_stage_runs_total", "stage=\"infra\""))
                .isEqualTo(3.0);
        assertThat(MetricsPage.sum(page, "handoff_stage_runs_total", "stage=\"backup\""))
                .isEqualTo(5.0);
    }
}
