package dev.handoff.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LedgerBenchTest {

    @Test
    void longReportLinesBreakAtBlanksWithIndentedContinuations() {
        assertThat(LedgerBench.wrap("  one two three four", 10, "    "))
                .containsExactly("  one two", "    three", "    four");
        assertThat(LedgerBench.wrap("short", 10, "    ")).containsExactly("short");
    }
}
