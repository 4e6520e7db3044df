package dev.handoff.infra.driver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import dev.handoff.infra.stage.Redactor;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcessRunnerTest {
    private final ProcessRunner runner = new ProcessRunner(5);

    @Test
    void aTimedOutProcessIsKilledWithItsChildren(@TempDir Path dir) throws Exception {
        // Given: a process whose child outlives a plain kill of its parent
        String script = "sleep 300 & echo $! > child.pid; echo started; wait";

        // When
        ProcessRunner.TimedOut timedOut = catchThrowableOfType(
                ProcessRunner.TimedOut.class,
                () -> runner.run(
                        "hung",
                        List.of("sh", "-c", script),
                        dir,
                        Map.of(),
                        Duration.ofSeconds(2),
                        false,
                        new Redactor()));

        // Then
        assertThat(timedOut.getMessage()).contains("hung did not finish within 2 s");
        assertThat(timedOut.tail()).contains("started");
        long child = Long.parseLong(Files.readString(dir.resolve("child.pid"), StandardCharsets.UTF_8)
                .strip());
        await().atMost(Duration.ofSeconds(10))
                .until(() -> ProcessHandle.of(child).map(h -> !h.isAlive()).orElse(true));
    }

    @Test
    void outputIsRedactedInTheTailAndCapturedOutputIsKeptWhole(@TempDir Path dir) throws Exception {
        // Given
        Redactor redactor = new Redactor();
        redactor.learn(List.of("s3cr3t-value"));

        // When
        ProcessRunner.Result logged = runner.run(
                "echo",
                List.of("sh", "-c", "echo token=s3cr3t-value; exit 3"),
                dir,
                Map.of(),
                Duration.ofSeconds(10),
                false,
                redactor);
        ProcessRunner.Result captured = runner.run(
                "json",
                List.of("sh", "-c", "echo '{\"v\":\"s3cr3t-value\"}'"),
                dir,
                Map.of(),
                Duration.ofSeconds(10),
                true,
                redactor);

        // Then
        assertThat(logged.exitCode()).isEqualTo(3);
        assertThat(logged.tail()).containsExactly("token=(sensitive value)");
        assertThat(captured.stdout()).contains("s3cr3t-value");
        assertThat(captured.tail()).isEmpty();
    }
}
