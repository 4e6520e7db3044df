package dev.handoff.converge.stage;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.handoff.common.event.v1.CloudFacts;
import dev.handoff.common.event.v1.Convergence.AccessPhase;
import dev.handoff.common.event.v1.SecretFacts;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HandoffFactsTest {
    @Test
    void mergesCloudFactsAndNonSecretSecretFactsWithThePhase() throws Exception {
        // Given
        CloudFacts cloud = new CloudFacts(
                "cloud-edge-1",
                "oci",
                "eu-frankfurt-1",
                "ocid1.instance",
                "10.0.1.5",
                "203.0.113.10",
                "ocid1.subnet",
                List.of(new CloudFacts.VolumeAttachment("ocid1.volume", "/dev/oracleoci/oraclevdb", "paravirtualized")),
                null,
                Instant.parse("2026-11-25T10:00:00Z"));
        SecretFacts secrets = new SecretFacts(
                "cloud-edge-1",
                "ops/infrastructure-secrets",
                "a".repeat(40),
                "age1recipient",
                List.of(new SecretFacts.SecretFile(
                        "hosts/cloud-edge-1.yaml",
                        "b".repeat(64),
                        Instant.parse("2026-11-25T09:00:00Z"),
                        List.of("age1recipient"),
                        List.of("tailscale/auth_key"),
                        SecretFacts.MacStatus.VERIFIED)));

        // When
        Map<String, Object> facts = HandoffFacts.of("cloud-edge-1", AccessPhase.BOOTSTRAP, cloud, secrets);
        String json = new ObjectMapper().writeValueAsString(facts);

        // Then
        assertThat(HandoffFacts.path("cloud-edge-1")).isEqualTo("hosts/cloud-edge-1/handoff.json");
        assertThat(json)
                .contains("\"accessPhase\":\"BOOTSTRAP\"")
                .contains("\"publicIp\":\"203.0.113.10\"")
                .contains("/dev/oracleoci/oraclevdb")
                .contains("\"recipient\":\"age1recipient\"")
                .contains("tailscale/auth_key")
                .doesNotContain("AGE-SECRET-KEY")
                .doesNotContain("ENC[");
    }
}
