package dev.handoff.lab.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LabCommandsTest {
    private final ByteArrayOutputStream output = new ByteArrayOutputStream();

    @Test
    void helpPrintsUsage() throws Exception {
        assertThat(run("help")).isZero();
        assertThat(output())
                .contains("Usage: ./handoff up")
                .contains("push <owner/name>")
                .contains("./handoff status")
                .contains("./handoff down");
        output.reset();
        assertThat(run("--help")).isZero();
        assertThat(output()).contains("Usage: ./handoff");
    }

    @Test
    void unknownCommandPrintsUsageAndExitsWithTwo() throws Exception {
        assertThat(run("deploy")).isEqualTo(2);
        assertThat(output()).contains("unknown command: deploy").contains("Usage: ./handoff");
    }

    @Test
    void badOptionsAreUsageErrors() throws Exception {
        assertThat(run("up", "--port", "eighty")).isEqualTo(2);
        assertThat(output()).contains("--port needs a port number from 1 to 65535, not eighty");
        assertThat(run("up", "--verbose")).isEqualTo(2);
        assertThat(run("push")).isEqualTo(2);
        assertThat(output()).contains("which repository?");
        assertThat(run("push", "ops/edge-cluster-infra", "-m")).isEqualTo(2);
    }

    @Test
    void statusAndDownWithoutARunningLabSaySoPlainly(@TempDir Path home) throws Exception {
        // When
        int status = LabCommands.run(
                new String[] {"status"},
                Map.of(LabHome.VARIABLE, home.toString()),
                new PrintStream(output, true, StandardCharsets.UTF_8));

        // Then
        assertThat(status).isEqualTo(StatusCommand.NOT_RUNNING);
        assertThat(output()).contains("No lab is running from " + home + ". Start it with ./handoff up.");

        // When
        output.reset();
        int down = LabCommands.run(
                new String[] {"down"},
                Map.of(LabHome.VARIABLE, home.toString()),
                new PrintStream(output, true, StandardCharsets.UTF_8));

        // Then
        assertThat(down).isZero();
        assertThat(output()).contains("No lab is running from " + home + "; nothing to stop.");
        assertThat(run("down", "now")).isEqualTo(2);
        assertThat(output()).contains("down takes no arguments");
    }

    private int run(String... args) throws InterruptedException {
        return LabCommands.run(args, Map.of(), new PrintStream(output, true, StandardCharsets.UTF_8));
    }

    private String output() {
        return output.toString(StandardCharsets.UTF_8);
    }
}
