package dev.handoff.lab.world.tofu;

import static dev.handoff.lab.world.tofu.TofuStacks.APPLY;
import static dev.handoff.lab.world.tofu.TofuStacks.INIT;
import static dev.handoff.lab.world.tofu.TofuStacks.PLAN;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code tofu state pull} and {@code tofu state push} on the local backend ({@code command/state_pull.go},
 * {@code state_push.go}, {@code statemgr.CheckValidImport}), and the stale saved plan ({@code backend/local/
 * backend_local.go}): what protects two runners from applying over each other.
 */
class StandInTofuStateTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final TofuStacks stacks = TofuStacks.of("edge-cluster-infra");

    @AfterEach
    void close() {
        stacks.close();
    }

    @Test
    void statePullOfALocalStackWithoutStatePrintsNothingAndSucceeds() {
        // Given
        Path network = stacks.stack("network");
        stacks.tofu(network, INIT);

        // When
        TofuStacks.Result pull = stacks.tofu(network, "state", "pull");

        // Then
        assertThat(pull.exit()).isZero();
        assertThat(pull.out()).isEmpty();
        assertThat(pull.err()).isEmpty();
    }

    @Test
    void statePullPrintsTheStateAsOpenTofuOneEightWritesIt() throws Exception {
        // Given
        Path network = stacks.stack("network");
        stacks.applyInProcess(network, Map.of());

        // When
        TofuStacks.Result pull = stacks.tofu(network, "state", "pull");

        // Then: the snapshot as json.Marshal wrote it (compact, one line), then a newline of the UI
        assertThat(pull.exit()).isZero();
        String file = Files.readString(network.resolve("terraform.tfstate"), StandardCharsets.UTF_8);
        assertThat(pull.out()).isEqualTo(file + "\n");
        assertThat(file).startsWith("{\"version\":4,\"terraform_version\":\"1.8.5\",\"serial\":1,\"lineage\":\"");
        assertThat(file.strip()).doesNotContain("\n");
        JsonNode state = JSON.readTree(file);
        assertThat(state.path("resources")).hasSize(5);
        assertThat(state.path("check_results").isNull()).isTrue();
    }

    @Test
    void statePushRefusesAnOlderSerialAndAnotherLineageWithTofusWordsAndForceWritesThem() throws Exception {
        // Given: an applied stack (serial 1) and an archived copy, then one more apply (serial 2)
        Path network = stacks.stack("network");
        stacks.applyInProcess(network, Map.of());
        Path archive = stacks.root.resolve("archived.tfstate");
        Files.copy(network.resolve("terraform.tfstate"), archive);
        TofuStacks.edit(network.resolve("main.tf"), t -> t.replace("edge-igw", "edge-gateway"));
        stacks.inProcess(network, PLAN);
        stacks.inProcess(network, APPLY);
        JsonNode current = stacks.localState(network);
        ObjectNode foreign = (ObjectNode) JSON.readTree(Files.readString(archive));
        foreign.put("lineage", "00000000-0000-4000-8000-000000000000");
        foreign.put("serial", 9);
        Path other = stacks.root.resolve("other.tfstate");
        Files.writeString(other, JSON.writeValueAsString(foreign));

        // When
        TofuStacks.Result older = stacks.tofu(network, "state", "push", archive.toString());
        TofuStacks.Result unrelated = stacks.tofu(network, "state", "push", other.toString());
        TofuStacks.Result forced =
                stacks.tofu(network, "state", "push", "-force", "-lock-timeout=5s", archive.toString());

        // Then
        assertThat(older.exit()).isEqualTo(1);
        assertThat(older.err())
                .isEqualTo("Failed to write state: cannot import state with serial 1 over newer state with serial 2\n");
        assertThat(unrelated.exit()).isEqualTo(1);
        assertThat(unrelated.err())
                .isEqualTo("Failed to write state: cannot import state with lineage"
                        + " \"00000000-0000-4000-8000-000000000000\" over unrelated state with lineage \""
                        + current.path("lineage").asText() + "\"\n");
        assertThat(forced.exit()).as("%s", forced).isZero();
        JsonNode restored = stacks.localState(network);
        JsonNode archived = JSON.readTree(Files.readString(archive));
        assertThat(restored.path("resources")).isEqualTo(archived.path("resources"));
        assertThat(restored.path("lineage")).isEqualTo(archived.path("lineage"));
        // statemgr.Filesystem persists the import, then push writes the state once more: +1 each time it differs
        assertThat(restored.path("serial").asLong()).isEqualTo(3);
        assertThat(network.resolve("terraform.tfstate.backup")).exists();
    }

    @Test
    void statePushWithoutAFileArgumentIsAUsageError() {
        // Given
        Path network = stacks.stack("network");

        // When
        TofuStacks.Result push = stacks.inProcess(network, "state", "push", "-force");

        // Then
        assertThat(push.exit()).isEqualTo(1);
        assertThat(push.err()).startsWith("Exactly one argument expected.\n\nUsage: tofu [global options] state push");
    }

    @Test
    void anApplyOfAPlanMadeBeforeAnotherApplyChangedTheStateFailsAsStale() throws Exception {
        // Given: two plans from the same state; the second is applied first
        Path network = stacks.stack("network");
        stacks.applyInProcess(network, Map.of());
        TofuStacks.edit(network.resolve("main.tf"), t -> t.replace("edge-igw", "edge-gateway"));
        stacks.tofu(network, PLAN);
        Files.copy(network.resolve("handoff.tfplan"), network.resolve("older.tfplan"));
        assertThat(stacks.tofu(network, APPLY).exit()).isZero();
        long serial = stacks.localState(network).path("serial").asLong();

        // When
        TofuStacks.Result stale = stacks.tofu(network, "apply", "-input=false", "-no-color", "older.tfplan");

        // Then
        assertThat(stale.exit()).isEqualTo(1);
        assertThat(stale.err())
                .isEqualTo("\nError: Saved plan is stale\n\nThe given plan file can no longer be applied because the"
                        + " state was changed by\nanother operation after the plan was created.\n");
        assertThat(stale.out()).doesNotContain("Modifying");
        assertThat(stacks.localState(network).path("serial").asLong()).isEqualTo(serial);
    }

    @Test
    void aPlanFromAnotherLineageDoesNotMatchTheState() throws Exception {
        // Given: a plan made against a state that was replaced by an unrelated one
        Path network = stacks.stack("network");
        stacks.applyInProcess(network, Map.of());
        TofuStacks.edit(network.resolve("main.tf"), t -> t.replace("edge-igw", "edge-gateway"));
        stacks.inProcess(network, PLAN);
        ObjectNode state = (ObjectNode) stacks.localState(network);
        state.put("lineage", "11111111-1111-4111-8111-111111111111");
        Files.writeString(network.resolve("terraform.tfstate"), JSON.writeValueAsString(state));

        // When
        TofuStacks.Result apply = stacks.inProcess(network, APPLY);

        // Then
        assertThat(apply.exit()).isEqualTo(1);
        assertThat(apply.err())
                .isEqualTo("\nError: Saved plan does not match the given state\n\nThe given plan file can not be"
                        + " applied because it was created from a\ndifferent state lineage.\n");
    }

    @Test
    void outputJsonPrintsEveryOutputWithItsTypeSensitiveValuesInClear() {
        // Given
        Path compute = stacks.stack("compute");
        stacks.applyInProcess(compute, Map.of("TF_VAR_subnet_id", TofuStacks.SUBNET));

        // When
        TofuStacks.Result output = stacks.tofu(compute, "output", "-json");

        // Then: json.MarshalIndent of {name: {sensitive, type, value}}
        assertThat(output.exit()).isZero();
        assertThat(output.out())
                .startsWith("{\n  \"host_name\": {\n    \"sensitive\": false,\n    \"type\": \"string\",\n"
                        + "    \"value\": \"cloud-edge-1\"\n  },\n");
        JsonNode json = output.json();
        assertThat(json.path("k3s_token").path("sensitive").asBoolean()).isTrue();
        assertThat(json.path("k3s_token").path("value").asText()).startsWith("K10lab");
        assertThat(json.path("instance_id").path("value").asText()).isEqualTo("ocid1.instance.oc1.eu-frankfurt-1.lab");
        assertThat(json.path("private_ip").path("value").asText()).isEqualTo("10.20.1.23");
    }
}
