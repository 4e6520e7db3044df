package dev.handoff.lab.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.SecureRandom;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LabCredentialsTest {

    @Test
    void valuesFromTheEnvironmentAreUsedAsGiven() {
        // When
        LabCredentials credentials = LabCredentials.fromEnvironment(
                Map.of("HANDOFF_WEBHOOK_SECRET", "my-secret", "HANDOFF_OPERATOR_TOKEN", "operator-token"),
                new SecureRandom());

        // Then
        assertThat(credentials.webhookSecret()).isEqualTo("my-secret");
        assertThat(credentials.operatorToken()).isEqualTo("operator-token");
        assertThat(credentials.secretGenerated()).isFalse();
        assertThat(credentials.tokenGenerated()).isFalse();
    }

    @Test
    void missingValuesAreGeneratedFreshEachTime() {
        // When
        LabCredentials first = LabCredentials.fromEnvironment(Map.of("HANDOFF_WEBHOOK_SECRET", ""), new SecureRandom());
        LabCredentials second = LabCredentials.fromEnvironment(Map.of(), new SecureRandom());

        // Then
        assertThat(first.secretGenerated()).isTrue();
        assertThat(first.tokenGenerated()).isTrue();
        assertThat(first.webhookSecret()).matches("[0-9a-f]{64}").isNotEqualTo(second.webhookSecret());
        assertThat(first.operatorToken()).matches("[A-Za-z0-9_-]{43}").isNotEqualTo(second.operatorToken());
    }

    @Test
    void servicesGetTheOperatorTokenOnlyAsItsSha256() {
        // Given
        LabCredentials credentials =
                LabCredentials.fromEnvironment(Map.of("HANDOFF_OPERATOR_TOKEN", "operator-token"), new SecureRandom());

        // When
        String authTokens = credentials.authTokens();

        // Then: sha256("operator-token"), as computed by sha256sum
        assertThat(authTokens)
                .isEqualTo("lab-operator:operator:0850123315d21ab90f4f7236408a52ef6dbd6a02a6550e5c10dc73f4d993680e")
                .doesNotContain("operator-token");
        assertThat(credentials.toString()).doesNotContain("operator-token");
    }
}
