package dev.handoff.control.status;

import static org.assertj.core.api.Assertions.assertThat;

import dev.handoff.lab.forge.ForgejoStatusApi;
import java.net.URI;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class StageStatusTest {
    private static final String SHA = "0123456789abcdef0123456789abcdef01234567";

    private static StageStatus status(String stage, String verb, String reason) {
        return new StageStatus(
                "d-1", stage, verb, reason, OffsetDateTime.now(), "cloud-edge-1", "ops/runtime", SHA, "converge");
    }

    @Test
    void eachStageVerbHasTheStateAPusherExpects() {
        assertThat(status("converge", "started", null).state()).contains("pending");
        assertThat(status("infra", "waiting-approval", null).state()).contains("pending");
        assertThat(status("converge", "completed", null).state()).contains("success");
        assertThat(status("converge", "failed", "converge: timeout").state()).contains("failure");
        assertThat(status("infra", "rejected", null).state()).contains("failure");
        assertThat(status("converge", "superseded", "newer").state()).contains("warning");
        // the commit's own state is said on its first stage
        StageStatus queued = status(StageStatus.COMMIT, "pushed", null);
        assertThat(queued.context()).isEqualTo("handoff/cloud-edge-1/converge");
        assertThat(queued.description()).isEqualTo("converge: queued");
        assertThat(ForgejoStatusApi.STATES).contains("pending", "success", "failure", "warning");
    }

    @Test
    void aLongMultiLineReasonBecomesOneLineOfAtMost140Characters() {
        String reason = "converge: confirm-timeout — line one\nline two\t" + "x".repeat(300) + "😀";
        String description = status("converge", "failed", reason).description();
        assertThat(description)
                .hasSize(StageStatus.DESCRIPTION_LENGTH)
                .endsWith("…")
                .doesNotContain("\n", "\t")
                .startsWith("converge: confirm-timeout — line one line two");
    }

    @Test
    void valuesThatCannotNameAStatusAreRefusedBeforeAnyRequest() {
        StageStatus bad = new StageStatus(
                "d-1", "converge", "failed", "x", OffsetDateTime.now(), "cloud-edge-1", "../../admin", SHA, null);
        assertThat(bad.invalid()).get().asString().contains("repository '../../admin'");
        StageStatus shortSha = new StageStatus(
                "d-1", "converge", "failed", "x", OffsetDateTime.now(), "cloud-edge-1", "ops/runtime", "abc", null);
        assertThat(shortSha.invalid()).get().asString().contains("commit 'abc'");
    }

    @Test
    void aRefusedTokenHoldsStatusesBackWithAMessageThatNamesTheFixNotTheToken() throws Exception {
        try (ForgejoStatusApi forgejo = new ForgejoStatusApi("right-token", (r, s) -> true)) {
            String wrong = "wrong-token-5f2a";
            ForgejoStatusClient client = new ForgejoStatusClient(forgejo.url(), wrong, Duration.ofSeconds(5));
            ForgejoStatusClient.Outcome outcome =
                    client.post(status("converge", "completed", null), "success", Optional.empty());
            assertThat(outcome).isInstanceOf(ForgejoStatusClient.Unavailable.class);
            String why = ((ForgejoStatusClient.Unavailable) outcome).why();
            assertThat(why).contains("401", "HANDOFF_FORGEJO_TOKEN").doesNotContain(wrong, "right-token");
            assertThat(forgejo.all()).isEmpty();

            ForgejoStatusClient right =
                    new ForgejoStatusClient(URI.create(forgejo.url() + "/"), "right-token", Duration.ofSeconds(5));
            assertThat(right.post(status("converge", "completed", null), "success", Optional.of("https://h/x")))
                    .isInstanceOf(ForgejoStatusClient.Posted.class);
            assertThat(forgejo.statuses("ops/runtime", SHA)).singleElement().satisfies(s -> {
                assertThat(s.context()).isEqualTo("handoff/cloud-edge-1/converge");
                assertThat(s.state()).isEqualTo("success");
                assertThat(s.targetUrl()).isEqualTo("https://h/x");
            });
        }
    }
}
