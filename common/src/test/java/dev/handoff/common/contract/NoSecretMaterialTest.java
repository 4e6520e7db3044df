package dev.handoff.common.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.handoff.common.event.EventEnvelope;
import dev.handoff.common.event.EventType;
import dev.handoff.common.serde.EventCodec;
import dev.handoff.common.serde.InvalidEventException;
import dev.handoff.common.serde.SchemaCatalog;
import java.time.OffsetDateTime;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Secret facts carry names, recipients, fingerprints and MAC status, never a value: the schema refuses fields named
 * like a secret at any depth, and every schema refuses strings that look like key material, so a producer cannot
 * send them to any topic.
 */
class NoSecretMaterialTest {
    private static final String SECRET_SAMPLE = "/samples/secret-facts.completed/v1/cloud-edge-1.json";
    // built at run time so that no scanner mistakes the test for a leaked key
    private static final String AGE_IDENTITY = "AGE-SECRET-" + "KEY-1" + "Q".repeat(58);
    private static final String TAILSCALE_KEY = "tskey-" + "auth-" + "kXk3cP7CNTRL-9vTq2Lm4Zr8Yb6Wx1Ns5Hd";

    private final SchemaCatalog catalog = new SchemaCatalog();

    @ParameterizedTest
    @ValueSource(strings = {"value", "plaintext", "password", "authToken", "secret", "decryptedValue", "data", "key"})
    void aSecretFileWithAFieldThatCouldHoldAValueIsRefused(String field) {
        // Given
        ObjectNode facts = (ObjectNode) Samples.read(SECRET_SAMPLE);
        ((ObjectNode) facts.withArray("files").get(0)).put(field, "hunter2");

        // When
        List<String> violations = catalog.violations(EventType.SECRET_FACTS_COMPLETED, 1, facts);

        // Then
        assertThat(violations)
                .anySatisfy(v -> assertThat(v).contains("$.files[0]").contains(field));
    }

    @Test
    void aTopLevelValueFieldIsRefusedButAHarmlessAddedFieldIsAccepted() {
        // Given
        ObjectNode leaking = (ObjectNode) Samples.read(SECRET_SAMPLE);
        leaking.put("plaintextValue", "hunter2");
        ObjectNode extended = (ObjectNode) Samples.read(SECRET_SAMPLE);
        extended.put("verifiedBy", "secrets-service 0.1.0");

        // When
        List<String> leakingViolations = catalog.violations(EventType.SECRET_FACTS_COMPLETED, 1, leaking);
        List<String> extendedViolations = catalog.violations(EventType.SECRET_FACTS_COMPLETED, 1, extended);

        // Then
        assertThat(leakingViolations).anySatisfy(v -> assertThat(v).contains("plaintextValue"));
        assertThat(extendedViolations).isEmpty();
    }

    @Test
    void keyMaterialInAKeyPathIsRefusedNamingWhereItIs() {
        // Given
        ObjectNode facts = (ObjectNode) Samples.read(SECRET_SAMPLE);
        ArrayNode keyPaths = (ArrayNode) facts.withArray("files").get(0).get("keyPaths");
        keyPaths.set(0, TAILSCALE_KEY);
        keyPaths.add(AGE_IDENTITY);

        // When
        List<String> violations = catalog.violations(EventType.SECRET_FACTS_COMPLETED, 1, facts);

        // Then
        assertThat(violations)
                .anySatisfy(v -> assertThat(v).contains("$.files[0].keyPaths[0]"))
                .anySatisfy(v -> assertThat(v).contains("$.files[0].keyPaths[3]"));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "/samples/convergence.failed/v1/confirm-timeout-rolled-back.json",
                "/samples/commit.pushed/v1/edge-cluster-infra-main.json",
                "/samples/backup.completed/v1/runtime-with-rehearsal.json"
            })
    void noTopicAcceptsAnAgeIdentityInAnyField(String sample) {
        // Given a payload of another type with an age identity pasted into a new field
        Samples.Sample s = Samples.get(sample.substring("/samples/".length()));
        ObjectNode payload = (ObjectNode) s.json();
        payload.putObject("debug").put("stagedKey", "identity file: " + AGE_IDENTITY);
        EventEnvelope event = new EventEnvelope(
                "1f2e3d4c-5b6a-4978-8a9b-0c1d2e3f4a5b",
                "/handoff/converge-service",
                s.type().type(),
                s.host(),
                OffsetDateTime.parse("2025-11-24T10:00:00Z"),
                s.type().dataSchema(1),
                null,
                null,
                null,
                payload);

        // When the producer tries to send it
        InvalidEventException refused =
                catchThrowableOfType(InvalidEventException.class, () -> new EventCodec().encode(event));

        // Then nothing is sent and the message says where, without repeating the value
        assertThat(refused).isNotNull();
        assertThat(refused.reason()).isEqualTo(InvalidEventException.Reason.SCHEMA_VIOLATION);
        assertThat(refused).hasMessageContaining("$.debug.stagedKey");
        assertThat(refused.getMessage()).doesNotContain(AGE_IDENTITY);
    }
}
