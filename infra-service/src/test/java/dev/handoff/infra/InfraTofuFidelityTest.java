package dev.handoff.infra;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.handoff.common.event.EventEnvelope;
import dev.handoff.common.event.EventType;
import dev.handoff.common.event.Topics;
import dev.handoff.common.serde.EventCodec;
import dev.handoff.common.serde.Json;
import dev.handoff.lab.InfraWorldTestResource;
import dev.handoff.lab.KafkaTestResource;
import dev.handoff.lab.forge.LabForge;
import dev.handoff.lab.forge.LabRepository;
import dev.handoff.lab.world.InfraWorld;
import dev.handoff.lab.world.oci.LabCloud;
import dev.handoff.lab.world.tofu.TofuFaults.Fault;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * infra-service against the strict stand-in tofu where real OpenTofu differs from a forgiving model: stacks applied
 * in order on a first push (a later stack's required variable comes from an earlier stack's applied outputs),
 * output-only and move-only plans applied, a missing lock file refused, and a failed first apply publishing no
 * sensitive value.
 */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(InfraWorldTestResource.class)
class InfraTofuFidelityTest {
    private static final LabRepository INFRA =
            LabRepository.byFullName("ops/edge-cluster-infra").orElseThrow();

    private static LabForge forge;
    private static TopicRecords topics;

    private final InfraWorld world = InfraWorld.shared();
    private final InfraPushes pushes;

    InfraTofuFidelityTest(EventCodec codec) {
        this.pushes = new InfraPushes(codec, topics);
    }

    @BeforeAll
    static void forge() throws IOException {
        forge = InfraPushes.forge("infra-fidelity-forge", INFRA);
        topics = new TopicRecords(Topics.all());
    }

    @AfterAll
    static void close() {
        topics.close();
    }

    @BeforeEach
    void resetWorld() {
        world.reset();
    }

    /** Every test here leaves no state behind: the next test (of any class) starts from a first push. */
    @AfterEach
    void forgetWhatThisTestApplied() throws IOException {
        world.reset();
        forgetStates();
    }

    @Test
    void aFirstPushAppliesNetworkBeforeComputeIsPlannedWithItsSubnet() throws Exception {
        // Given: no state for either stack; compute's subnet_id has no default and comes from network's outputs
        forgetStates();

        // When
        String deployment = pushes.push(forge, INFRA, "First push of the edge cluster");

        // Then
        EventEnvelope completed = pushes.awaitOutcome(deployment);
        assertThat(completed.type()).as("%s", completed.data()).isEqualTo(EventType.CLOUD_FACTS_COMPLETED.type());
        assertThat(completed.data().path("subnetId").asText()).isEqualTo("ocid1.subnet.oc1.eu-frankfurt-1.labpublic");
        assertThat(completed.data().path("plan").path("add").asInt()).isGreaterThan(5);
        String computeState = Files.readString(InfraPushes.keptState(INFRA.fullName(), "stacks/compute"));
        assertThat(stateOutput(computeState, "subnet_id")).isEqualTo("ocid1.subnet.oc1.eu-frankfurt-1.labpublic");
    }

    @Test
    void anAddedOutputIsAppliedAndReachesTheStateAndTheFacts() throws Exception {
        // Given
        baseline();
        String value = "probe-" + UUID.randomUUID();
        append("stacks/compute/main.tf", "\noutput \"handoff_probe\" {\n  value = \"" + value + "\"\n}\n");

        // When: a plan with no resource change, only a new output
        String deployment = pushes.push(forge, INFRA, "Export a probe output");

        // Then
        EventEnvelope completed = pushes.awaitOutcome(deployment);
        assertThat(completed.type()).as("%s", completed.data()).isEqualTo(EventType.CLOUD_FACTS_COMPLETED.type());
        JsonNode plan = completed.data().path("plan");
        assertThat(plan.path("add").asInt()
                        + plan.path("change").asInt()
                        + plan.path("destroy").asInt())
                .isZero();
        assertThat(plan.path("changedOutputs").toString()).contains("handoff_probe");
        assertThat(completed.data().path("outputs").toString())
                .contains("{\"name\":\"handoff_probe\",\"value\":\"" + value + "\"}");
        String computeState = Files.readString(InfraPushes.keptState(INFRA.fullName(), "stacks/compute"));
        assertThat(stateOutput(computeState, "handoff_probe")).isEqualTo(value);
    }

    @Test
    void aPlanWhoseOnlyChangeIsAMovedBlockIsAppliedWithoutAskingAnOperator() throws Exception {
        // Given: the cluster token resource is renamed with a moved block, nothing else changes
        baseline();
        Path main = forge.workingCopy(INFRA).resolve("stacks/compute/main.tf");
        String tf = Files.readString(main, StandardCharsets.UTF_8)
                .replace("resource \"random_password\" \"k3s_token\"", "resource \"random_password\" \"cluster_token\"")
                .replace("random_password.k3s_token.result", "random_password.cluster_token.result");
        Files.writeString(
                main,
                tf + "\nmoved {\n  from = random_password.k3s_token\n  to   = random_password.cluster_token\n}\n",
                StandardCharsets.UTF_8);

        // When
        String deployment = pushes.push(forge, INFRA, "Rename the cluster token");

        // Then
        EventEnvelope completed = pushes.awaitOutcome(deployment);
        assertThat(completed.type()).as("%s", completed.data()).isEqualTo(EventType.CLOUD_FACTS_COMPLETED.type());
        JsonNode plan = completed.data().path("plan");
        assertThat(plan.path("stateChanges").path("move").asInt()).isEqualTo(1);
        assertThat(plan.path("destroy").asInt()).isZero();
        assertThat(topics.event(deployment, EventType.APPROVAL_REQUESTED.type()))
                .isEmpty();
        String computeState = Files.readString(InfraPushes.keptState(INFRA.fullName(), "stacks/compute"));
        assertThat(computeState).contains("\"cluster_token\"").doesNotContain("\"k3s_token\", \"provider\"");
    }

    @Test
    void aStackWithoutALockFileIsRefusedNamingTheFix() throws Exception {
        // Given
        baseline();
        Files.delete(forge.workingCopy(INFRA).resolve("stacks/network/.terraform.lock.hcl"));

        try {
            // When
            String deployment = pushes.push(forge, INFRA, "Drop the lock file");

            // Then
            EventEnvelope failed = pushes.awaitEvent(deployment, EventType.CLOUD_FACTS_FAILED);
            assertThat(failed.data().path("reason").asText()).isEqualTo("lock-file-missing");
            assertThat(failed.data().path("message").asText())
                    .contains("stack network has no .terraform.lock.hcl")
                    .contains("commit .terraform.lock.hcl");
        } finally {
            restore("stacks/network/.terraform.lock.hcl");
        }
    }

    @Test
    void aFailedFirstApplyPublishesNoSensitiveValueTofuEchoed() throws Exception {
        // Given: no state yet, so nothing sensitive is known before the plan; the apply fails echoing the token
        String secret = world.cloud().get(LabCloud.K3S_TOKEN).orElseThrow();
        forgetStates();
        world.faults().set(Fault.FAIL_APPLY, "compute");

        // When
        String deployment = pushes.push(forge, INFRA, "First push, out of capacity");

        // Then
        EventEnvelope failed = pushes.awaitEvent(deployment, EventType.CLOUD_FACTS_FAILED);
        assertThat(failed.data().path("reason").asText()).isEqualTo("apply-error");
        assertThat(failed.data().toString())
                .contains("Request body", "(sensitive value)")
                .doesNotContain(secret);
    }

    private void baseline() throws Exception {
        world.faults().clearAll();
        String deployment = pushes.push(forge, INFRA, "baseline");
        EventEnvelope outcome = pushes.awaitOutcome(deployment);
        assertThat(outcome.type()).as("baseline: %s", outcome.data()).isEqualTo(EventType.CLOUD_FACTS_COMPLETED.type());
    }

    /** Removes the kept local states of the lab repository's stacks: the next push is a first push. */
    private static void forgetStates() throws IOException {
        dev.handoff.infra.driver.WorkTree.delete(InfraPushes.keptState(INFRA.fullName(), "stacks/network")
                .getParent()
                .getParent());
    }

    private void append(String file, String text) throws IOException {
        Files.writeString(
                forge.workingCopy(INFRA).resolve(file),
                text,
                StandardCharsets.UTF_8,
                java.nio.file.StandardOpenOption.APPEND);
    }

    /** Puts a file of the template back into the working copy. */
    private void restore(String file) throws IOException {
        Path template = Files.createTempDirectory("infra-template");
        dev.handoff.lab.forge.RepositoryTemplates.copy(INFRA.template(), template);
        Files.copy(
                template.resolve(file),
                forge.workingCopy(INFRA).resolve(file),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    private static String stateOutput(String state, String name) throws IOException {
        return Json.mapper()
                .readTree(state)
                .path("outputs")
                .path(name)
                .path("value")
                .asText(null);
    }
}
