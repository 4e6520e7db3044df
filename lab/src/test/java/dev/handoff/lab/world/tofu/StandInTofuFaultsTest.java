package dev.handoff.lab.world.tofu;

import static dev.handoff.lab.world.tofu.TofuStacks.APPLY;
import static dev.handoff.lab.world.tofu.TofuStacks.INIT;
import static dev.handoff.lab.world.tofu.TofuStacks.PLAN;
import static dev.handoff.lab.world.tofu.TofuStacks.SHOW;
import static dev.handoff.lab.world.tofu.TofuStacks.SUBNET;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.handoff.lab.world.oci.LabCloud;
import dev.handoff.lab.world.tofu.TofuFaults.Fault;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The stand-in's faults on demand ({@link TofuFaults}) keep working with the real plan model. */
class StandInTofuFaultsTest {
    private static final Map<String, String> ENV = Map.of("TF_VAR_subnet_id", SUBNET);

    private final TofuStacks stacks = TofuStacks.of("edge-cluster-infra");

    @AfterEach
    void close() {
        stacks.close();
    }

    @Test
    void failPlanFailsThePlanWithTheProvidersAuthenticationError() {
        // Given
        Path compute = stacks.stack("compute");
        stacks.inProcess(compute, ENV, INIT);
        new TofuFaults(stacks.world).set(Fault.FAIL_PLAN, "compute");

        // When
        TofuStacks.Result plan = stacks.inProcess(compute, ENV, PLAN);

        // Then
        assertThat(plan.exit()).isEqualTo(1);
        assertThat(plan.err())
                .startsWith("\nError: 401-NotAuthenticated, The required information to complete authentication was"
                        + " not provided or was incorrect.\n\n  with provider[\"registry.opentofu.org/oracle/oci\"],\n"
                        + "  on main.tf line 46:\n  46: provider \"oci\" {\n");
    }

    @Test
    void failApplyKeepsWhatWasCreatedBeforeTheErrorAndEchoesTheToken() throws Exception {
        // Given: a first apply that fails on the instance
        Path compute = stacks.stack("compute");
        stacks.inProcess(compute, ENV, INIT);
        stacks.inProcess(compute, ENV, PLAN);
        new TofuFaults(stacks.world).set(Fault.FAIL_APPLY, "compute");

        // When
        TofuStacks.Result apply = stacks.tofu(compute, ENV, APPLY);

        // Then
        String token = LabCloud.open(stacks.world).get(LabCloud.K3S_TOKEN).orElseThrow();
        assertThat(apply.exit()).isEqualTo(1);
        assertThat(apply.out()).contains("oci_core_instance.cloud_edge_1: Creating...");
        assertThat(apply.err())
                .contains("Error: 500-InternalError, Out of host capacity.")
                .contains("  with oci_core_instance.cloud_edge_1,\n  on main.tf line 50:\n")
                .contains("Request body: {\"metadata\":{\"k3s_token\":\"" + token + "\"}}");
        List<String> kept = new ArrayList<>();
        stacks.localState(compute)
                .path("resources")
                .forEach(r -> kept.add(r.path("type").asText()));
        assertThat(kept).containsExactlyInAnyOrder("oci_core_volume", "random_password");
        assertThat(Files.readString(compute.resolve("terraform.tfstate"), StandardCharsets.UTF_8))
                .contains(token);
    }

    @Test
    void destructivePlanReplacesTheInstanceAndDeletesTheVolume() {
        // Given
        Path compute = stacks.stack("compute");
        stacks.applyInProcess(compute, ENV);
        new TofuFaults(stacks.world).set(Fault.DESTRUCTIVE_PLAN, "*");

        // When
        stacks.inProcess(compute, ENV, PLAN);
        JsonNode plan = stacks.inProcess(compute, SHOW).json();
        TofuStacks.Result apply = stacks.inProcess(compute, ENV, APPLY);

        // Then
        assertThat(TofuStacks.actions(plan, "oci_core_instance.cloud_edge_1")).containsExactly("delete", "create");
        assertThat(TofuStacks.actions(plan, "oci_core_volume.data")).containsExactly("delete");
        assertThat(apply.out())
                .contains("Apply complete! Resources: 1 added, 1 changed, 2 destroyed.")
                .contains("volume_id = \"ocid1.volume.oc1.eu-frankfurt-1.labdata\"");
    }

    @Test
    void hangApplyNeverEndsAndHoldsAChildProcessUntilKilled() throws Exception {
        // Given
        Path compute = stacks.stack("compute");
        stacks.inProcess(compute, ENV, INIT);
        stacks.inProcess(compute, ENV, PLAN);
        new TofuFaults(stacks.world).set(Fault.HANG_APPLY, "compute");
        Path out = stacks.root.resolve("hang.out");

        // When
        Process apply = stacks.start(compute, ENV, out, stacks.root.resolve("hang.err"), APPLY);
        try {
            // Then
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> Files.readString(out).contains("oci_core_instance.cloud_edge_1: Modifying..."));
            await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(stacks.world.resolve("tofu-hang.pid")));
            assertThat(apply.isAlive()).isTrue();
        } finally {
            apply.descendants().forEach(ProcessHandle::destroyForcibly);
            apply.destroyForcibly().waitFor();
            long child = Long.parseLong(
                    Files.readString(stacks.world.resolve("tofu-hang.pid")).strip());
            ProcessHandle.of(child).ifPresent(ProcessHandle::destroyForcibly);
        }
    }
}
