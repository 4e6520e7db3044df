package dev.handoff.lab.forge;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpServer;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class WebhookDeliveryTest {
    private static final String SECRET = "lab-webhook-secret";

    private HttpServer receiver;
    private final AtomicReference<Headers> receivedHeaders = new AtomicReference<>();
    private final AtomicReference<byte[]> receivedBody = new AtomicReference<>();
    private final AtomicReference<String> receivedMethod = new AtomicReference<>();

    @BeforeEach
    void startReceiver() throws Exception {
        receiver = HttpServer.create(new InetSocketAddress("localhost", 0), 0);
        receiver.createContext("/hooks/forgejo", exchange -> {
            receivedMethod.set(exchange.getRequestMethod());
            receivedHeaders.set(exchange.getRequestHeaders());
            receivedBody.set(exchange.getRequestBody().readAllBytes());
            byte[] answer = "{\"deployments\":[\"d-1\"]}".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(202, answer.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(answer);
            }
        });
        receiver.start();
    }

    @AfterEach
    void stopReceiver() {
        receiver.stop(0);
    }

    @Test
    void deliveryCarriesForgejoHeadersAndASignatureThatVerifiesIndependently() throws Exception {
        // Given
        byte[] body = "{\n  \"ref\": \"refs/heads/main\"\n}".getBytes(StandardCharsets.UTF_8);
        URI url = URI.create("http://localhost:" + receiver.getAddress().getPort() + "/hooks/forgejo");

        // When
        WebhookDelivery.Response response = new WebhookDelivery().deliver(url, SECRET, body);

        // Then
        assertThat(response.status()).isEqualTo(202);
        assertThat(response.accepted()).isTrue();
        assertThat(response.body()).isEqualTo("{\"deployments\":[\"d-1\"]}");
        assertThat(receivedMethod.get()).isEqualTo("POST");
        assertThat(receivedBody.get()).isEqualTo(body);
        Headers headers = receivedHeaders.get();
        String expected = hmacSha256Hex(SECRET, receivedBody.get());
        assertThat(headers.getFirst("Content-Type")).isEqualTo("application/json");
        assertThat(headers.getFirst("User-Agent")).isEqualTo("Go-http-client/1.1");
        assertThat(headers.getFirst("X-Forgejo-Event")).isEqualTo("push");
        assertThat(headers.getFirst("X-Forgejo-Event-Type")).isEqualTo("push");
        assertThat(headers.getFirst("X-Gitea-Event")).isEqualTo("push");
        assertThat(headers.getFirst("X-Forgejo-Delivery")).isEqualTo(response.deliveryId());
        assertThat(UUID.fromString(response.deliveryId())).isNotNull();
        assertThat(headers.getFirst("X-Gitea-Delivery")).isEqualTo(response.deliveryId());
        assertThat(headers.getFirst("X-Forgejo-Signature")).isEqualTo(expected).matches("[0-9a-f]{64}");
        assertThat(headers.getFirst("X-Gitea-Signature")).isEqualTo(expected);
        assertThat(headers.getFirst("X-Hub-Signature-256")).isEqualTo("sha256=" + expected);
    }

    @Test
    void everyDeliveryHasItsOwnId() throws Exception {
        // Given
        byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
        URI url = URI.create("http://localhost:" + receiver.getAddress().getPort() + "/hooks/forgejo");
        WebhookDelivery delivery = new WebhookDelivery();

        // When
        String first = delivery.deliver(url, SECRET, body).deliveryId();
        String second = delivery.deliver(url, SECRET, body).deliveryId();

        // Then
        assertThat(first).isNotEqualTo(second);
    }

    private static String hmacSha256Hex(String secret, byte[] body) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return HexFormat.of().formatHex(mac.doFinal(body));
    }
}
