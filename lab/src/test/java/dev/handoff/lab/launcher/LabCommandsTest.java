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

    @Test
    void aDrillWithoutARunningLabSaysSoAndABadOneIsAUsageError(@TempDir Path home) throws Exception {
        // When
        int kill = LabCommands.run(
                new String[] {"kill", "converge-service"},
                Map.of(LabHome.VARIABLE, home.toString()),
                new PrintStream(output, true, StandardCharsets.UTF_8));

        // Then
        assertThat(kill).isEqualTo(StatusCommand.NOT_RUNNING);
        assertThat(output())
                .contains("No lab is running from " + home + ": ./handoff kill converge-service acts on a running lab."
                        + " Start one with ./handoff up");
        assertThat(run("stop", "converge-service")).isEqualTo(2);
        assertThat(output()).contains("stop: the lab can stop kafka or postgres, not 'converge-service'");
        assertThat(run("partition")).isEqualTo(2);
        assertThat(output()).contains("./handoff partition <host> [--heal]");
    }

    @Test
    void usageListsTheDrills() throws Exception {
        assertThat(run("help")).isZero();
        assertThat(output())
                .contains("./handoff kill <service> | restart <service>")
                .contains("./handoff stop kafka|postgres | start kafka|postgres")
                .contains("./handoff partition <host> [--heal]");
    }

    private int run(String... args) throws InterruptedException {
        return LabCommands.run(args, Map.of(), new PrintStream(output, true, StandardCharsets.UTF_8));
    }

    private String output() {
        return output.toString(StandardCharsets.UTF_8);
    }
}
