package dev.handoff.control.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class WebhookSignatureTest {
    private final WebhookSignature signature = new WebhookSignature("s3cret");
    private final byte[] body = "{\"ref\":\"refs/heads/main\"}".getBytes(StandardCharsets.UTF_8);

    @Test
    void matchesAnIndependentlyComputedHmac() {
        // Given: HMAC-SHA256("s3cret", body) computed by openssl, independently of our code
        String expected = openssl(body);

        // When
        String signed = signature.sign(body);

        // Then
        assertThat(signed).hasSize(64).isEqualTo(expected);
        assertThat(signature.verifies(body, signed)).isTrue();
    }

    @Test
    void acceptsGithubStylePrefixAndUpperCase() {
        String signed = signature.sign(body);
        assertThat(signature.verifies(body, "sha256=" + signed)).isTrue();
        assertThat(signature.verifies(body, signed.toUpperCase())).isTrue();
    }

    @Test
    void refusesOtherBodiesSecretsAndGarbage() {
        String signed = signature.sign(body);
        byte[] tampered = "{\"ref\":\"refs/heads/mainx\"}".getBytes(StandardCharsets.UTF_8);
        assertThat(signature.verifies(tampered, signed)).isFalse();
        assertThat(new WebhookSignature("other").verifies(body, signed)).isFalse();
        assertThat(signature.verifies(body, "not-hex")).isFalse();
        assertThat(signature.verifies(body, "")).isFalse();
        assertThat(signature.verifies(body, null)).isFalse();
        assertThat(signature.verifies(body, signed.substring(0, 62))).isFalse();
    }

    private static String openssl(byte[] body) {
        try {
            Process p = new ProcessBuilder("openssl", "dgst", "-sha256", "-hmac", "s3cret", "-r").start();
            p.getOutputStream().write(body);
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor();
            return out.substring(0, 64);
        } catch (Exception e) {
            throw new AssertionError("openssl is needed for this test: " + e.getMessage(), e);
        }
    }
}
