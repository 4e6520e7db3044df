package dev.handoff.infra.stage;

import static java.util.Map.entry;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.handoff.common.event.v1.CloudFacts.PlanSummary;
import dev.handoff.common.serde.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every {@code tofu show -json} plan document of OpenTofu's own tests (see {@code opentofu-plans/README.md}) is read
 * as OpenTofu reads it. The expectations were filled by reading each document; for the equivalence tests tofu's human
 * plan output beside the JSON is a second, independent witness of the verdict and the counts.
 */
class OpenTofuPlanCorpusTest {
    private static final Path CORPUS = corpus();

    /** Plan documents extracted from OpenTofu f831fa1a: 24 from internal/command/testdata, 49 equivalence tests. */
    private static final int CORPUS_SIZE = 73;

    /** The documents tofu marked errored: it refuses to apply them, and so does Handoff. */
    private static final Set<String> ERRORED = Set.of("show-json/plan-error/output.json");

    /** The documents with values the plan marks sensitive; every other document has none. */
    private static final Map<String, Set<String>> SENSITIVE = Map.of(
            "show-json/sensitive-values/output.json", Set.of("boop"),
            "show-json-sensitive/output.json", Set.of("bar", "secret"));

    /**
     * What tofu says of one document.
     *
     * @param changes whether tofu would apply it ({@code tofu plan -detailed-exitcode} exits 2)
     * @param outputs the root outputs whose value changes
     */
    private record Expected(boolean changes, int add, int change, int destroy, int move, List<String> outputs) {}

    private static Expected changes(int add, int change, int destroy, int move, String... outputs) {
        return new Expected(true, add, change, destroy, move, List.of(outputs));
    }

    private static final Expected NO_CHANGES = new Expected(false, 0, 0, 0, 0, List.of());

    /** Read from each document by hand; the corpus has no import and no forget (see the derived cases below). */
    private static final Map<String, Expected> EXPECTED = Map.ofEntries(
            entry("show-json-identity/create/output.json", changes(1, 0, 0, 0)),
            entry("show-json-identity/destroy/output.json", changes(0, 0, 1, 0)),
            entry("show-json-identity/update/output.json", changes(0, 1, 0, 0)),
            entry("show-json-sensitive/output.json", changes(3, 0, 0, 0, "test")),
            entry("show-json/basic-create/output.json", changes(3, 0, 0, 0, "test")),
            entry("show-json/basic-delete/output.json", changes(0, 1, 1, 0, "test")),
            entry("show-json/basic-update/output.json", NO_CHANGES),
            entry("show-json/conditions/output.json", changes(2, 0, 0, 0, "foo_id")),
            entry("show-json/drift/output.json", changes(0, 2, 0, 0)),
            entry("show-json/module-depends-on/output.json", changes(1, 0, 0, 0)),
            entry("show-json/modules/output.json", changes(4, 0, 0, 0, "test")),
            entry("show-json/moved-drift/output.json", changes(0, 2, 0, 1)),
            entry("show-json/moved/output.json", changes(0, 1, 0, 1)),
            entry("show-json/multi-resource-update/output.json", changes(1, 0, 0, 1)),
            entry("show-json/nested-modules/output.json", changes(1, 0, 0, 0)),
            entry("show-json/provider-aliasing-conflict/output.json", changes(2, 0, 0, 0)),
            entry("show-json/provider-aliasing-default/output.json", changes(4, 0, 0, 0)),
            entry("show-json/provider-aliasing/output.json", changes(10, 0, 0, 0)),
            entry("show-json/provider-version-no-config/output.json", changes(3, 0, 0, 0, "test")),
            entry("show-json/provider-version/output.json", changes(3, 0, 0, 0, "test")),
            entry("show-json/requires-replace/output.json", changes(1, 0, 1, 0)),
            entry("show-json/sensitive-values/output.json", changes(1, 0, 0, 0, "test")),
            entry("show-json/unknown-output/output.json", changes(0, 0, 0, 0, "bar", "baz", "foo")),
            entry("equivalence-tests/basic_json_string_update/plan.json", changes(0, 1, 0, 0)),
            entry("equivalence-tests/basic_list/plan.json", changes(1, 0, 0, 0)),
            entry("equivalence-tests/basic_list_empty/plan.json", changes(0, 1, 0, 0)),
            entry("equivalence-tests/basic_list_null/plan.json", changes(0, 1, 0, 0)),
            entry("equivalence-tests/basic_list_update/plan.json", changes(0, 1, 0, 0)),
            entry("equivalence-tests/basic_map/plan.json", changes(1, 0, 0, 0)),
            entry("equivalence-tests/basic_map_empty/plan.json", changes(0, 1, 0, 0)),
            entry("equivalence-tests/basic_map_null/plan.json", changes(0, 1, 0, 0)),
            entry("equivalence-tests/basic_map_update/plan.json", changes(0, 1, 0, 0)),
            entry("equivalence-tests/basic_multiline_string_update/plan.json", changes(0, 1, 0, 0)),
            entry("equivalence-tests/basic_set/plan.json", changes(1, 0, 0, 0)),
            entry("equivalence-tests/basic_set_empty/plan.json", changes(0, 1, 0, 0)),
            entry("equivalence-tests/basic_set_null/plan.json", changes(0, 1, 0, 0)),
            entry("equivalence-tests/basic_set_update/plan.json", changes(0, 1, 0, 0)),
            // plus a data source read during the apply
            entry("equivalence-tests/data_read/plan.json", changes(3, 0, 0, 0)),
            // tofu plan -refresh-only: no resource changes, one drifted resource whose new value the apply records
            entry("equivalence-tests/drift_refresh_only/plan.json", changes(0, 0, 0, 0)),
            entry("equivalence-tests/drift_relevant_attributes/plan.json", changes(0, 2, 0, 0)),
            entry("equivalence-tests/drift_simple/plan.json", changes(0, 1, 0, 0)),
            entry("equivalence-tests/fully_populated_complex/plan.json", changes(1, 0, 0, 0)),
            entry("equivalence-tests/fully_populated_complex_destroy/plan.json", changes(0, 0, 1, 0)),
            entry("equivalence-tests/fully_populated_complex_update/plan.json", changes(0, 1, 0, 0)),
            entry("equivalence-tests/local_provider_basic/plan.json", changes(1, 0, 0, 0)),
            entry("equivalence-tests/local_provider_delete/plan.json", changes(0, 0, 1, 0)),
            entry("equivalence-tests/local_provider_update/plan.json", changes(1, 0, 1, 0)),
            // a no-op that only moves: "Plan: 0 to add, 0 to change, 0 to destroy." and still applied
            entry("equivalence-tests/moved_simple/plan.json", changes(0, 0, 0, 1)),
            entry("equivalence-tests/moved_with_drift/plan.json", changes(0, 2, 0, 1)),
            // tofu plan -refresh-only: the move is recorded as drift, not as a resource change
            entry("equivalence-tests/moved_with_refresh_only/plan.json", changes(0, 0, 0, 0)),
            entry("equivalence-tests/moved_with_update/plan.json", changes(0, 1, 0, 1)),
            entry("equivalence-tests/multiple_block_types/plan.json", changes(1, 0, 0, 0)),
            entry("equivalence-tests/multiple_block_types_update/plan.json", changes(0, 1, 0, 0)),
            entry("equivalence-tests/nested_list/plan.json", changes(1, 0, 0, 0)),
            entry("equivalence-tests/nested_list_update/plan.json", changes(0, 1, 0, 0)),
            entry("equivalence-tests/nested_map/plan.json", changes(1, 0, 0, 0)),
            entry("equivalence-tests/nested_map_update/plan.json", changes(0, 1, 0, 0)),
            entry("equivalence-tests/nested_objects/plan.json", changes(1, 0, 0, 0)),
            entry("equivalence-tests/nested_objects_update/plan.json", changes(0, 1, 0, 0)),
            entry("equivalence-tests/nested_set/plan.json", changes(1, 0, 0, 0)),
            entry("equivalence-tests/nested_set_update/plan.json", changes(0, 1, 0, 0)),
            entry("equivalence-tests/null_provider_delete/plan.json", changes(0, 0, 1, 0)),
            entry("equivalence-tests/replace_within_list/plan.json", changes(1, 0, 1, 0)),
            entry("equivalence-tests/replace_within_map/plan.json", changes(1, 0, 1, 0)),
            entry("equivalence-tests/replace_within_object/plan.json", changes(1, 0, 1, 0)),
            entry("equivalence-tests/replace_within_set/plan.json", changes(1, 0, 1, 0)),
            entry("equivalence-tests/simple_object/plan.json", changes(1, 0, 0, 0)),
            entry("equivalence-tests/simple_object_empty/plan.json", changes(0, 1, 0, 0)),
            entry("equivalence-tests/simple_object_null/plan.json", changes(0, 1, 0, 0)),
            entry("equivalence-tests/simple_object_replace/plan.json", changes(1, 0, 1, 0)),
            entry("equivalence-tests/simple_object_update/plan.json", changes(0, 1, 0, 0)),
            entry(
                    "equivalence-tests/variables_and_outputs/plan.json",
                    changes(
                            0,
                            0,
                            0,
                            0,
                            "list_empty_default",
                            "list_no_default",
                            "nested_optional_object",
                            "nested_optional_object_with_default",
                            "nested_optional_object_with_embedded_default")));

    private static final Pattern PLAN_LINE = Pattern.compile(
            "Plan: (?:(\\d+) to import, )?(\\d+) to add, (\\d+) to change, (\\d+) to destroy(?:, (\\d+) to forget)?\\.");

    private static Path corpus() {
        try {
            return Path.of(OpenTofuPlanCorpusTest.class
                            .getResource("/opentofu-plans/README.md")
                            .toURI())
                    .getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static Stream<String> documents() throws IOException {
        try (Stream<Path> files = Files.walk(CORPUS)) {
            return files
                    .filter(f -> f.getFileName().toString().endsWith(".json"))
                    .map(f -> CORPUS.relativize(f).toString().replace('\\', '/'))
                    .sorted()
                    .toList()
                    .stream();
        }
    }

    static Stream<String> equivalenceTests() throws IOException {
        return documents().filter(d -> d.startsWith("equivalence-tests/"));
    }

    private static String read(String document) {
        try {
            return Files.readString(CORPUS.resolve(document), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void theCorpusHoldsEveryExtractedDocumentAndEachHasAnExpectation() throws IOException {
        // When
        List<String> documents = documents().toList();

        // Then
        assertThat(documents).hasSize(CORPUS_SIZE);
        assertThat(documents)
                .containsExactlyInAnyOrderElementsOf(Stream.concat(EXPECTED.keySet().stream(), ERRORED.stream())
                        .toList());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("documents")
    void everyDocumentReadsAsOpenTofuReadsIt(String document) throws Exception {
        // Given
        String json = read(document);
        if (ERRORED.contains(document)) {
            // Then: tofu's CanApply() is false for an errored plan; Handoff refuses it outright
            StageFailure failure = catchThrowableOfType(StageFailure.class, () -> PlanJson.parse("stack", json));
            assertThat(failure.reason()).isEqualTo("plan-error");
            return;
        }
        Expected expected = EXPECTED.get(document);

        // When
        PlanReport plan = PlanJson.parse("stack", json);
        PlanSummary summary = PlanReport.summary(List.of(plan));

        // Then
        assertThat(plan.hasChanges()).as("tofu's verdict").isEqualTo(expected.changes());
        assertThat(List.of(plan.add(), plan.change(), plan.destroy(), plan.move(), plan.imports(), plan.forget()))
                .as("add, change, destroy, move, import, forget")
                .containsExactly(expected.add(), expected.change(), expected.destroy(), expected.move(), 0, 0);
        assertThat(plan.outputChanges()).isEqualTo(expected.outputs());
        assertThat(summary.destructive()).isEqualTo(expected.destroy() > 0);
        assertThat(plan.destructiveChanges()).hasSize(expected.destroy());
        assertThat(plan.sensitiveValues()).isEqualTo(SENSITIVE.getOrDefault(document, Set.of()));
        assertThat(ApprovalPolicy.decide(summary, "ops/edge-cluster-infra", List.of()))
                .isEqualTo(
                        !expected.changes()
                                ? ApprovalPolicy.Verdict.NOTHING_TO_APPLY
                                : expected.destroy() > 0
                                        ? ApprovalPolicy.Verdict.ASK_OPERATOR
                                        : ApprovalPolicy.Verdict.APPLY);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("equivalenceTests")
    void verdictAndCountsAgreeWithTofusOwnPlanOutput(String document) throws Exception {
        // Given: what tofu printed when it made the plan, its words wrapped at 80 columns
        String human = read(document.replaceAll("\\.json$", "")).replaceAll("\\s+", " ");
        Matcher line = PLAN_LINE.matcher(human);
        // "Plan: …", or for a plan without resource changes "You can apply this plan to save these new output
        // values" or, refresh-only, "you can apply this plan to record the updated values"
        boolean tofuApplies =
                !human.contains("No changes.") && (line.find() || human.contains("can apply this plan to"));

        // When
        PlanReport plan = PlanJson.parse("stack", read(document));

        // Then
        assertThat(plan.hasChanges()).isEqualTo(tofuApplies);
        if (line.find(0)) {
            assertThat(List.of(plan.imports(), plan.add(), plan.change(), plan.destroy(), plan.forget()))
                    .containsExactly(
                            count(line.group(1)),
                            count(line.group(2)),
                            count(line.group(3)),
                            count(line.group(4)),
                            count(line.group(5)));
        } else {
            assertThat(plan.add() + plan.change() + plan.destroy()).isZero();
        }
    }

    @Test
    void everyReplacementInTheCorpusIsDestructive() throws IOException {
        // When
        List<ResourceChange> replacements = documents()
                .filter(d -> !ERRORED.contains(d))
                .flatMap(d -> parse(d).changes().stream())
                .filter(c -> c.creates() && c.actions().contains("delete"))
                .toList();

        // Then
        assertThat(replacements).hasSizeGreaterThanOrEqualTo(7).allMatch(ResourceChange::destructive);
    }

    /**
     * The corpus has no plan that only imports or only forgets, so those are derived from a real document that
     * changes nothing ({@code show-json/basic-update}: one no-op resource, one no-op output): each single edit is
     * what tofu writes for an import block, a removed block, a moved block and a changed output.
     */
    @Test
    void aMoveAnImportAForgetOrAnOutputAloneIsAppliedWithoutAsking() throws Exception {
        // Given
        String unchanged = read("show-json/basic-update/output.json");
        Map<String, Consumer<ObjectNode>> edits = Map.of(
                "move", plan -> resource(plan).put("previous_address", "test_instance.old"),
                "import",
                        plan -> ((ObjectNode) resource(plan).get("change"))
                                .putObject("importing")
                                .put("id", "i-placeholder"),
                "forget", plan -> actions((ObjectNode) resource(plan).get("change"), "forget"),
                "output",
                        plan -> actions((ObjectNode) plan.get("output_changes").get("test"), "update"));

        // When / Then
        assertThat(parse(unchanged).hasChanges()).isFalse();
        for (Map.Entry<String, Consumer<ObjectNode>> edit : edits.entrySet()) {
            String kind = edit.getKey();
            ObjectNode json = (ObjectNode) Json.mapper().readTree(unchanged);
            edit.getValue().accept(json);
            PlanReport plan = parse(json.toString());
            PlanSummary summary = PlanReport.summary(List.of(plan));
            assertThat(plan.hasChanges()).as(kind).isTrue();
            assertThat(plan.add() + plan.change() + plan.destroy()).as(kind).isZero();
            assertThat(List.of(
                            plan.move(),
                            plan.imports(),
                            plan.forget(),
                            plan.outputChanges().size()))
                    .as(kind)
                    .containsExactly(
                            kind.equals("move") ? 1 : 0,
                            kind.equals("import") ? 1 : 0,
                            kind.equals("forget") ? 1 : 0,
                            kind.equals("output") ? 1 : 0);
            assertThat(summary.destructive()).as(kind).isFalse();
            assertThat(ApprovalPolicy.decide(summary, "ops/edge-cluster-infra", List.of()))
                    .as(kind)
                    .isEqualTo(ApprovalPolicy.Verdict.APPLY);
        }
    }

    private static ObjectNode resource(ObjectNode plan) {
        return (ObjectNode) plan.get("resource_changes").get(0);
    }

    private static void actions(ObjectNode change, String action) {
        change.putArray("actions").add(action);
    }

    private static PlanReport parse(String documentOrJson) {
        String json = documentOrJson.startsWith("{") ? documentOrJson : read(documentOrJson);
        try {
            return PlanJson.parse("stack", json);
        } catch (StageFailure e) {
            throw new AssertionError(e.getMessage(), e);
        }
    }

    private static int count(String group) {
        return group == null ? 0 : Integer.parseInt(group);
    }
}
