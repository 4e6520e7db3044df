package dev.handoff.lab.world.tofu;

import static dev.handoff.lab.world.tofu.TofuStacks.APPLY;
import static dev.handoff.lab.world.tofu.TofuStacks.INIT;
import static dev.handoff.lab.world.tofu.TofuStacks.PLAN;
import static dev.handoff.lab.world.tofu.TofuStacks.SHOW;
import static dev.handoff.lab.world.tofu.TofuStacks.SUBNET;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Root module variables as OpenTofu resolves them ({@code backend/unparsed_value.go}, {@code command/meta_vars.go}):
 * a variable without default and value fails the plan with tofu's diagnostic, values come from {@code TF_VAR_*},
 * {@code *.tfvars} and {@code -var} in tofu's order, and sensitive variables stay sensitive.
 */
class StandInTofuVariablesTest {
    private final TofuStacks stacks = TofuStacks.of("edge-cluster-infra");

    @AfterEach
    void close() {
        stacks.close();
    }

    @Test
    void planningComputeBeforeNetworkWasAppliedFailsWithNoValueForRequiredVariableNamingFileAndLine() {
        // Given: compute needs subnet_id, which only network's outputs give (TF_VAR_subnet_id); nothing gives it here
        Path compute = stacks.stack("compute");
        assertThat(stacks.tofu(compute, INIT).exit()).isZero();

        // When
        TofuStacks.Result plan = stacks.tofu(compute, PLAN);

        // Then: exactly what OpenTofu 1.8 prints with -no-color (DiagnosticPlain, wrapped at 77 columns)
        assertThat(plan.exit()).as("%s", plan).isEqualTo(1);
        assertThat(plan.err())
                .isEqualTo("\nError: No value for required variable\n\n"
                        + "  on main.tf line 25:\n"
                        + "  25: variable \"subnet_id\" {\n\n"
                        + "The root module input variable \"subnet_id\" is not set, and has no default\n"
                        + "value. Use a -var or -var-file command line argument to provide a value for\n"
                        + "this variable.\n");
        assertThat(compute.resolve("handoff.tfplan")).doesNotExist();
    }

    @Test
    void withoutNoColorTheSameDiagnosticIsPrintedInTofusBox() {
        // Given
        Path compute = stacks.stack("compute");
        stacks.inProcess(compute, INIT);

        // When
        TofuStacks.Result plan = stacks.inProcess(compute, "plan", "-input=false");

        // Then
        assertThat(plan.exit()).isEqualTo(1);
        assertThat(plan.err())
                .isEqualTo("╷\n│ Error: No value for required variable\n│\n"
                        + "│   on main.tf line 25:\n"
                        + "│   25: variable \"subnet_id\" {\n│\n"
                        + "│ The root module input variable \"subnet_id\" is not set, and has no default\n"
                        + "│ value. Use a -var or -var-file command line argument to provide a value for\n"
                        + "│ this variable.\n╵\n");
    }

    @Test
    void cliVarBeatsAutoTfvarsWhichBeatsTerraformTfvarsWhichBeatsTheEnvironment() throws Exception {
        // Given: subnet_id from all four sources
        Path compute = stacks.stack("compute");
        stacks.inProcess(compute, INIT);
        Files.writeString(compute.resolve("terraform.tfvars"), "subnet_id = \"from-terraform-tfvars\"\n");
        Files.writeString(compute.resolve("z.auto.tfvars"), "subnet_id = \"from-auto-tfvars\"\n");
        Map<String, String> env = Map.of("TF_VAR_subnet_id", "from-env");

        // When
        TofuStacks.Result withVar = stacks.inProcess(
                compute, env, "plan", "-out=handoff.tfplan", "-input=false", "-no-color", "-var", "subnet_id=from-cli");
        JsonNode cli = stacks.inProcess(compute, SHOW).json();
        stacks.inProcess(compute, env, PLAN);
        JsonNode auto = stacks.inProcess(compute, SHOW).json();
        Files.delete(compute.resolve("z.auto.tfvars"));
        stacks.inProcess(compute, env, PLAN);
        JsonNode tfvars = stacks.inProcess(compute, SHOW).json();
        Files.delete(compute.resolve("terraform.tfvars"));
        stacks.inProcess(compute, env, PLAN);
        JsonNode fromEnv = stacks.inProcess(compute, SHOW).json();

        // Then
        assertThat(withVar.exit()).as("%s", withVar).isZero();
        assertThat(cli.path("variables").path("subnet_id").path("value").asText())
                .isEqualTo("from-cli");
        assertThat(auto.path("variables").path("subnet_id").path("value").asText())
                .isEqualTo("from-auto-tfvars");
        assertThat(tfvars.path("variables").path("subnet_id").path("value").asText())
                .isEqualTo("from-terraform-tfvars");
        assertThat(fromEnv.path("variables").path("subnet_id").path("value").asText())
                .isEqualTo("from-env");
        assertThat(TofuStacks.change(fromEnv, "oci_core_instance.cloud_edge_1")
                        .path("change")
                        .path("after")
                        .path("create_vnic_details")
                        .get(0)
                        .path("subnet_id")
                        .asText())
                .isEqualTo("from-env");
    }

    @Test
    void aSensitiveVariableMarksTheAttributeItSetsAndMayOnlyReachASensitiveOutput() {
        // Given: the operator's SSH key becomes a sensitive variable, exported by an output not marked sensitive
        Path compute = stacks.stack("compute");
        TofuStacks.edit(
                compute.resolve("main.tf"),
                t -> t.replace(
                        "  description = \"The operator's SSH public key, for bootstrap access until the host is on the tailnet.\"",
                        "  description = \"The operator's SSH public key, for bootstrap access until the host is on the tailnet.\"\n"
                                + "  sensitive   = true"));
        TofuStacks.append(
                compute.resolve("main.tf"), "\noutput \"operator_key\" {\n  value = var.ssh_authorized_key\n}\n");
        Map<String, String> env = Map.of("TF_VAR_subnet_id", SUBNET);
        stacks.inProcess(compute, env, INIT);

        // When
        TofuStacks.Result refused = stacks.inProcess(compute, env, PLAN);
        TofuStacks.edit(
                compute.resolve("main.tf"),
                t -> t.replace(
                        "  value = var.ssh_authorized_key\n",
                        "  value     = var.ssh_authorized_key\n  sensitive = true\n"));
        TofuStacks.Result accepted = stacks.inProcess(compute, env, PLAN);
        JsonNode plan = stacks.inProcess(compute, SHOW).json();

        // Then
        assertThat(refused.exit()).isEqualTo(1);
        assertThat(refused.err())
                .startsWith("\nError: Output refers to sensitive values\n\n  on main.tf line ")
                .contains("output \"operator_key\" {\n")
                .contains("If you do intend to export this data, annotate the output value as sensitive\n"
                        + "by adding the following argument:\n    sensitive = true\n");
        assertThat(accepted.exit()).as("%s", accepted).isEqualTo(2);
        JsonNode instance =
                TofuStacks.change(plan, "oci_core_instance.cloud_edge_1").path("change");
        assertThat(instance.path("after_sensitive")
                        .path("metadata")
                        .path("ssh_authorized_keys")
                        .asBoolean())
                .isTrue();
        assertThat(instance.path("after")
                        .path("metadata")
                        .path("ssh_authorized_keys")
                        .asText())
                .startsWith("ssh-ed25519 ");
        assertThat(plan.path("output_changes")
                        .path("operator_key")
                        .path("after_sensitive")
                        .asBoolean())
                .isTrue();
        assertThat(plan.path("output_changes")
                        .path("operator_key")
                        .path("after")
                        .asText())
                .startsWith("ssh-ed25519 ");
        assertThat(accepted.out()).contains("+ operator_key  = (sensitive value)");
    }

    @Test
    void anAppliedSensitiveAttributeIsRecordedInTheStateAsTofuRecordsIt() {
        // Given
        Path compute = stacks.stack("compute");
        TofuStacks.edit(
                compute.resolve("main.tf"),
                t -> t.replace(
                        "  description = \"The operator's SSH public key, for bootstrap access until the host is on the tailnet.\"",
                        "  description = \"The operator's SSH public key, for bootstrap access until the host is on the tailnet.\"\n"
                                + "  sensitive   = true"));

        // When
        stacks.applyInProcess(compute, Map.of("TF_VAR_subnet_id", SUBNET));

        // Then
        JsonNode instance = null;
        for (JsonNode r : stacks.localState(compute).path("resources")) {
            if (r.path("type").asText().equals("oci_core_instance")) {
                instance = r.path("instances").get(0);
            }
        }
        assertThat(instance).isNotNull();
        assertThat(instance.path("sensitive_attributes").toString())
                .isEqualTo("[[{\"type\":\"get_attr\",\"value\":\"metadata\"},"
                        + "{\"type\":\"index\",\"value\":{\"value\":\"ssh_authorized_keys\",\"type\":\"string\"}}]]");
        assertThat(stacks.inProcess(compute, Map.of("TF_VAR_subnet_id", SUBNET), APPLY.clone())
                        .exit())
                .as("the saved plan was applied already")
                .isEqualTo(1);
    }
}
