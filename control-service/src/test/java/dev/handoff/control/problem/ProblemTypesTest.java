package dev.handoff.control.problem;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Each reason has a page worth opening, and a problem of a reason no one listed still answers with a title. */
class ProblemTypesTest {
    @Test
    void everyListedReasonIsKebabCaseWithATitleAndAnExplanation() {
        for (ProblemTypes.Type type : ProblemTypes.all()) {
            assertThat(type.reason()).matches("[a-z0-9]+(-[a-z0-9]+)*");
            assertThat(type.title()).as(type.reason()).isNotBlank().doesNotEndWith(".");
            assertThat(type.about()).as(type.reason()).isNotBlank().endsWith(".");
        }
    }

    @Test
    void aProblemPointsToItsReasonsPageAndRepeatsDetailAsError() {
        // When
        Problem problem = Problem.of(400, "bad-limit", "limit 0 is out of range", "use a limit from 1 to 500");

        // Then
        assertThat(problem.type()).hasToString("/problems/bad-limit");
        assertThat(problem.title()).isEqualTo("Page size out of range");
        assertThat(problem.error()).isEqualTo(problem.detail());
        assertThat(problem.at("/api/deployments").instance()).isEqualTo("/api/deployments");
    }

    @Test
    void aReasonNobodyListedIsTitledWithTheStatusPhrase() {
        assertThat(Problem.of(409, "some-new-reason", "d", "f").title()).isEqualTo("Conflict");
        assertThat(Problem.of(599, "another", "d", "f").title()).isEqualTo("HTTP 599");
    }
}
