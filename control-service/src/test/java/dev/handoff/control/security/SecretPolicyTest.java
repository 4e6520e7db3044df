package dev.handoff.control.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SecretPolicyTest {
    private static final String STRONG = "3f1c0d8e5a7b49e2a6c4d1f0b8e7a9c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7";

    @Test
    void anExampleValueIsRefusedNamingItsVariableButNotItsValue() {
        // Given the values deploy/handoff.env.example shipped
        Map<String, String> secrets = new LinkedHashMap<>();
        secrets.put("HANDOFF_WEBHOOK_SECRET", "change-me-webhook-secret");
        secrets.put("QUARKUS_DATASOURCE_PASSWORD", "change-me-db-password");

        // When
        List<String> problems = SecretPolicy.problems(secrets);

        // Then
        assertThat(problems).hasSize(2);
        assertThat(problems.get(0))
                .startsWith("HANDOFF_WEBHOOK_SECRET is an example value")
                .contains("openssl rand -hex 32")
                .doesNotContain("change-me-webhook-secret");
        assertThat(problems.get(1)).startsWith("QUARKUS_DATASOURCE_PASSWORD is an example value");
    }

    @Test
    void aSecretShorterThan32BytesIsRefused() {
        // When
        List<String> problems = SecretPolicy.problems(Map.of("HANDOFF_WEBHOOK_SECRET", "a".repeat(31)));

        // Then
        assertThat(problems)
                .containsExactly(
                        "HANDOFF_WEBHOOK_SECRET is shorter than 32 bytes; make one with: openssl rand -hex 32");
        assertThat(SecretPolicy.problems(Map.of("HANDOFF_WEBHOOK_SECRET", "a".repeat(32))))
                .isEmpty();
    }

    @Test
    void strongAndUnsetSecretsPass() {
        // An unset value is not this check's business: what needs it says so
        assertThat(SecretPolicy.problems(Map.of("HANDOFF_WEBHOOK_SECRET", STRONG, "QUARKUS_DATASOURCE_PASSWORD", "")))
                .isEmpty();
    }

    @Test
    void theExampleTokenAndThePlaceholderAreRefusedByEntryAndName() {
        // Given the example's operator token (the hash of "change-me"), the new placeholder and a real token
        String config = "admin:operator:" + ApiTokens.hash("change-me")
                + ",ops:operator:change-me-to-the-sha256-of-your-token"
                + ",ci:viewer:" + ApiTokens.hash(STRONG);

        // When
        List<String> problems = SecretPolicy.tokenProblems("HANDOFF_AUTH_TOKENS", config);

        // Then
        assertThat(problems).hasSize(2);
        assertThat(problems.get(0)).startsWith("HANDOFF_AUTH_TOKENS entry 1 (admin) is the hash of an example token");
        assertThat(problems.get(1)).startsWith("HANDOFF_AUTH_TOKENS entry 2 (ops) is still the placeholder");
    }
}
