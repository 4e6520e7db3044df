package dev.handoff.lab.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LabCommandsTest {
    private final ByteArrayOutputStream output = new ByteArrayOutputStream();

    @Test
    void helpPrintsUsage() throws Exception {
        assertThat(run("help")).isZero();
        assertThat(output()).contains("Usage: ./handoff up").contains("push <owner/name>");
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

    private int run(String... args) throws InterruptedException {
        return LabCommands.run(args, Map.of(), new PrintStream(output, true, StandardCharsets.UTF_8));
    }

    private String output() {
        return output.toString(StandardCharsets.UTF_8);
    }
}
