package dev.handoff.infra.driver;

import static org.assertj.core.api.Assertions.assertThat;

import dev.handoff.infra.stage.PlanJson;
import dev.handoff.infra.stage.PlanReport;
import dev.handoff.infra.stage.Redactor;
import dev.handoff.infra.stage.TofuOutputs;
import dev.handoff.lab.forge.RepositoryTemplates;
import dev.handoff.lab.world.InfraWorld;
import dev.handoff.lab.world.oci.LabCloud;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Our tofu driver and plan reader against the lab's stand-in {@code tofu}: what the stand-in writes must pass the same
 * checks as OpenTofu's own plan documents ({@code OpenTofuPlanCorpusTest}), and give the verdicts real tofu gives
 * for a first plan, an output-only change and a move.
 */
class StandInTofuContractTest {
    private final InfraWorld world = InfraWorld.shared();

    @TempDir
    Path dir;

    private ProcessTofu tofu;
    private Path network;

    @BeforeEach
    void stack() {
        world.reset();
        RepositoryTemplates.copy(RepositoryTemplates.ROOT + "edge-cluster-infra", dir.resolve("repo"));
        network = dir.resolve("repo/stacks/network");
        tofu = new ProcessTofu(
                world.tofu().toString(),
                Duration.ofSeconds(60),
                Duration.ofSeconds(10),
                new ProcessRunner(20),
                TofuEnvironment.of(Map.of("PATH", System.getenv("PATH"), "HOME", dir.toString()), List.of(), Map.of()),
                Set.of());
    }

    @AfterEach
    void reset() {
        world.reset();
    }

    @Test
    void aFirstPlanCreatesEveryResourceAndReadsAsAFormatOnePlan() throws Exception {
        // Given
        Redactor redactor = new Redactor();
        tofu.init(network, Map.of(), redactor);

        // When
        boolean changes = tofu.plan(network, Map.of(), redactor);
        PlanReport plan = PlanJson.parse("stacks/network", tofu.showPlanJson(network, Map.of(), redactor));

        // Then
        assertThat(changes).isTrue();
        assertThat(plan.formatVersion()).startsWith("1.");
        assertThat(plan.hasChanges()).isTrue();
        assertThat(plan.add()).isEqualTo(5);
        assertThat(plan.change() + plan.destroy()).isZero();
        assertThat(tofu.statePull(network, Map.of(), redactor)).isBlank();
    }

    @Test
    void anOutputOnlyChangeIsAChangeForTofuAndForThePlanReader() throws Exception {
        // Given: the stack applied, then a new output and nothing else
        Redactor redactor = new Redactor();
        applied(redactor);
        Files.writeString(
                network.resolve("main.tf"),
                "\noutput \"vcn_cidr\" {\n  value = \"10.20.0.0/16\"\n}\n",
                StandardCharsets.UTF_8,
                StandardOpenOption.APPEND);

        // When
        boolean changes = tofu.plan(network, Map.of(), redactor);
        PlanReport plan = PlanJson.parse("stacks/network", tofu.showPlanJson(network, Map.of(), redactor));
        tofu.apply(network, Map.of(), redactor);

        // Then
        assertThat(changes).as("tofu plan -detailed-exitcode exits 2").isTrue();
        assertThat(plan.hasChanges()).isTrue();
        assertThat(plan.add() + plan.change() + plan.destroy()).isZero();
        assertThat(PlanReport.summary(List.of(plan)).changedOutputs()).containsExactly("vcn_cidr");
        assertThat(TofuOutputs.parse("stacks/network", tofu.outputJson(network, Map.of(), redactor))
                        .value("vcn_cidr"))
                .contains("10.20.0.0/16");
    }

    @Test
    void aMovedBlockIsAMoveAndNothingElse() throws Exception {
        // Given
        Redactor redactor = new Redactor();
        applied(redactor);
        String tf = Files.readString(network.resolve("main.tf"), StandardCharsets.UTF_8)
                .replace(
                        "resource \"oci_core_internet_gateway\" \"edge\"",
                        "resource \"oci_core_internet_gateway\" \"igw\"")
                .replace("oci_core_internet_gateway.edge.id", "oci_core_internet_gateway.igw.id");
        Files.writeString(
                network.resolve("main.tf"),
                tf + "\nmoved {\n  from = oci_core_internet_gateway.edge\n  to   = oci_core_internet_gateway.igw\n}\n",
                StandardCharsets.UTF_8);

        // When
        boolean changes = tofu.plan(network, Map.of(), redactor);
        PlanReport plan = PlanJson.parse("stacks/network", tofu.showPlanJson(network, Map.of(), redactor));

        // Then
        assertThat(changes).isTrue();
        assertThat(plan.hasChanges()).isTrue();
        assertThat(plan.add() + plan.change() + plan.destroy()).isZero();
        assertThat(PlanReport.summary(List.of(plan)).stateChanges().move()).isEqualTo(1);
    }

    @Test
    void aPlanOverAStateMarksItsSensitiveValuesForTheRedactor() throws Exception {
        // Given: compute applied once (its k3s_token output is sensitive; on a first plan it is still unknown), then
        // a change to it
        Redactor redactor = new Redactor();
        Path compute = dir.resolve("repo/stacks/compute");
        applied(redactor);
        Map<String, String> vars = Map.of("TF_VAR_subnet_id", "ocid1.subnet.oc1.eu-frankfurt-1.labpublic");
        tofu.init(compute, vars, redactor);
        assertThat(tofu.plan(compute, vars, redactor)).isTrue();
        tofu.apply(compute, vars, redactor);
        Files.writeString(
                compute.resolve("main.tf"),
                Files.readString(compute.resolve("main.tf"), StandardCharsets.UTF_8)
                        .replace("size_in_gbs         = 100", "size_in_gbs         = 110"),
                StandardCharsets.UTF_8);

        // When
        assertThat(tofu.plan(compute, vars, redactor)).isTrue();
        PlanReport plan = PlanJson.parse("stacks/compute", tofu.showPlanJson(compute, vars, redactor));

        // Then
        String token = world.cloud().get(LabCloud.K3S_TOKEN).orElseThrow();
        assertThat(plan.change()).isEqualTo(1);
        Redactor fresh = new Redactor();
        fresh.learn(plan.sensitiveValues());
        assertThat(fresh.redact("body: " + token)).isEqualTo("body: " + Redactor.MASK);
    }

    private void applied(Redactor redactor) throws Exception {
        tofu.init(network, Map.of(), redactor);
        assertThat(tofu.plan(network, Map.of(), redactor)).isTrue();
        tofu.apply(network, Map.of(), redactor);
        assertThat(tofu.plan(network, Map.of(), redactor))
                .as("applied: no changes left")
                .isFalse();
    }
}
