package dev.handoff.lab.world.tofu;

import static dev.handoff.lab.world.tofu.TofuStacks.PLAN;
import static dev.handoff.lab.world.tofu.TofuStacks.SHOW;
import static dev.handoff.lab.world.tofu.TofuStacks.SUBNET;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.handoff.lab.world.oci.LabCloud;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Sensitive values as OpenTofu shows them: {@code show -json} marks sensitive outputs and attributes
 * ({@code after_sensitive}) but prints their values in clear, the human plan hides them, {@code output -json} prints
 * them in clear with {@code "sensitive": true}.
 */
class StandInTofuSensitiveTest {
    private final TofuStacks stacks = TofuStacks.of("edge-cluster-infra");

    @AfterEach
    void close() {
        stacks.close();
    }

    @Test
    void showJsonMarksTheTokenOutputAndThePasswordResultSensitiveWithTheirValuesInClear() {
        // Given: an applied compute stack and a change that plans again
        Path compute = stacks.stack("compute");
        Map<String, String> env = Map.of("TF_VAR_subnet_id", SUBNET);
        stacks.applyInProcess(compute, env);
        TofuStacks.edit(
                compute.resolve("main.tf"), t -> t.replace("size_in_gbs         = 100", "size_in_gbs         = 110"));
        String token = LabCloud.open(stacks.world).get(LabCloud.K3S_TOKEN).orElseThrow();

        // When
        TofuStacks.Result plan = stacks.inProcess(compute, env, PLAN);
        JsonNode json = stacks.inProcess(compute, SHOW).json();

        // Then
        assertThat(plan.exit()).isEqualTo(2);
        assertThat(plan.out()).doesNotContain(token);
        JsonNode output = json.path("output_changes").path("k3s_token");
        assertThat(output.path("actions").toString()).isEqualTo("[\"no-op\"]");
        assertThat(output.path("before_sensitive").asBoolean()).isTrue();
        assertThat(output.path("after_sensitive").asBoolean()).isTrue();
        assertThat(output.path("after").asText()).isEqualTo(token);
        JsonNode password = TofuStacks.change(json, "random_password.k3s_token").path("change");
        assertThat(password.path("before_sensitive").toString()).isEqualTo("{\"bcrypt_hash\":true,\"result\":true}");
        assertThat(password.path("after").path("result").asText()).isEqualTo(token);
        assertThat(json.path("planned_values")
                        .path("outputs")
                        .path("k3s_token")
                        .path("sensitive")
                        .asBoolean())
                .isTrue();
        assertThat(TofuStacks.actions(json, "oci_core_volume.data")).containsExactly("update");
    }
}
