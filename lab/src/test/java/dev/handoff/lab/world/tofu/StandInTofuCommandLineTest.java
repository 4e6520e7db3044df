package dev.handoff.lab.world.tofu;

import static dev.handoff.lab.world.tofu.TofuStacks.APPLY;
import static dev.handoff.lab.world.tofu.TofuStacks.INIT;
import static dev.handoff.lab.world.tofu.TofuStacks.OUTPUT;
import static dev.handoff.lab.world.tofu.TofuStacks.PLAN;
import static dev.handoff.lab.world.tofu.TofuStacks.SHOW;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Command lines parsed as OpenTofu's commands parse them (Go's {@code flag} package): infra-service's exact command
 * lines work, unknown flags are refused with tofu's usage error, flags after a positional argument are not flags,
 * {@code TF_CLI_ARGS_<command>} adds arguments.
 */
class StandInTofuCommandLineTest {
    private final TofuStacks stacks = TofuStacks.of("edge-cluster-infra");

    @AfterEach
    void close() {
        stacks.close();
    }

    @Test
    void infraServicesCommandLinesRunAsTheyWouldWithOpenTofu() throws Exception {
        // Given
        Path network = stacks.stack("network");

        // When: the sequence infra-service runs, as processes with a minimal environment
        TofuStacks.Result init = stacks.tofu(network, INIT);
        TofuStacks.Result plan = stacks.tofu(network, PLAN);
        TofuStacks.Result show = stacks.tofu(network, SHOW);
        TofuStacks.Result apply = stacks.tofu(network, APPLY);
        TofuStacks.Result output = stacks.tofu(network, OUTPUT);
        TofuStacks.Result pull = stacks.tofu(network, "state", "pull");
        Path pulled = stacks.root.resolve("pulled.tfstate");
        Files.writeString(pulled, pull.out());
        TofuStacks.Result push = stacks.tofu(network, "state", "push", "-force", "-lock-timeout=5s", pulled.toString());

        // Then
        assertThat(init.exit()).as("%s", init).isZero();
        assertThat(plan.exit()).as("%s", plan).isEqualTo(2);
        assertThat(show.exit()).as("%s", show).isZero();
        assertThat(show.json().path("format_version").asText()).isEqualTo("1.2");
        assertThat(apply.exit()).as("%s", apply).isZero();
        assertThat(apply.out()).contains("Apply complete! Resources: 5 added, 0 changed, 0 destroyed.");
        assertThat(output.json().path("subnet_id").path("value").asText()).isEqualTo(TofuStacks.SUBNET);
        assertThat(pull.exit()).isZero();
        assertThat(push.exit()).as("%s", push).isZero();
        assertThat(stacks.localState(network).path("serial").asLong())
                .as("pushing the same snapshot changes nothing")
                .isEqualTo(1);
    }

    @Test
    void anUnknownFlagIsRefusedWithTofusUsageError() {
        // Given
        Path network = stacks.stack("network");

        // When
        TofuStacks.Result plan = stacks.tofu(network, "plan", "-no-color", "-out-file=x");

        // Then
        assertThat(plan.exit()).isEqualTo(1);
        assertThat(plan.err())
                .isEqualTo("\nError: Failed to parse command-line flags\n\nflag provided but not defined: -out-file\n\n"
                        + "For more help on using this command, run:\n  tofu plan -help\n");
    }

    @Test
    void aMalformedLockTimeoutIsRefusedAsGoWordsIt() {
        // When
        TofuStacks.Result apply =
                stacks.inProcess(stacks.stack("network"), "apply", "-no-color", "-lock-timeout=5", "x");

        // Then
        assertThat(apply.exit()).isEqualTo(1);
        assertThat(apply.err())
                .isEqualTo("\nError: Failed to parse command-line flags\n\ninvalid value \"5\" for flag -lock-timeout:"
                        + " parse error\n\nFor more help on using this command, run:\n  tofu apply -help\n");
    }

    @Test
    void flagsAfterThePlanFileAreArgumentsAsInGo() {
        // When
        TofuStacks.Result apply = stacks.inProcess(stacks.stack("network"), "apply", "handoff.tfplan", "-input=false");

        // Then
        assertThat(apply.exit()).isEqualTo(1);
        assertThat(apply.err())
                .isEqualTo(
                        "╷\n│ Error: Too many command line arguments\n│\n│ Expected at most one positional argument.\n╵\n"
                                + "\nFor more help on using this command, run:\n  tofu apply -help\n");
    }

    @Test
    void anUnknownInitFlagPrintsInitsUsage() {
        // When
        TofuStacks.Result init = stacks.inProcess(stacks.stack("network"), "init", "-lockfile-mode=readonly");

        // Then
        assertThat(init.exit()).isEqualTo(1);
        assertThat(init.err()).startsWith("Usage: tofu [global options] init [options]\n");
    }

    @Test
    void tfCliArgsForTheCommandAreAddedAfterTheSubcommand() {
        // Given
        Path network = stacks.stack("network");
        stacks.inProcess(network, INIT);

        // When: the environment adds -detailed-exitcode to plan
        TofuStacks.Result plan = stacks.inProcess(
                network, Map.of("TF_CLI_ARGS_plan", "-detailed-exitcode"), "plan", "-input=false", "-no-color");

        // Then
        assertThat(plan.exit()).isEqualTo(2);
    }

    @Test
    void tfInAutomationDropsTheNextStepAdvice() {
        // Given
        Path network = stacks.stack("network");
        stacks.inProcess(network, INIT);

        // When
        TofuStacks.Result plan = stacks.inProcess(network, Map.of("TF_IN_AUTOMATION", "1"), PLAN);

        // Then
        assertThat(plan.exit()).isEqualTo(2);
        assertThat(plan.out())
                .doesNotContain("Saved the plan to")
                .endsWith("to destroy.\n\nChanges to Outputs:\n"
                        + "  + subnet_id = (known after apply)\n  + vcn_id    = (known after apply)\n");
    }

    @Test
    void versionPrintsOpenTofusVersionAndTheLockedProviders() {
        // When
        TofuStacks.Result version = stacks.inProcess(stacks.stack("compute"), "version");

        // Then
        assertThat(version.exit()).isZero();
        assertThat(version.out())
                .isEqualTo("OpenTofu v1.8.5\non linux_amd64\n+ provider registry.opentofu.org/hashicorp/random v3.6.3\n"
                        + "+ provider registry.opentofu.org/oracle/oci v6.21.0\n");
    }
}
