package dev.handoff.infra.stage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.handoff.common.event.v1.CloudFacts.PlanSummary;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class PlanJsonTest {

    private static String recorded(String name) throws IOException {
        try (InputStream in = PlanJsonTest.class.getResourceAsStream("/plans/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

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
        assertThat(plan.hasChanges()).isTrue();
        assertThat(plan.destructiveChanges())
                .extracting(ResourceChange::address)
                .containsExactly(
                        "oci_core_volume.scratch", "oci_core_volume_attachment.data", "oci_core_public_ip.bootstrap");
        assertThat(PlanReport.summary(List.of(plan))).isEqualTo(new PlanSummary(3, 1, 3, true));
    }

    @Test
    void readNoOpAndForgetChangeNothing() throws Exception {
        // Given
        String json = """
                {"format_version":"1.2","resource_changes":[
                  {"address":"a.b","change":{"actions":["no-op"]}},
                  {"address":"data.c.d","change":{"actions":["read"]}},
                  {"address":"e.f","change":{"actions":["forget"]}}]}
                """;

        // When
        PlanReport plan = PlanJson.parse("stacks/network", json);

        // Then
        assertThat(plan.hasChanges()).isFalse();
        assertThat(PlanReport.summary(List.of(plan)).destructive()).isFalse();
    }

    @Test
    void aMinorVersionOfTheFormatIsRead() throws Exception {
        // When
        PlanReport plan = PlanJson.parse("s", "{\"format_version\":\"1.9\",\"resource_changes\":[]}");

        // Then
        assertThat(plan.changes()).isEmpty();
    }

    @Test
    void anUnknownMajorFormatVersionIsRefusedWithAClearError() {
        // Given
        String json =
                "{\"format_version\":\"2.0\",\"resource_changes\":[{\"address\":\"a.b\",\"change\":{\"actions\":[\"delete\"]}}]}";

        // When
        StageFailure failure = catchThrowableOfType(StageFailure.class, () -> PlanJson.parse("stacks/compute", json));

        // Then
        assertThat(failure.reason()).isEqualTo("plan-format");
        assertThat(failure.getMessage())
                .contains("stacks/compute")
                .contains("format_version 2.0")
                .contains("major version 1 only");
        assertThat(failure.retryable()).isFalse();
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
        StageFailure noVersion =
                catchThrowableOfType(StageFailure.class, () -> PlanJson.parse("s", "{\"resource_changes\":[]}"));
        StageFailure notJson = catchThrowableOfType(StageFailure.class, () -> PlanJson.parse("s", "Error: no plan"));

        // Then
        assertThat(unknownAction.getMessage())
                .contains("unknown action 'obliterate'")
                .contains("a.b");
        assertThat(noVersion.getMessage()).contains("no format_version");
        assertThat(notJson.getMessage()).contains("is not JSON");
    }
}
