package dev.handoff.lab.world.tofu;

import static dev.handoff.lab.world.tofu.TofuStacks.APPLY;
import static dev.handoff.lab.world.tofu.TofuStacks.INIT;
import static dev.handoff.lab.world.tofu.TofuStacks.OUTPUT;
import static dev.handoff.lab.world.tofu.TofuStacks.PLAN;
import static dev.handoff.lab.world.tofu.TofuStacks.SHOW;
import static dev.handoff.lab.world.tofu.TofuStacks.SUBNET;
import static dev.handoff.lab.world.tofu.TofuStacks.actions;
import static dev.handoff.lab.world.tofu.TofuStacks.outputActions;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.handoff.lab.world.tofu.TofuFaults.Fault;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Plans as OpenTofu makes them: each resource compared on its own (its body with the variables' values against its
 * state), outputs evaluated and compared with the state's, the plan JSON of {@code tofu show -json} in format 1.2.
 */
class StandInTofuPlanTest {
    private static final String INSTANCE = "oci_core_instance.cloud_edge_1";
    private static final Map<String, String> SUBNET_A = Map.of("TF_VAR_subnet_id", SUBNET);
    private static final Map<String, String> SUBNET_B =
            Map.of("TF_VAR_subnet_id", "ocid1.subnet.oc1.eu-frankfurt-1.labprivate");

    private final TofuStacks stacks = TofuStacks.of("edge-cluster-infra");

    @AfterEach
    void close() {
        stacks.close();
    }

    @Test
    void aChangedUpstreamSubnetIdPlansAnUpdateOfTheInstanceThatUsesItAndNothingElse() {
        // Given: compute applied with network's subnet
        Path compute = stacks.stack("compute");
        assertThat(stacks.tofu(compute, SUBNET_A, INIT).exit()).isZero();
        assertThat(stacks.tofu(compute, SUBNET_A, PLAN).exit()).isEqualTo(2);
        assertThat(stacks.tofu(compute, SUBNET_A, APPLY).exit()).isZero();

        // When: network's subnet_id output changed upstream
        TofuStacks.Result plan = stacks.tofu(compute, SUBNET_B, PLAN);
        JsonNode json = stacks.tofu(compute, SUBNET_B, SHOW).json();

        // Then
        assertThat(plan.exit()).as("%s", plan).isEqualTo(2);
        assertThat(plan.out())
                .contains("  # oci_core_instance.cloud_edge_1 will be updated in-place\n")
                .contains("Plan: 0 to add, 1 to change, 0 to destroy.\n")
                .contains("      ~ create_vnic_details {\n          ~ subnet_id = \"" + SUBNET
                        + "\" -> \"ocid1.subnet.oc1.eu-frankfurt-1.labprivate\"\n")
                .contains("Changes to Outputs:\n  ~ subnet_id = \"" + SUBNET
                        + "\" -> \"ocid1.subnet.oc1.eu-frankfurt-1.labprivate\"\n");
        assertThat(actions(json, INSTANCE)).containsExactly("update");
        assertThat(actions(json, "oci_core_volume.data")).containsExactly("no-op");
        assertThat(actions(json, "oci_core_volume_attachment.data")).containsExactly("no-op");
        assertThat(actions(json, "random_password.k3s_token")).containsExactly("no-op");
        JsonNode vnic = TofuStacks.change(json, INSTANCE).path("change");
        assertThat(vnic.path("before")
                        .path("create_vnic_details")
                        .get(0)
                        .path("subnet_id")
                        .asText())
                .isEqualTo(SUBNET);
        assertThat(vnic.path("after")
                        .path("create_vnic_details")
                        .get(0)
                        .path("subnet_id")
                        .asText())
                .isEqualTo("ocid1.subnet.oc1.eu-frankfurt-1.labprivate");
        assertThat(outputActions(json, "subnet_id")).containsExactly("update");
        assertThat(outputActions(json, "instance_id")).containsExactly("no-op");
    }

    @Test
    void anEditOutsideEveryResourceBodyPlansNoChanges() {
        // Given
        Path network = stacks.stack("network");
        stacks.applyInProcess(network, Map.of());
        TofuStacks.append(network.resolve("main.tf"), "\n# touched by a test\n");

        // When
        TofuStacks.Result plan = stacks.inProcess(network, PLAN);

        // Then
        assertThat(plan.exit()).as("%s", plan).isZero();
        assertThat(plan.out())
                .contains("\nNo changes. Your infrastructure matches the configuration.\n\n"
                        + "OpenTofu has compared your real infrastructure against your configuration and\n"
                        + "found no differences, so no changes are needed.\n")
                .doesNotContain("Saved the plan");
    }

    @Test
    void anEditedResourceBodyUpdatesThatResourceOnly() {
        // Given
        Path network = stacks.stack("network");
        stacks.applyInProcess(network, Map.of());
        TofuStacks.edit(
                network.resolve("main.tf"),
                t -> t.replace("display_name   = \"edge-igw\"", "display_name   = \"edge-gateway\""));

        // When
        TofuStacks.Result plan = stacks.inProcess(network, PLAN);
        JsonNode json = stacks.inProcess(network, SHOW).json();

        // Then
        assertThat(plan.exit()).isEqualTo(2);
        assertThat(actions(json, "oci_core_internet_gateway.edge")).containsExactly("update");
        assertThat(actions(json, "oci_core_vcn.edge")).containsExactly("no-op");
        assertThat(actions(json, "oci_core_route_table.public")).containsExactly("no-op");
    }

    @Test
    void aPlanWhoseOnlyChangeIsANewOutputPrintsChangesToOutputsExitsTwoAndItsApplyWritesTheOutput() {
        // Given
        Path network = stacks.stack("network");
        stacks.applyInProcess(network, Map.of());
        TofuStacks.append(network.resolve("main.tf"), "\noutput \"probe\" {\n  value = \"probe-value\"\n}\n");

        // When
        TofuStacks.Result plan = stacks.tofu(network, PLAN);
        JsonNode json = stacks.tofu(network, SHOW).json();
        TofuStacks.Result apply = stacks.tofu(network, APPLY);

        // Then
        assertThat(plan.exit()).as("%s", plan).isEqualTo(2);
        assertThat(plan.out())
                .contains("\nChanges to Outputs:\n  + probe = \"probe-value\"\n\n"
                        + "You can apply this plan to save these new output values to the OpenTofu\n"
                        + "state, without changing any real infrastructure.\n")
                .doesNotContain("Plan:");
        assertThat(json.path("output_changes").path("probe").toString())
                .isEqualTo("{\"actions\":[\"create\"],\"before\":null,\"after\":\"probe-value\","
                        + "\"after_unknown\":false,\"before_sensitive\":false,\"after_sensitive\":false}");
        assertThat(outputActions(json, "subnet_id")).containsExactly("no-op");
        for (JsonNode c : json.path("resource_changes")) {
            assertThat(c.path("change").path("actions").get(0).asText()).isEqualTo("no-op");
        }
        assertThat(apply.exit()).as("%s", apply).isZero();
        assertThat(stacks.localState(network)
                        .path("outputs")
                        .path("probe")
                        .path("value")
                        .asText())
                .isEqualTo("probe-value");
        assertThat(stacks.tofu(network, OUTPUT)
                        .json()
                        .path("probe")
                        .path("value")
                        .asText())
                .isEqualTo("probe-value");
    }

    @Test
    void anOutputRemovedFromTheConfigurationIsPlannedAsDeleteAndLeavesTheState() {
        // Given
        Path network = stacks.stack("network");
        stacks.applyInProcess(network, Map.of());
        TofuStacks.edit(
                network.resolve("main.tf"),
                t -> t.replace("output \"vcn_id\" {\n  value = oci_core_vcn.edge.id\n}\n", ""));

        // When
        TofuStacks.Result plan = stacks.inProcess(network, PLAN);
        JsonNode json = stacks.inProcess(network, SHOW).json();
        stacks.inProcess(network, APPLY);

        // Then
        assertThat(plan.exit()).isEqualTo(2);
        assertThat(plan.out()).contains("  - vcn_id = \"ocid1.vcn.oc1.eu-frankfurt-1.labedge\" -> null");
        assertThat(json.path("output_changes").path("vcn_id").toString())
                .isEqualTo(
                        "{\"actions\":[\"delete\"],\"before\":\"ocid1.vcn.oc1.eu-frankfurt-1.labedge\","
                                + "\"after\":null,\"after_unknown\":false,\"before_sensitive\":false,\"after_sensitive\":false}");
        assertThat(stacks.localState(network).path("outputs").has("vcn_id")).isFalse();
        assertThat(stacks.localState(network).path("outputs").has("subnet_id")).isTrue();
    }

    @Test
    void theFirstPlanCreatesEverythingAndLeavesProviderComputedValuesUnknown() {
        // Given
        Path network = stacks.stack("network");
        stacks.inProcess(network, INIT);

        // When
        TofuStacks.Result plan = stacks.inProcess(network, PLAN);
        JsonNode json = stacks.inProcess(network, SHOW).json();

        // Then
        assertThat(plan.exit()).isEqualTo(2);
        assertThat(plan.out()).contains("Plan: 5 to add, 0 to change, 0 to destroy.");
        for (JsonNode c : json.path("resource_changes")) {
            assertThat(c.path("change").path("actions").toString()).isEqualTo("[\"create\"]");
            assertThat(c.path("change").path("before").isNull()).isTrue();
            assertThat(c.path("change").path("after_unknown").path("id").asBoolean())
                    .isTrue();
        }
        JsonNode subnet = json.path("output_changes").path("subnet_id");
        assertThat(subnet.toString())
                .isEqualTo("{\"actions\":[\"create\"],\"before\":null,\"after_unknown\":true,"
                        + "\"before_sensitive\":false,\"after_sensitive\":false}");
    }

    @Test
    void showJsonIsAPlanDocumentOfFormatOneTwo() {
        // Given
        Path compute = stacks.stack("compute");
        stacks.applyInProcess(compute, SUBNET_A);
        stacks.inProcess(compute, SUBNET_B, PLAN);

        // When
        TofuStacks.Result show = stacks.tofu(compute, SHOW);
        JsonNode json = show.json();

        // Then: the document infra-service reads (and OpenTofu's jsonplan writes)
        assertThat(show.exit()).isZero();
        assertThat(show.out()).startsWith("{\"format_version\":\"1.2\",\"terraform_version\":\"1.8.5\",");
        assertThat(json.path("format_version").asText()).matches("1\\.\\d+");
        assertThat(json.path("resource_changes")).hasSize(4);
        for (JsonNode c : json.path("resource_changes")) {
            assertThat(c.fieldNames())
                    .toIterable()
                    .startsWith("address", "mode", "type", "name", "provider_name", "change");
            assertThat(c.path("change").path("actions").isArray()).isTrue();
            assertThat(c.path("change").fieldNames())
                    .toIterable()
                    .containsExactly(
                            "actions", "before", "after", "after_unknown", "before_sensitive", "after_sensitive");
        }
        assertThat(json.path("output_changes").size()).isEqualTo(9);
        for (JsonNode o : json.path("output_changes")) {
            assertThat(o.path("actions").isArray()).isTrue();
        }
        assertThat(json.path("prior_state").path("format_version").asText()).isEqualTo("1.0");
        assertThat(json.path("configuration")
                        .path("provider_config")
                        .path("oci")
                        .path("full_name")
                        .asText())
                .isEqualTo("registry.opentofu.org/oracle/oci");
        assertThat(json.path("planned_values").path("root_module").path("resources"))
                .hasSize(4);
        assertThat(json.path("errored").asBoolean()).isFalse();
    }

    @Test
    void theDestructivePlanFaultStillReplacesTheFirstResourceAndDeletesTheSecond() {
        // Given
        Path compute = stacks.stack("compute");
        stacks.applyInProcess(compute, SUBNET_A);
        new TofuFaults(stacks.world).set(Fault.DESTRUCTIVE_PLAN, "compute");

        // When
        TofuStacks.Result plan = stacks.inProcess(compute, SUBNET_A, PLAN);
        JsonNode json = stacks.inProcess(compute, SHOW).json();

        // Then
        assertThat(plan.exit()).isEqualTo(2);
        assertThat(plan.out()).contains("Plan: 1 to add, 1 to change, 2 to destroy.");
        assertThat(actions(json, INSTANCE)).containsExactly("delete", "create");
        assertThat(TofuStacks.change(json, INSTANCE).path("action_reason").asText())
                .isEqualTo("replace_because_cannot_update");
        assertThat(actions(json, "oci_core_volume.data")).containsExactly("delete");
        assertThat(List.of(actions(json, "random_password.k3s_token"))).containsExactly(List.of("no-op"));
    }
}
