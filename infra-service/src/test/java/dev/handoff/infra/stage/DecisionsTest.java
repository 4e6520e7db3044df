package dev.handoff.infra.stage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.handoff.common.event.v1.CloudFacts;
import dev.handoff.common.event.v1.CloudFacts.PlanSummary;
import dev.handoff.common.event.v1.CloudFacts.StateChanges;
import dev.handoff.common.event.v1.CloudFacts.VolumeAttachment;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The infra stage's pure decisions: outputs, drift, stack order, approval, redaction. */
class DecisionsTest {
    private static final String OUTPUTS = """
            {"instance_id": {"sensitive": false, "type": "string", "value": "ocid1.instance.oc1.x.lab"},
             "private_ip": {"sensitive": false, "type": "string", "value": "10.20.1.23"},
             "public_ip": {"sensitive": false, "type": "string", "value": "203.0.113.45"},
             "subnet_id": {"sensitive": false, "type": "string", "value": "ocid1.subnet.oc1.x.lab"},
             "volume_id": {"sensitive": false, "type": "string", "value": "ocid1.volume.oc1.x.lab"},
             "volume_device": {"sensitive": false, "type": "string", "value": "/dev/oracleoci/oraclevdb"},
             "k3s_token": {"sensitive": true, "type": "string", "value": "K10verysecretvalue"},
             "db": {"sensitive": true, "type": ["object", {"password": "string"}], "value": {"password": "hunter2hunter2"}}}
            """;

    private static ObservedInstance observed(String publicIp, String device) {
        return new ObservedInstance(
                "ocid1.instance.oc1.x.lab",
                "eu-frankfurt-1",
                "ocid1.compartment.oc1..lab",
                "RUNNING",
                "10.20.1.23",
                publicIp,
                "ocid1.subnet.oc1.x.lab",
                List.of(new VolumeAttachment("ocid1.volume.oc1.x.lab", device, "paravirtualized")));
    }

    @Test
    void sensitiveOutputsAreNeverValuesAndEveryLeafIsKnownForRedaction() throws Exception {
        // When
        TofuOutputs outputs = TofuOutputs.parse("stacks/compute", OUTPUTS);

        // Then
        assertThat(outputs.values()).doesNotContainKeys("k3s_token", "db").containsEntry("private_ip", "10.20.1.23");
        assertThat(outputs.sensitiveValues()).containsExactlyInAnyOrder("K10verysecretvalue", "hunter2hunter2");
        assertThat(outputs.asVariables()).doesNotContainKey("TF_VAR_k3s_token").containsKey("TF_VAR_subnet_id");
        assertThat(outputs.instanceId("ops/edge-cluster-infra")).isEqualTo("ocid1.instance.oc1.x.lab");
    }

    @Test
    void withoutAnInstanceIdOutputTheStageSaysWhichOutputsToAdd() {
        // When
        StageFailure failure = catchThrowableOfType(
                StageFailure.class, () -> TofuOutputs.empty().instanceId("ops/edge-cluster-infra"));

        // Then
        assertThat(failure.reason()).isEqualTo("missing-output");
        assertThat(failure.getMessage()).contains("instance_id").contains("ops/edge-cluster-infra");
    }

    @Test
    void driftNamesEachFieldThatDiffersFromTheOutputs() throws Exception {
        // Given
        TofuOutputs outputs = TofuOutputs.parse("stacks/compute", OUTPUTS);

        // When
        List<DriftCheck.Drift> none =
                DriftCheck.againstOutputs(outputs, observed("203.0.113.45", "/dev/oracleoci/oraclevdb"));
        List<DriftCheck.Drift> drift =
                DriftCheck.againstOutputs(outputs, observed("203.0.113.99", "/dev/oracleoci/oraclevdc"));

        // Then
        assertThat(none).isEmpty();
        assertThat(drift).extracting(DriftCheck.Drift::field).containsExactly("public_ip", "volume_device");
        assertThat(DriftCheck.details(drift, "tofu output").get(0).message())
                .isEqualTo("tofu output says 203.0.113.45 but the provider reports 203.0.113.99");
    }

    @Test
    void driftAgainstTheLastFactsComparesAddressesAndVolumes() {
        // Given
        CloudFacts last = new CloudFacts(
                "cloud-edge-1",
                "oci",
                "eu-frankfurt-1",
                "ocid1.instance.oc1.x.lab",
                "10.20.1.23",
                "203.0.113.45",
                "ocid1.subnet.oc1.x.lab",
                List.of(new VolumeAttachment("ocid1.volume.oc1.x.lab", "/dev/oracleoci/oraclevdb", "paravirtualized")),
                null,
                Instant.now());

        // When
        List<DriftCheck.Drift> drift =
                DriftCheck.againstFacts(last, observed("203.0.113.99", "/dev/oracleoci/oraclevdb"));

        // Then
        assertThat(drift).extracting(DriftCheck.Drift::field).containsExactly("publicIp");
    }

    @Test
    void stacksRunAfterTheStacksTheyNameAndCyclesAreRefused() throws Exception {
        // Given
        List<StackOrder.Stack> stacks = List.of(
                new StackOrder.Stack("stacks/compute", List.of("/stacks/network")),
                new StackOrder.Stack("stacks/dns", List.of("stacks/compute")),
                new StackOrder.Stack("stacks/network", List.of()));

        // When
        List<String> order =
                StackOrder.sort(stacks).stream().map(StackOrder.Stack::path).toList();
        StageFailure cycle = catchThrowableOfType(
                StageFailure.class,
                () -> StackOrder.sort(
                        List.of(new StackOrder.Stack("a", List.of("b")), new StackOrder.Stack("b", List.of("a")))));
        StageFailure unknown = catchThrowableOfType(
                StageFailure.class, () -> StackOrder.sort(List.of(new StackOrder.Stack("a", List.of("nowhere")))));

        // Then
        assertThat(order).containsExactly("stacks/network", "stacks/compute", "stacks/dns");
        assertThat(cycle.getMessage()).contains("cycle").contains("a, b");
        assertThat(unknown.getMessage()).contains("nowhere");
    }

    @Test
    void onlyADestructivePlanOfARepositoryNotSetToAutoApproveAsksAnOperator() {
        // Given
        PlanSummary destructive = new PlanSummary(1, 0, 1, true);
        PlanSummary additive = new PlanSummary(2, 1, 0, false);
        PlanSummary empty = new PlanSummary(0, 0, 0, false);
        PlanSummary emptyWithEveryField = new PlanSummary(0, 0, 0, false, new StateChanges(0, 0, 0), List.of(), false);
        PlanSummary destructiveAndForgets = new PlanSummary(0, 0, 1, true, new StateChanges(0, 0, 2), List.of(), true);

        // When / Then
        assertThat(ApprovalPolicy.decide(destructive, "ops/infra", List.of()))
                .isEqualTo(ApprovalPolicy.Verdict.ASK_OPERATOR);
        assertThat(ApprovalPolicy.decide(destructive, "ops/infra", List.of("ops/infra")))
                .isEqualTo(ApprovalPolicy.Verdict.APPLY);
        assertThat(ApprovalPolicy.decide(additive, "ops/infra", List.of())).isEqualTo(ApprovalPolicy.Verdict.APPLY);
        assertThat(ApprovalPolicy.decide(empty, "ops/infra", List.of()))
                .isEqualTo(ApprovalPolicy.Verdict.NOTHING_TO_APPLY);
        assertThat(ApprovalPolicy.decide(emptyWithEveryField, "ops/infra", List.of()))
                .isEqualTo(ApprovalPolicy.Verdict.NOTHING_TO_APPLY);
        assertThat(ApprovalPolicy.decide(destructiveAndForgets, "ops/infra", List.of()))
                .isEqualTo(ApprovalPolicy.Verdict.ASK_OPERATOR);
    }

    @Test
    void aPlanThatOnlyMovesImportsForgetsOrChangesOutputsIsAppliedWithoutAsking() {
        // Given: what tofu applies though it adds, changes and destroys nothing
        List<PlanSummary> stateOnly = List.of(
                new PlanSummary(0, 0, 0, false, new StateChanges(1, 0, 0), List.of(), true),
                new PlanSummary(0, 0, 0, false, new StateChanges(0, 1, 0), List.of(), true),
                new PlanSummary(0, 0, 0, false, new StateChanges(0, 0, 1), List.of(), true),
                new PlanSummary(0, 0, 0, false, new StateChanges(0, 0, 0), List.of("volume_id"), true),
                // a data source read during the apply: only the verdict says it
                new PlanSummary(0, 0, 0, false, new StateChanges(0, 0, 0), List.of(), true),
                // counts without the verdict, e.g. from a producer that did not set it
                new PlanSummary(0, 0, 0, false, new StateChanges(1, 0, 0), null, null),
                new PlanSummary(0, 0, 0, false, null, List.of("volume_id"), null));

        // When / Then
        for (PlanSummary plan : stateOnly) {
            assertThat(ApprovalPolicy.decide(plan, "ops/infra", List.of()))
                    .as("%s", plan)
                    .isEqualTo(ApprovalPolicy.Verdict.APPLY);
        }
    }

    @Test
    void theSummaryOfAMoveImportForgetPlanDecidesAsTofuDoes() throws Exception {
        // Given: one stack moves and imports, another forgets and changes an output
        PlanReport network = PlanJson.parse("stacks/network", """
                {"format_version":"1.2","resource_changes":[
                  {"address":"oci_core_vcn.edge","previous_address":"oci_core_vcn.main","change":{"actions":["no-op"]}},
                  {"address":"oci_core_subnet.edge","change":{"actions":["no-op"],"importing":{"id":"ocid1.subnet"}}}]}
                """);
        PlanReport compute = PlanJson.parse("stacks/compute", """
                {"format_version":"1.2","resource_changes":[
                  {"address":"oci_identity_tag.legacy","change":{"actions":["forget"]}}],
                 "output_changes":{"volume_id":{"actions":["update"]}}}
                """);

        // When
        PlanSummary summary = PlanReport.summary(List.of(network, compute));

        // Then
        assertThat(summary)
                .isEqualTo(new PlanSummary(0, 0, 0, false, new StateChanges(1, 1, 1), List.of("volume_id"), true));
        assertThat(ApprovalPolicy.decide(summary, "ops/infra", List.of())).isEqualTo(ApprovalPolicy.Verdict.APPLY);
    }

    @Test
    void theRedactorMasksEveryKnownSensitiveValue() throws Exception {
        // Given
        Redactor redactor = new Redactor();
        redactor.learn(TofuOutputs.parse("s", OUTPUTS).sensitiveValues());
        redactor.learn(List.of("ab"));

        // When
        String line = redactor.redact("token K10verysecretvalue and password hunter2hunter2, ab stays");

        // Then
        assertThat(line).isEqualTo("token (sensitive value) and password (sensitive value), ab stays");
    }
}
