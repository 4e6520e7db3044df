package dev.handoff.lab.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServiceProcessTest {

    @TempDir
    Path run;

    private ServiceProcess service;

    @AfterEach
    void stopService() {
        if (service != null) {
            service.stop(Duration.ofSeconds(1));
        }
    }

    @Test
    void serviceThatAnswersReadyIsReadyAndStopsOnSigterm() throws Exception {
        // Given
        int port = freePort();
        service = start(port, "ready", Map.of("LAB_PROBE", "from-the-lab"));

        // When
        service.awaitReady(Duration.ofSeconds(60));
        service.stop(Duration.ofSeconds(10));

        // Then
        assertThat(service.isAlive()).isFalse();
        assertThat(Files.readString(service.log()))
                .contains("LAB_PROBE=from-the-lab")
                .contains("HANDOFF_OPERATOR_TOKEN=null");
    }

    @Test
    void serviceThatExitsEarlyFailsWithTheEndOfItsLog() throws Exception {
        // Given
        service = start(freePort(), "crash", Map.of());

        // When / Then
        assertThatThrownBy(() -> service.awaitReady(Duration.ofSeconds(60)))
                .isInstanceOf(ServiceFailedException.class)
                .hasMessageContaining("fake-service exited with code 3 before it was ready")
                .hasMessageContaining("boom, configuration missing")
                .hasMessageContaining(service.log().toString());
    }

    @Test
    void serviceThatNeverBecomesReadyFailsAfterTheTimeout() throws Exception {
        // Given
        service = start(freePort(), "unready", Map.of());

        // When / Then
        assertThatThrownBy(() -> service.awaitReady(Duration.ofSeconds(3)))
                .isInstanceOf(ServiceFailedException.class)
                .hasMessageContaining("fake-service was not ready within 3 s")
                .hasMessageContaining("/q/health/ready");
        assertThat(service.isAlive()).isTrue();
    }

    @Test
    void serviceThatIgnoresSigtermIsKilledAfterTheGracePeriod() throws Exception {
        // Given
        service = start(freePort(), "stubborn", Map.of());
        service.awaitReady(Duration.ofSeconds(60));

        // When
        service.stop(Duration.ofSeconds(1));

        // Then
        assertThat(service.isAlive()).isFalse();
    }

    private ServiceProcess start(int port, String mode, Map<String, String> env) {
        List<String> command = List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx64m",
                "-XX:TieredStopAtLevel=1",
                "-cp",
                System.getProperty("java.class.path"),
                FakeService.class.getName(),
                Integer.toString(port),
                mode);
        return ServiceProcess.start(
                "fake-service",
                command,
                env,
                List.of("HANDOFF_OPERATOR_TOKEN"),
                run,
                run.resolve("logs/fake-service.log"),
                port);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
