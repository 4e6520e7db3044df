package dev.handoff.common.stage;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import org.jboss.logging.MDC;
import org.junit.jupiter.api.Test;

class StageLogContextTest {
    @Test
    void aStagesWorkLogsItsHostDeploymentAndTraceAndTheMdcIsRestoredAfter() throws Exception {
        MDC.put(StageLogContext.HOST, "outer");
        Map<String, Object> seen = new HashMap<>();
        try {
            StageLogContext.run("cloud-edge-1", "B1E603E9-3a3f-3e16-91e1-08eab44c868d", () -> {
                seen.put("host", MDC.get(StageLogContext.HOST));
                seen.put("deployment", MDC.get(StageLogContext.DEPLOYMENT));
                seen.put("trace", MDC.get(StageLogContext.TRACE));
            });
            assertThat(seen)
                    .containsEntry("host", "cloud-edge-1")
                    .containsEntry("deployment", "B1E603E9-3a3f-3e16-91e1-08eab44c868d")
                    .containsEntry("trace", "b1e603e93a3f3e1691e108eab44c868d");
            assertThat(MDC.get(StageLogContext.HOST)).isEqualTo("outer");
            assertThat(MDC.get(StageLogContext.TRACE)).isNull();
        } finally {
            MDC.remove(StageLogContext.HOST);
        }
    }
}
