package dev.handoff.infra.stage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Terramate's tag filter: the examples of {@code docs/cli/orchestration/tag-filter.md} (terramate-io/terramate before
 * 9f5b025a) and the edges of {@code config/filter/filter.go} and {@code config/tag/tag.go} (at 9391082).
 */
class TagFilterTest {
    private static final List<String> ABC = List.of("abc");
    private static final List<String> XYZ = List.of("xyz");
    private static final List<String> BOTH = List.of("abc", "xyz");

    @Test
    void colonIsAndCommaIsOr() {
        // Given stacks tagged abc, xyz, and both / When filtered / Then
        assertThat(matching("abc")).containsExactly(ABC, BOTH);
        assertThat(matching("xyz")).containsExactly(XYZ, BOTH);
        assertThat(matching("abc:xyz")).containsExactly(BOTH);
        assertThat(matching("abc,xyz")).containsExactly(ABC, XYZ, BOTH);
    }

    @Test
    void andBindsTighterThanOr() {
        // Given
        TagFilter filter = TagFilter.parse("app:k8s,app:nomad");

        // When / Then
        assertThat(filter.matches(List.of("app", "k8s"))).isTrue();
        assertThat(filter.matches(List.of("nomad", "app", "extra"))).isTrue();
        assertThat(filter.matches(List.of("k8s", "nomad"))).isFalse();
        assertThat(TagFilter.parse("app:k8s:frontend").matches(List.of("app", "k8s")))
                .isFalse();
        assertThat(TagFilter.parse("tf,pulumi,cfn").matches(List.of("cfn"))).isTrue();
    }

    @Test
    void anEmptyFilterOrAnEmptyTagInAnAndGroupSelectsNothing() {
        // Given a stack tagged abc (or xyz) / When / Then
        assertThat(TagFilter.parse("").matches(ABC)).isFalse();
        assertThat(TagFilter.parse(",").matches(ABC)).isFalse();
        assertThat(TagFilter.parse("abc:").matches(ABC)).isFalse();
        assertThat(TagFilter.parse("abc,,xyz").matches(XYZ)).isTrue();
    }

    @Test
    void tagsAreLowercaseLettersDigitsAndAFewSeparators() {
        // When / Then: a tag filter has no negation (~) in after/before, only in Terramate's internal syntax
        assertThat(TagFilter.invalidity("k8s.prod/eu-west_1")).isEmpty();
        assertThat(TagFilter.invalidity("a")).isEmpty();
        assertThat(TagFilter.invalidity("Prod"))
                .contains("\"Prod\": tags must start with a lowercase letter or a digit ([0-9a-z])");
        assertThat(TagFilter.invalidity("prod-"))
                .contains("\"prod-\": tags must end with a lowercase letter or a digit ([0-9a-z])");
        assertThat(TagFilter.invalidity("pr od"))
                .contains("\"pr od\": tags may hold only lowercase letters, digits and - _ . /");
        assertThatThrownBy(() -> TagFilter.parse("~dev")).hasMessageContaining("\"~dev\": tags must start with");
        assertThatThrownBy(() -> TagFilter.parse("abc:_x,y")).hasMessageContaining("\"_x\"");
    }

    private static List<List<String>> matching(String filter) {
        TagFilter parsed = TagFilter.parse(filter);
        return List.of(ABC, XYZ, BOTH).stream().filter(parsed::matches).toList();
    }
}
