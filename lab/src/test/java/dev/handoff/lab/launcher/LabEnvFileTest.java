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
        assertThat(Files.readAllLines(file))
                .contains("export HANDOFF_WEBHOOK_SECRET=s3cret", "export HANDOFF_OPERATOR_TOKEN=t0ken");
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

    @Test
    void sourcingTheFileIsEnoughForHandoffctlAndCurlInAChildProcess() throws Exception {
        // Given a lab.env as the launcher writes it, with a value the shell would otherwise mangle
        Map<String, String> values = new LinkedHashMap<>();
        values.put(LabEnvFile.CONTROL_URL, "http://localhost:8080");
        values.put(LabEnvFile.CTL_SERVER, "http://localhost:8080");
        values.put(LabEnvFile.OPERATOR_TOKEN, "it's a $ecret `x` \\ token");
        values.put(LabEnvFile.CTL_TOKEN, "it's a $ecret `x` \\ token");
        Path file = dir.resolve("run/lab.env");
        new LabEnvFile(values).write(file);

        // When a shell sources it and starts a program (as handoffctl or curl would be started)
        Process shell = new ProcessBuilder(
                        "bash",
                        "-c",
                        ". \"$1\" && env | grep -E '^HANDOFF_(SERVER|TOKEN|CONTROL_URL|OPERATOR_TOKEN)=' | sort",
                        "_",
                        file.toString())
                .redirectErrorStream(true)
                .start();
        String seen = new String(shell.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);

        // Then the program sees both names of each value, unchanged, and the file reads back the same
        assertThat(shell.waitFor()).as(seen).isZero();
        assertThat(seen.lines())
                .containsExactly(
                        "HANDOFF_CONTROL_URL=http://localhost:8080",
                        "HANDOFF_OPERATOR_TOKEN=it's a $ecret `x` \\ token",
                        "HANDOFF_SERVER=http://localhost:8080",
                        "HANDOFF_TOKEN=it's a $ecret `x` \\ token");
        assertThat(LabEnvFile.read(file).orElseThrow().values()).isEqualTo(values);
    }

    @Test
    void aFileOfAnOlderLabWithoutExportsStillReads() throws Exception {
        // Given
        Path file = dir.resolve("old.env");
        Files.writeString(file, "# old\nHANDOFF_CONTROL_URL=http://localhost:8080\nHANDOFF_OPERATOR_TOKEN=t0ken\n");

        // Then
        assertThat(LabEnvFile.read(file).orElseThrow().values())
                .containsEntry(LabEnvFile.CONTROL_URL, "http://localhost:8080")
                .containsEntry(LabEnvFile.OPERATOR_TOKEN, "t0ken");
    }
}
