package dev.handoff.infra.stage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.handoff.common.event.v1.CloudFacts.PlanSummary;
import dev.handoff.common.event.v1.CloudFacts.StateChanges;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PlanJsonTest {

    private static String recorded(String name) throws IOException {
        try (InputStream in = PlanJsonTest.class.getResourceAsStream("/plans/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** A plan JSON of the given resource changes and output changes, as tofu 1.8 writes it. */
    private static String plan(String resourceChanges, String outputChanges) {
        return "{\"format_version\":\"1.2\",\"planned_values\":{\"root_module\":{}},\"resource_changes\":["
                + resourceChanges + "],\"output_changes\":{" + outputChanges + "},\"errored\":false}";
    }

    private static String resource(String address, String actions, String extra) {
        return "{\"address\":\"" + address + "\",\"mode\":\"managed\",\"type\":\"oci_core_volume\",\"name\":\"x\""
                + extra + ",\"change\":{\"actions\":" + actions + ",\"before\":{},\"after\":{}}}";
    }

    private static final String UNCHANGED = resource("oci_core_vcn.edge", "[\"no-op\"]", "");

    @Test
    void countsEveryActionKindTheWayOpenTofuDoes() throws Exception {
        // Given
        String json = recorded("every-action.json");

        // When
        PlanReport plan = PlanJson.parse("stacks/compute", json);

        // Then: create, update, delete, two replacements (delete-then-create and create-then-delete), read, forget
        assertThat(plan.formatVersion()).isEqualTo("1.2");
        assertThat(plan.changes()).hasSize(8);
        assertThat(plan.add()).isEqualTo(3);
        assertThat(plan.change()).isEqualTo(1);
        assertThat(plan.destroy()).isEqualTo(3);
        assertThat(plan.forget()).isEqualTo(1);
        assertThat(plan.hasChanges()).isTrue();
        assertThat(plan.destructiveChanges())
                .extracting(ResourceChange::address)
                .containsExactly(
                        "oci_core_volume.scratch", "oci_core_volume_attachment.data", "oci_core_public_ip.bootstrap");
        assertThat(plan.stateChanges()).extracting(ResourceChange::address).containsExactly("oci_identity_tag.legacy");
        assertThat(PlanReport.summary(List.of(plan)))
                .isEqualTo(new PlanSummary(3, 1, 3, true, new StateChanges(0, 0, 1), List.of(), true));
    }

    @Test
    void aPlanOfNoOpsOnlyChangesNothing() throws Exception {
        // Given
        String json = plan(UNCHANGED, "\"vcn_id\":{\"actions\":[\"no-op\"],\"before\":\"a\",\"after\":\"a\"}");

        // When
        PlanReport plan = PlanJson.parse("stacks/network", json);

        // Then
        assertThat(plan.hasChanges()).isFalse();
        assertThat(PlanReport.summary(List.of(plan)).applyable()).isFalse();
        assertThat(PlanReport.summary(List.of(plan)).destructive()).isFalse();
    }

    @Test
    void anOutputOnlyPlanHasChanges() throws Exception {
        // Given: tofu says "You can apply this plan to save these new output values"
        String json = plan(
                UNCHANGED,
                "\"vcn_id\":{\"actions\":[\"no-op\"]},\"volume_id\":{\"actions\":[\"create\"],\"after\":\"ocid1\"},"
                        + "\"old\":{\"actions\":[\"delete\"],\"before\":\"x\"}");

        // When
        PlanReport plan = PlanJson.parse("stacks/compute", json);

        // Then
        assertThat(plan.hasChanges()).isTrue();
        assertThat(plan.outputChanges()).containsExactly("old", "volume_id");
        assertThat(plan.add() + plan.change() + plan.destroy()).isZero();
        assertThat(PlanReport.summary(List.of(plan)).changedOutputs()).containsExactly("old", "volume_id");
    }

    @Test
    void aMoveOnlyPlanHasChangesEvenWithANoOpAction() throws Exception {
        // Given
        String json =
                plan(resource("oci_core_vcn.edge", "[\"no-op\"]", ",\"previous_address\":\"oci_core_vcn.main\""), "");

        // When
        PlanReport plan = PlanJson.parse("stacks/network", json);

        // Then
        assertThat(plan.hasChanges()).isTrue();
        assertThat(plan.move()).isEqualTo(1);
        assertThat(plan.changes().get(0).previousAddress()).isEqualTo("oci_core_vcn.main");
        assertThat(plan.destructiveChanges()).isEmpty();
        assertThat(plan.stateChanges()).extracting(ResourceChange::address).containsExactly("oci_core_vcn.edge");
    }

    @Test
    void aPreviousAddressEqualToTheAddressIsNoMove() throws Exception {
        // When
        PlanReport plan = PlanJson.parse(
                "s",
                plan(resource("oci_core_vcn.edge", "[\"no-op\"]", ",\"previous_address\":\"oci_core_vcn.edge\""), ""));

        // Then
        assertThat(plan.hasChanges()).isFalse();
        assertThat(plan.move()).isZero();
    }

    @Test
    void anImportOnlyPlanHasChangesEvenWithANoOpAction() throws Exception {
        // Given
        String json = plan(
                "{\"address\":\"oci_core_volume.data\",\"mode\":\"managed\",\"change\":{\"actions\":[\"no-op\"],"
                        + "\"importing\":{\"id\":\"ocid1.volume.oc1.x.data\"}}},"
                        + "{\"address\":\"oci_core_volume.logs\",\"mode\":\"managed\",\"change\":{\"actions\":"
                        + "[\"no-op\"],\"importing\":{\"identity\":{\"id\":\"ocid1.volume.oc1.x.logs\"}}}}",
                "");

        // When
        PlanReport plan = PlanJson.parse("stacks/compute", json);

        // Then
        assertThat(plan.hasChanges()).isTrue();
        assertThat(plan.imports()).isEqualTo(2);
        assertThat(plan.changes())
                .extracting(ResourceChange::importId)
                .containsExactly("ocid1.volume.oc1.x.data", null);
        assertThat(PlanReport.summary(List.of(plan)))
                .isEqualTo(new PlanSummary(0, 0, 0, false, new StateChanges(0, 2, 0), List.of(), true));
    }

    @Test
    void aForgetOnlyPlanHasChangesAndIsNotDestructive() throws Exception {
        // Given: a removed block with lifecycle { destroy = false }
        String json = plan(resource("oci_identity_tag.legacy", "[\"forget\"]", ""), "");

        // When
        PlanReport plan = PlanJson.parse("stacks/identity", json);

        // Then
        assertThat(plan.hasChanges()).isTrue();
        assertThat(plan.forget()).isEqualTo(1);
        assertThat(plan.destroy()).isZero();
        assertThat(plan.destructiveChanges()).isEmpty();
        assertThat(plan.stateChanges()).extracting(ResourceChange::address).containsExactly("oci_identity_tag.legacy");
        assertThat(PlanReport.summary(List.of(plan)).destructive()).isFalse();
    }

    @Test
    void aForgetThenCreateIsOneAddAndOneForgetButNoDestroy() throws Exception {
        // When
        PlanReport plan =
                PlanJson.parse("s", plan(resource("oci_core_volume.data", "[\"forget\",\"create\"]", ""), ""));

        // Then
        assertThat(plan.add()).isEqualTo(1);
        assertThat(plan.forget()).isEqualTo(1);
        assertThat(plan.destroy()).isZero();
    }

    @Test
    void aReadDeferredToTheApplyIsAChangeButNotCounted() throws Exception {
        // Given: tofu's Changes.Empty() counts every action but no-op
        String json = plan(
                "{\"address\":\"data.oci_core_images.ubuntu\",\"mode\":\"data\",\"change\":{\"actions\":[\"read\"]}}",
                "");

        // When
        PlanReport plan = PlanJson.parse("s", json);

        // Then
        assertThat(plan.hasChanges()).isTrue();
        assertThat(plan.add() + plan.change() + plan.destroy()).isZero();
        assertThat(PlanReport.summary(List.of(plan)).applyable()).isTrue();
    }

    @Test
    void aDataSourceIsNeverDestructive() throws Exception {
        // When
        PlanReport plan = PlanJson.parse(
                "s", plan("{\"address\":\"data.a.b\",\"mode\":\"data\",\"change\":{\"actions\":[\"delete\"]}}", ""));

        // Then
        assertThat(plan.destroy()).isZero();
        assertThat(plan.destructiveChanges()).isEmpty();
    }

    @Test
    void aRefreshOnlyPlanThatRecordsDriftHasChanges() throws Exception {
        // Given: no resource changes, a drift entry (tofu plan -refresh-only)
        String json = "{\"format_version\":\"1.2\",\"planned_values\":{},\"resource_drift\":["
                + resource("oci_core_vcn.edge", "[\"update\"]", "") + "],\"errored\":false}";

        // When
        PlanReport plan = PlanJson.parse("s", json);

        // Then
        assertThat(plan.hasChanges()).isTrue();
        assertThat(plan.drift()).hasSize(1);
        assertThat(plan.change()).isZero();
    }

    @Test
    void driftBesideResourceChangesIsNoChangeOfItsOwn() throws Exception {
        // Given: a normal plan whose only resource is unchanged though it drifted (e.g. ignore_changes)
        String json = "{\"format_version\":\"1.2\",\"resource_changes\":[" + UNCHANGED + "],\"resource_drift\":["
                + resource("oci_core_vcn.edge", "[\"update\"]", "") + "]}";

        // When / Then
        assertThat(PlanJson.parse("s", json).hasChanges()).isFalse();
    }

    @Test
    void sensitiveValuesAreEveryStringThePlanMarksSensitive() throws Exception {
        // Given
        String json = """
                {"format_version":"1.2",
                 "variables":{"db_password":{"value":"variable-secret"},"region":{"value":"eu-frankfurt-1"}},
                 "configuration":{"root_module":{"variables":{"db_password":{"sensitive":true},"region":{}}}},
                 "planned_values":{"outputs":{"token":{"sensitive":true,"value":"planned-token"},
                                              "ip":{"sensitive":false,"value":"203.0.113.45"}},
                   "root_module":{"child_modules":[{"resources":[{"values":{"key":"module-key","name":"n"},
                                                                  "sensitive_values":{"key":true}}]}]}},
                 "resource_changes":[{"address":"oci_core_instance.a","mode":"managed","change":{"actions":["update"],
                   "before":{"metadata":{"ssh":"before-key","user":"ubuntu"},"tags":["t1","before-tag"],"n":7},
                   "before_sensitive":{"metadata":{"ssh":true},"tags":[false,true],"n":true},
                   "after":{"metadata":{"ssh":"after-key","user":"ubuntu"},"nested":{"deep":["d1","d2"]}},
                   "after_sensitive":{"nested":true}}},
                  {"address":"oci_core_volume.b","mode":"managed","change":{"actions":["delete"],
                   "before":{"secret":"whole-object"},"before_sensitive":true,"after":null,"after_sensitive":false}}],
                 "output_changes":{"k3s_token":{"actions":["no-op"],"before":"K10before","after":"K10after",
                                                "before_sensitive":true,"after_sensitive":true},
                                   "db":{"actions":["create"],"after":{"password":"output-object-secret"},
                                         "after_sensitive":true},
                                   "ip":{"actions":["no-op"],"before":"203.0.113.45","after":"203.0.113.45",
                                         "before_sensitive":false,"after_sensitive":false}}}
                """;

        // When
        PlanReport plan = PlanJson.parse("stacks/compute", json);

        // Then
        assertThat(plan.sensitiveValues())
                .containsExactlyInAnyOrder(
                        "variable-secret",
                        "planned-token",
                        "module-key",
                        "before-key",
                        "before-tag",
                        "d1",
                        "d2",
                        "whole-object",
                        "K10before",
                        "K10after",
                        "output-object-secret");
        assertThat(plan.toString()).doesNotContain("K10after").doesNotContain("variable-secret");
    }

    @ParameterizedTest
    @ValueSource(strings = {"1.0", "1.2", "1.9", "1.99"})
    void everyMinorVersionOfFormatOneIsRead(String version) throws Exception {
        // When
        PlanReport plan = PlanJson.parse("s", "{\"format_version\":\"" + version + "\",\"resource_changes\":[]}");

        // Then
        assertThat(plan.changes()).isEmpty();
        assertThat(plan.formatVersion()).isEqualTo(version);
    }

    @ParameterizedTest
    @ValueSource(strings = {"2.0", "0.1", "0.2"})
    void anotherMajorFormatVersionIsRefusedWithAClearError(String version) {
        // Given: 0.x is Terraform 0.12-0.15's format, 2.0 a future one
        String json = "{\"format_version\":\"" + version
                + "\",\"resource_changes\":[{\"address\":\"a.b\",\"change\":{\"actions\":[\"delete\"]}}]}";

        // When
        StageFailure failure = catchThrowableOfType(StageFailure.class, () -> PlanJson.parse("stacks/compute", json));

        // Then
        assertThat(failure.reason()).isEqualTo("plan-format");
        assertThat(failure.getMessage())
                .contains("stacks/compute")
                .contains("format_version " + version)
                .contains("major version 1 only");
        assertThat(failure.retryable()).isFalse();
    }

    @Test
    void anErroredPlanIsRefusedAsTofuRefusesToApplyIt() {
        // Given
        String json = "{\"format_version\":\"1.2\",\"planned_values\":{},\"errored\":true}";

        // When
        StageFailure failure = catchThrowableOfType(StageFailure.class, () -> PlanJson.parse("stacks/dns", json));

        // Then
        assertThat(failure.reason()).isEqualTo("plan-error");
        assertThat(failure.getMessage())
                .contains("stacks/dns")
                .contains("errored")
                .contains("incomplete");
    }

    @Test
    void aStateDocumentIsNotTakenForAnEmptyPlan() {
        // Given: what 'tofu show -json' prints without a plan file
        String json = "{\"format_version\":\"1.0\",\"terraform_version\":\"1.8.5\",\"values\":{\"root_module\":{}}}";

        // When
        StageFailure failure = catchThrowableOfType(StageFailure.class, () -> PlanJson.parse("stacks/dns", json));

        // Then
        assertThat(failure.reason()).isEqualTo("plan-format");
        assertThat(failure.getMessage()).contains("is a state").contains("not a plan");
    }

    @Test
    void anUnknownActionOrAMissingVersionIsRefused() {
        // When
        StageFailure unknownAction = catchThrowableOfType(
                StageFailure.class,
                () -> PlanJson.parse(
                        "s",
                        "{\"format_version\":\"1.2\",\"resource_changes\":[{\"address\":\"a.b\","
                                + "\"change\":{\"actions\":[\"obliterate\"]}}]}"));
        StageFailure unknownPair = catchThrowableOfType(
                StageFailure.class,
                () -> PlanJson.parse("s", plan(resource("a.b", "[\"update\",\"delete\"]", ""), "")));
        StageFailure unknownOutputAction = catchThrowableOfType(
                StageFailure.class, () -> PlanJson.parse("s", plan("", "\"o\":{\"actions\":[\"forget\"]}")));
        StageFailure noVersion =
                catchThrowableOfType(StageFailure.class, () -> PlanJson.parse("s", "{\"resource_changes\":[]}"));
        StageFailure notJson = catchThrowableOfType(StageFailure.class, () -> PlanJson.parse("s", "Error: no plan"));

        // Then
        assertThat(unknownAction.getMessage())
                .contains("unknown action 'obliterate'")
                .contains("a.b");
        assertThat(unknownPair.getMessage()).contains("unknown actions [update, delete]");
        assertThat(unknownOutputAction.getMessage()).contains("output o");
        assertThat(noVersion.getMessage()).contains("no format_version");
        assertThat(notJson.getMessage()).contains("is not JSON");
    }

    @Test
    void aHugeFormatVersionIsRefusedNotAStackOverflow() {
        // Given: found by the hostile-input suite; the version regex recursed once per ".1"
        String json = "{\"format_version\":\"" + "1.".repeat(50_000) + "1\",\"resource_changes\":[]}";

        // When
        StageFailure failure = catchThrowableOfType(StageFailure.class, () -> PlanJson.parse("stacks/dns", json));

        // Then
        assertThat(failure.reason()).isEqualTo("plan-format");
        assertThat(failure.getMessage()).contains("no format_version");
    }
}
