package dev.handoff.lab.world.tofu;

import static dev.handoff.lab.world.tofu.TofuStacks.APPLY;
import static dev.handoff.lab.world.tofu.TofuStacks.PLAN;
import static dev.handoff.lab.world.tofu.TofuStacks.SHOW;
import static dev.handoff.lab.world.tofu.TofuStacks.actions;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code moved}, {@code import} and {@code removed} blocks planned and applied as OpenTofu 1.8 does: a move is a
 * no-op change with {@code previous_address}, an import a no-op with {@code importing.id}, a removal a
 * {@code forget}; each counts as a change ({@code -detailed-exitcode} 2) and the apply rewrites the state only.
 */
class StandInTofuRefactoringTest {
    private final TofuStacks stacks = TofuStacks.of("edge-cluster-infra");
    private Path network;

    @BeforeEach
    void applied() {
        network = stacks.stack("network");
        stacks.applyInProcess(network, Map.of());
    }

    @AfterEach
    void close() {
        stacks.close();
    }

    @Test
    void aMovedBlockRenamesTheStateObjectWithoutTouchingIt() {
        // Given
        TofuStacks.edit(
                network.resolve("main.tf"),
                t -> t.replace(
                                "resource \"oci_core_internet_gateway\" \"edge\"",
                                "resource \"oci_core_internet_gateway\" \"main\"")
                        .replace("oci_core_internet_gateway.edge.id", "oci_core_internet_gateway.main.id"));
        TofuStacks.append(
                network.resolve("main.tf"),
                "\nmoved {\n  from = oci_core_internet_gateway.edge\n  to   = oci_core_internet_gateway.main\n}\n");
        String id = stateObject("oci_core_internet_gateway", "edge")
                .path("attributes")
                .path("id")
                .asText();

        // When
        TofuStacks.Result plan = stacks.tofu(network, PLAN);
        JsonNode json = stacks.tofu(network, SHOW).json();
        TofuStacks.Result apply = stacks.tofu(network, APPLY);

        // Then
        assertThat(plan.exit()).as("%s", plan).isEqualTo(2);
        assertThat(plan.out())
                .contains("  # oci_core_internet_gateway.edge has moved to oci_core_internet_gateway.main\n")
                .contains("Plan: 0 to add, 0 to change, 0 to destroy.");
        JsonNode moved = TofuStacks.change(json, "oci_core_internet_gateway.main");
        assertThat(moved.path("previous_address").asText()).isEqualTo("oci_core_internet_gateway.edge");
        assertThat(actions(json, "oci_core_internet_gateway.main")).containsExactly("no-op");
        assertThat(apply.exit()).as("%s", apply).isZero();
        assertThat(apply.out()).contains("Apply complete! Resources: 0 added, 0 changed, 0 destroyed.");
        assertThat(stateObject("oci_core_internet_gateway", "main")
                        .path("attributes")
                        .path("id")
                        .asText())
                .isEqualTo(id);
        assertThat(names()).doesNotContain("oci_core_internet_gateway.edge");
        assertThat(stacks.tofu(network, PLAN).exit()).as("nothing left to do").isZero();
    }

    @Test
    void anImportBlockBringsAnExistingObjectIntoTheStateAsANoOpWithImporting() {
        // Given
        TofuStacks.append(
                network.resolve("main.tf"),
                "\nimport {\n  to = oci_core_drg.edge\n  id = \"ocid1.drg.oc1.eu-frankfurt-1.existing\"\n}\n\n"
                        + "resource \"oci_core_drg\" \"edge\" {\n  compartment_id = var.compartment_id\n"
                        + "  display_name   = \"edge-drg\"\n}\n");

        // When
        TofuStacks.Result plan = stacks.tofu(network, PLAN);
        JsonNode json = stacks.tofu(network, SHOW).json();
        TofuStacks.Result apply = stacks.tofu(network, APPLY);

        // Then
        assertThat(plan.exit()).as("%s", plan).isEqualTo(2);
        assertThat(plan.out())
                .contains("  # oci_core_drg.edge will be imported\n")
                .contains("Plan: 1 to import, 0 to add, 0 to change, 0 to destroy.");
        JsonNode imported = TofuStacks.change(json, "oci_core_drg.edge").path("change");
        assertThat(imported.path("actions").toString()).isEqualTo("[\"no-op\"]");
        assertThat(imported.path("importing").toString())
                .isEqualTo("{\"id\":\"ocid1.drg.oc1.eu-frankfurt-1.existing\"}");
        assertThat(imported.path("before").path("id").asText()).isEqualTo("ocid1.drg.oc1.eu-frankfurt-1.existing");
        assertThat(apply.exit()).as("%s", apply).isZero();
        assertThat(apply.out())
                .contains("oci_core_drg.edge: Importing... [id=ocid1.drg.oc1.eu-frankfurt-1.existing]")
                .contains("Apply complete! Resources: 1 imported, 0 added, 0 changed, 0 destroyed.");
        assertThat(stateObject("oci_core_drg", "edge")
                        .path("attributes")
                        .path("id")
                        .asText())
                .isEqualTo("ocid1.drg.oc1.eu-frankfurt-1.existing");
        assertThat(stacks.tofu(network, PLAN).exit()).as("the import is done").isZero();
    }

    @Test
    void aRemovedBlockForgetsTheObjectWithoutDestroyingIt() {
        // Given: the security list leaves the configuration under a removed block
        TofuStacks.edit(network.resolve("main.tf"), t -> {
            int start = t.indexOf("resource \"oci_core_security_list\" \"edge\"");
            int end = t.indexOf("resource \"oci_core_subnet\" \"public\"");
            return t.substring(0, start)
                    + t.substring(end)
                            .replace(
                                    "security_list_ids = [oci_core_security_list.edge.id]",
                                    "security_list_ids = [\"ocid1.securitylist.oc1.eu-frankfurt-1.labedge\"]")
                    + "\nremoved {\n  from = oci_core_security_list.edge\n}\n";
        });

        // When
        TofuStacks.Result plan = stacks.tofu(network, PLAN);
        JsonNode json = stacks.tofu(network, SHOW).json();
        TofuStacks.Result apply = stacks.tofu(network, APPLY);

        // Then
        assertThat(plan.exit()).as("%s", plan).isEqualTo(2);
        assertThat(plan.out())
                .contains("  . forget\n")
                .contains("  # oci_core_security_list.edge will be removed from the OpenTofu state but will not be"
                        + " destroyed\n");
        JsonNode forgotten = TofuStacks.change(json, "oci_core_security_list.edge");
        assertThat(forgotten.path("change").path("actions").toString()).isEqualTo("[\"forget\"]");
        assertThat(forgotten.path("change").path("after").isNull()).isTrue();
        assertThat(forgotten.has("action_reason")).isFalse();
        assertThat(apply.exit()).as("%s", apply).isZero();
        assertThat(apply.out())
                .doesNotContain("Destroying")
                .contains("Apply complete! Resources: 0 added, 0 changed, 0 destroyed.");
        assertThat(names()).doesNotContain("oci_core_security_list.edge");
    }

    @Test
    void aResourceGoneFromTheConfigurationWithoutARemovedBlockIsDestroyed() {
        // Given
        TofuStacks.edit(network.resolve("main.tf"), t -> {
            int start = t.indexOf("resource \"oci_core_security_list\" \"edge\"");
            int end = t.indexOf("resource \"oci_core_subnet\" \"public\"");
            return t.substring(0, start)
                    + t.substring(end)
                            .replace(
                                    "security_list_ids = [oci_core_security_list.edge.id]",
                                    "security_list_ids = [\"ocid1.securitylist.oc1.eu-frankfurt-1.labedge\"]");
        });

        // When
        TofuStacks.Result plan = stacks.inProcess(network, PLAN);
        JsonNode json = stacks.inProcess(network, SHOW).json();

        // Then
        assertThat(plan.exit()).isEqualTo(2);
        assertThat(actions(json, "oci_core_security_list.edge")).containsExactly("delete");
        assertThat(TofuStacks.change(json, "oci_core_security_list.edge")
                        .path("action_reason")
                        .asText())
                .isEqualTo("delete_because_no_resource_config");
        assertThat(plan.out()).contains("Plan: 0 to add, 0 to change, 1 to destroy.");
    }

    @Test
    void aRemovedBlockWithLifecycleIsRefusedAsOpenTofuOneEightRefusesIt() {
        // Given: OpenTofu 1.8's removed block has only "from"
        TofuStacks.append(
                network.resolve("main.tf"),
                "\nremoved {\n  from = oci_core_drg.gone\n  lifecycle {\n    destroy = false\n  }\n}\n");

        // When
        TofuStacks.Result plan = stacks.inProcess(network, PLAN);

        // Then
        assertThat(plan.exit()).isEqualTo(1);
        assertThat(plan.err())
                .startsWith("\nError: Unsupported block type\n\n")
                .contains(", in removed:\n")
                .endsWith("Blocks of type \"lifecycle\" are not expected here.\n");
    }

    @Test
    void aMovedBlockWhoseSourceIsStillDeclaredIsRefused() {
        // Given
        TofuStacks.append(
                network.resolve("main.tf"), "\nmoved {\n  from = oci_core_vcn.edge\n  to   = oci_core_vcn.main\n}\n");

        // When
        TofuStacks.Result plan = stacks.inProcess(network, PLAN);

        // Then
        assertThat(plan.exit()).isEqualTo(1);
        assertThat(plan.err())
                .startsWith("\nError: Moved object still exists\n\n")
                .contains(
                        "This statement declares a move from oci_core_vcn.edge, but that resource is\nstill declared at"
                                + " main.tf:25,1.");
    }

    private JsonNode stateObject(String type, String name) {
        for (JsonNode r : stacks.localState(network).path("resources")) {
            if (r.path("type").asText().equals(type) && r.path("name").asText().equals(name)) {
                return r.path("instances").get(0);
            }
        }
        throw new AssertionError("no " + type + "." + name + " in the state");
    }

    private List<String> names() {
        List<String> out = new ArrayList<>();
        stacks.localState(network)
                .path("resources")
                .forEach(r ->
                        out.add(r.path("type").asText() + "." + r.path("name").asText()));
        return out;
    }
}
