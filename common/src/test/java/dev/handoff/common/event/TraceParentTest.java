package dev.handoff.common.event;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.handoff.common.serde.EventCodec;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class TraceParentTest {
    private static EventEnvelope event(String id, String deployment) {
        return new EventEnvelope(
                id,
                "/handoff/test",
                EventType.COMMIT_PUSHED.type(),
                "cloud-edge-1",
                OffsetDateTime.now(ZoneOffset.UTC),
                EventType.COMMIT_PUSHED.dataSchema(1),
                deployment,
                null,
                null,
                JsonNodeFactory.instance.objectNode());
    }

    @Test
    void aDeploymentIsOneTraceAndEachEventASpanOfIt() {
        String deployment = "b1e603e9-3a3f-3e16-91e1-08eab44c868d";
        String first = TraceParent.of(event("0abcffc4-d091-44b2-863d-8f27293e1816", deployment))
                .orElseThrow();
        String second = TraceParent.of(event("5f0c2b1e-7a6d-4c1b-9e3f-2d4a6b8c0e12", deployment))
                .orElseThrow();

        assertThat(first).isEqualTo("00-b1e603e93a3f3e1691e108eab44c868d-0abcffc4d09144b2-01");
        assertThat(TraceParent.traceId(first)).contains("b1e603e93a3f3e1691e108eab44c868d");
        assertThat(TraceParent.traceId(second)).isEqualTo(TraceParent.traceId(first));
        assertThat(second).isNotEqualTo(first);
        // an event of no deployment (a replay's audit record) starts no trace
        assertThat(TraceParent.of(event("0abcffc4-d091-44b2-863d-8f27293e1816", null)))
                .isEmpty();
    }

    @Test
    void anInvalidHeaderIsIgnoredAsW3cTraceContextSays() {
        String trace = "4bf92f3577b34da6a3ce929d0e0e4736";
        assertThat(TraceParent.traceId("00-" + trace + "-00f067aa0ba902b7-01")).contains(trace);
        // a later version may add fields after a dash
        assertThat(TraceParent.traceId("01-" + trace + "-00f067aa0ba902b7-01-extra"))
                .contains(trace);
        assertThat(TraceParent.traceId("00-" + trace + "-00f067aa0ba902b7-01-extra"))
                .isEmpty();
        assertThat(TraceParent.traceId("ff-" + trace + "-00f067aa0ba902b7-01")).isEmpty();
        assertThat(TraceParent.traceId("00-" + "0".repeat(32) + "-00f067aa0ba902b7-01"))
                .isEmpty();
        assertThat(TraceParent.traceId("00-" + trace + "-0000000000000000-01")).isEmpty();
        assertThat(TraceParent.traceId("00-" + trace.toUpperCase() + "-00f067aa0ba902b7-01"))
                .isEmpty();
        assertThat(TraceParent.traceId("00-" + trace + "-00f067aa0ba902b7")).isEmpty();
        assertThat(TraceParent.traceId(null)).isEmpty();
    }

    @Test
    void everyRecordOfADeploymentCarriesItsTraceparent() throws Exception {
        EventEnvelope e = new EventEnvelope(
                "0abcffc4-d091-44b2-863d-8f27293e1816",
                "/handoff/control-service",
                EventType.COMMIT_PUSHED.type(),
                "cloud-edge-1",
                OffsetDateTime.now(ZoneOffset.UTC),
                EventType.COMMIT_PUSHED.dataSchema(1),
                "b1e603e9-3a3f-3e16-91e1-08eab44c868d",
                null,
                null,
                dev.handoff.common.serde.Json.mapper()
                        .readTree(TraceParentTest.class.getResourceAsStream(
                                "/samples/commit.pushed/v1/edge-cluster-infra-main.json")));
        var record = new EventCodec().encode(e);
        assertThat(EventCodec.optional(record.headers(), TraceParent.HEADER))
                .isEqualTo(TraceParent.of(e).orElseThrow())
                .startsWith("00-b1e603e93a3f3e1691e108eab44c868d-");
    }
}
