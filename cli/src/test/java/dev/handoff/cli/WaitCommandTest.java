package dev.handoff.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** handoffctl wait and show --watch against a stub of control-service whose deployment moves on between polls. */
class WaitCommandTest {
    private final ControlStub control = new ControlStub();

    @AfterEach
    void stop() {
        control.close();
    }

    private static String deployment(String status, String stages) {
        return "{\"id\":\"d1\",\"host\":\"cloud-edge-1\",\"firstStage\":\"infra\",\"status\":\"" + status
                + "\",\"result\":" + (status.equals("failed") ? "\"converge: confirm-timeout — rolled back\"" : null)
                + ",\"stages\":[" + stages + "]}";
    }

    private static String stage(String stage, String status) {
        return "{\"stage\":\"" + stage + "\",\"status\":\"" + status + "\"}";
    }

    private Ctl.Run ctl(String... args) {
        String[] all = new String[args.length + 4];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--server";
        all[args.length + 1] = control.url();
        all[args.length + 2] = "--token";
        all[args.length + 3] = "t0k";
        return Ctl.run(all);
    }

    @Test
    void waitExits0WhenTheDeploymentSucceedsAndPrintsALineForEachStageChange() {
        // Given: not in the ledger yet, then running, then converged, then done
        control.answer(404, "{\"error\":\"no deployment d1\"}")
                .answer(
                        deployment("running", stage("commit", "pushed") + "," + stage("infra", "started")),
                        deployment("running", stage("commit", "pushed") + "," + stage("infra", "started")),
                        deployment(
                                "running",
                                stage("commit", "pushed") + "," + stage("infra", "completed") + ","
                                        + stage("converge", "started")),
                        deployment(
                                "succeeded",
                                stage("commit", "pushed") + "," + stage("infra", "completed") + ","
                                        + stage("converge", "completed") + "," + stage("backup", "completed")));

        // When
        Ctl.Run run = ctl("wait", "d1", "--timeout", "1m", "--interval", "100ms");

        // Then
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out())
                .contains("deployment d1 is not in the ledger yet")
                .containsPattern("infra\\s+started")
                .containsPattern("infra\\s+completed")
                .containsPattern("converge\\s+started")
                .containsPattern("backup\\s+completed")
                .contains("Deployment d1 succeeded");
        assertThat(run.out().lines().filter(l -> l.matches(".*infra\\s+started.*")))
                .as("a stage that did not change is not printed again")
                .hasSize(1);
        assertThat(control.seen).allSatisfy(s -> assertThat(s.path()).isEqualTo("/api/deployments/d1"));
    }

    @Test
    void waitExits1WithTheResultWhenAStageFails() {
        // Given
        control.answer(
                deployment("running", stage("converge", "started")), deployment("failed", stage("converge", "failed")));

        // When
        Ctl.Run run = ctl("wait", "d1", "--interval", "100ms");

        // Then
        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.out()).containsPattern("converge\\s+failed");
        assertThat(run.err()).contains("deployment d1 failed: converge: confirm-timeout", "handoffctl show d1");
    }

    @Test
    void waitForAStageExits0OnceThatStageCompletedWhileTheRestStillRuns() {
        // Given
        control.answer(
                deployment("running", stage("infra", "started")),
                deployment("running", stage("infra", "completed") + "," + stage("secrets", "started")));

        // When
        Ctl.Run run = ctl("wait", "d1", "--for", "infra", "--interval", "100ms");
        Ctl.Run skipped = ctl("wait", "d1", "--for", "commit");

        // Then
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out()).contains("Deployment d1: infra completed");
        assertThat(skipped.exit()).isEqualTo(2);
        assertThat(skipped.err()).contains("--for commit: give all, or a stage");
    }

    @Test
    void waitForAStageTheDeploymentDoesNotRunExits1AndStaleOrSupersededToo() {
        // Given: a deployment that starts at converge
        control.answer("{\"id\":\"d1\",\"firstStage\":\"converge\",\"status\":\"running\",\"stages\":[]}");

        // When
        Ctl.Run infra = ctl("wait", "d1", "--for", "infra");

        // Then
        assertThat(infra.exit()).isEqualTo(1);
        assertThat(infra.err()).contains("deployment d1 starts at converge: infra does not run in it");

        // Given / When
        try (ControlStub stale = new ControlStub()) {
            stale.answer("{\"id\":\"d2\",\"status\":\"stale\",\"result\":\"stale: would roll back\",\"stages\":["
                    + stage("commit", "stale") + "]}");
            Ctl.Run run = Ctl.run("wait", "d2", "--server", stale.url(), "--token", "t");

            // Then
            assertThat(run.exit()).isEqualTo(1);
            assertThat(run.err()).contains("deployment d2 stale: stale: would roll back");
        }
    }

    @Test
    void waitExits2WhenTheTimeoutPassesAndSaysWhereTheDeploymentIs() {
        // Given
        control.answer(deployment("running", stage("infra", "waiting-approval")));

        // When
        long started = System.nanoTime();
        Ctl.Run run = ctl("wait", "d1", "--timeout", "700ms", "--interval", "100ms");
        long tookMillis = (System.nanoTime() - started) / 1_000_000;

        // Then
        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.out()).contains("waiting-approval", "approve with: handoffctl approve d1");
        assertThat(run.err()).contains("deployment d1 is not done after 700ms (infra waiting-approval)", "--timeout");
        assertThat(tookMillis).isBetween(600L, 10_000L);
    }

    @Test
    void waitWithJsonOutputPrintsProgressToStderrAndTheFinalDeploymentToStdout() throws Exception {
        // Given
        control.answer(deployment("succeeded", stage("backup", "completed")));

        // When
        Ctl.Run run = ctl("wait", "d1", "-o", "json");

        // Then
        assertThat(run.exit()).isZero();
        JsonNode d = ControlApi.JSON.readTree(run.out());
        assertThat(d.path("status").asText()).isEqualTo("succeeded");
        assertThat(run.err()).containsPattern("backup\\s+completed");
    }

    @Test
    void anUnknownDeploymentIsNotWaitedForPastTheTimeout() {
        // Given
        control.answer(404, "{\"error\":\"no deployment nope\"}");

        // When
        Ctl.Run run = ctl("wait", "nope", "--timeout", "300ms", "--interval", "100ms");

        // Then: the timeout is shorter than the grace for a deployment the ledger has not stored yet
        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).contains("deployment nope is not done after 300ms");
    }

    @Test
    void showWatchPrintsTheDeploymentAgainWhenItChangesAndStopsWhenItIsNoLongerRunning() {
        // Given
        control.answer(
                deployment("running", stage("infra", "started")),
                deployment("running", stage("infra", "started")),
                deployment("running", stage("infra", "completed")),
                deployment("failed", stage("infra", "completed") + "," + stage("converge", "failed")));

        // When
        Ctl.Run run = ctl("show", "d1", "--watch", "--interval", "100ms");

        // Then
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out().lines().filter(l -> l.startsWith("Deployment  d1")))
                .hasSize(3);
        assertThat(run.out()).containsPattern("Status\\s+failed");
        assertThat(control.seen).hasSize(4);
    }

    @Test
    void aTooShortIntervalOrABadDurationIsAUsageError() {
        // When
        Ctl.Run shortInterval = ctl("wait", "d1", "--interval", "10ms");
        Ctl.Run badTimeout = ctl("wait", "d1", "--timeout", "10 minutes");

        // Then
        assertThat(shortInterval.exit()).isEqualTo(2);
        assertThat(shortInterval.err()).contains("--interval 10ms is too short");
        assertThat(badTimeout.exit()).isEqualTo(2);
        assertThat(badTimeout.err()).contains("'10 minutes' is not a duration", "10m");
        assertThat(control.seen).isEmpty();
    }
}
