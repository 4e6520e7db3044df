package dev.handoff.lab.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LabEnvFileTest {

    @TempDir
    Path dir;

    @Test
    void labEnvIsWrittenForItsOwnerOnlyAndReadsBack() throws Exception {
        // Given
        Map<String, String> values = new LinkedHashMap<>();
        values.put(LabEnvFile.CONTROL_URL, "http://localhost:8080");
        values.put(LabEnvFile.WEBHOOK_SECRET, "s3cret");
        values.put(LabEnvFile.OPERATOR_TOKEN, "t0ken");
        values.put(LabEnvFile.PID, Long.toString(ProcessHandle.current().pid()));
        Path file = dir.resolve("run/lab.env");

        // When
        new LabEnvFile(values).write(file);
        LabEnvFile read = LabEnvFile.read(file).orElseThrow();

        // Then
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
                .isEqualTo("rw-------");
        assertThat(Files.readAllLines(file)).contains("HANDOFF_WEBHOOK_SECRET=s3cret", "HANDOFF_OPERATOR_TOKEN=t0ken");
        assertThat(read.values()).isEqualTo(values);
        assertThat(read.labRunning()).isTrue();
    }

    @Test
    void fileOfAFinishedLabSaysItIsNotRunning() {
        // Given a pid that cannot be a running process
        LabEnvFile file = new LabEnvFile(Map.of(LabEnvFile.PID, Long.toString(Long.MAX_VALUE)));

        // Then
        assertThat(file.labRunning()).isFalse();
        assertThat(LabEnvFile.read(dir.resolve("absent.env"))).isEmpty();
    }
}
