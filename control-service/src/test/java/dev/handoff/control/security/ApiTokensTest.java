package dev.handoff.control.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ApiTokensTest {

    @Test
    void findsTokensByTheirHashOnly() {
        // Given
        ApiTokens tokens = ApiTokens.parse(
                "ops:operator:" + ApiTokens.hash("op-token") + ", dash:viewer:" + ApiTokens.hash("view-token"));

        // Then
        assertThat(tokens.find("op-token"))
                .get()
                .extracting(ApiTokens.Token::role)
                .isEqualTo(Role.OPERATOR);
        assertThat(tokens.find("view-token"))
                .get()
                .extracting(ApiTokens.Token::name)
                .isEqualTo("dash");
        assertThat(tokens.find("guess")).isEmpty();
        assertThat(tokens.find(ApiTokens.hash("op-token")))
                .as("the hash itself is not a token")
                .isEmpty();
    }

    @Test
    void operatorIncludesViewerButNotTheOtherWay() {
        assertThat(Role.OPERATOR.allows(Role.VIEWER)).isTrue();
        assertThat(Role.VIEWER.allows(Role.OPERATOR)).isFalse();
    }

    @Test
    void badConfigurationSaysWhatToFixWithoutEchoingSecrets() {
        assertThatThrownBy(() -> ApiTokens.parse("")).hasMessageContaining("set HANDOFF_AUTH_TOKENS");
        assertThatThrownBy(() -> ApiTokens.parse("ops:admin:" + ApiTokens.hash("x")))
                .hasMessage("HANDOFF_AUTH_TOKENS entry 1 (ops): role 'admin' is not viewer or operator");
        assertThatThrownBy(() -> ApiTokens.parse("ops:operator:my-plain-token"))
                .hasMessageContaining("not the token")
                .hasMessageNotContaining("my-plain-token");
        assertThatThrownBy(() -> ApiTokens.parse("just-a-token"))
                .hasMessage("HANDOFF_AUTH_TOKENS entry 1 must be name:role:sha256hex");
    }
}
