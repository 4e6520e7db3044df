package dev.handoff.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.handoff.common.serde.Json;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ForgejoDeliveriesTest {

    @Test
    void signsWithHexHmacSha256() {
        // RFC 4231-style known answer: HMAC-SHA256("key", "The quick brown fox jumps over the lazy dog")
        String signature = new ForgejoDeliveries("key")
                .sign("The quick brown fox jumps over the lazy dog".getBytes(StandardCharsets.UTF_8));

        assertThat(signature).isEqualTo("f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8");
    }

    @Test
    void pushIsAForgejoPushPayloadOfOneCommit() throws Exception {
        String sha = ForgejoDeliveries.sha();

        JsonNode push =
                Json.mapper().readTree(ForgejoDeliveries.push("ops/edge-cluster-infra", "refs/heads/main", sha));

        assertThat(sha).matches("[0-9a-f]{40}");
        assertThat(push.path("after").asText()).isEqualTo(sha);
        assertThat(push.path("repository").path("full_name").asText()).isEqualTo("ops/edge-cluster-infra");
        assertThat(push.path("commits")).hasSize(1);
    }

    @Test
    void tokenHashIsLowerCaseHexSha256() {
        assertThat(ControlServiceProcess.sha256Hex("viewer-token"))
                .isEqualTo("d036bd6d01a1cae081d39a2f8dab751dc042de814fd60df31fcb553170950f29");
    }
}
