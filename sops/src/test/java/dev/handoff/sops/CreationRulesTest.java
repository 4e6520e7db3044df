package dev.handoff.sops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** {@code .sops.yaml}: the first matching rule applies; age recipients from both forms. */
class CreationRulesTest {
    @Test
    void firstMatchingRuleGivesItsRecipientsInBothForms() throws Exception {
        // Given
        CreationRules rules = CreationRules.parse("""
                creation_rules:
                  - path_regex: ^hosts/a\\.yaml$
                    key_groups:
                      - age:
                          - age1aaa
                          - age1bbb
                  - path_regex: hosts/
                    age: age1ccc, age1ddd
                  - age: age1eee
                """);

        // When / Then
        assertThat(rules.ruleFor("hosts/a.yaml").orElseThrow().ageRecipients()).containsExactly("age1aaa", "age1bbb");
        assertThat(rules.ruleFor("hosts/b.yaml").orElseThrow().ageRecipients()).containsExactly("age1ccc", "age1ddd");
        assertThat(rules.ruleFor("other.yaml").orElseThrow().describe()).isEqualTo("creation_rules[2]");
    }

    @Test
    void missingRulesListIsAnErrorThatSaysWhatToDo() {
        assertThatThrownBy(() -> CreationRules.parse("keys: []\n"))
                .isInstanceOf(SopsFormatException.class)
                .hasMessageContaining("creation_rules");
    }
}
