package dev.handoff.control.webhook;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import dev.handoff.control.Deliveries;
import dev.handoff.control.TopicOffsets;
import dev.handoff.lab.KafkaTestResource;
import dev.handoff.lab.PostgresTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/** What the webhook reads before it can check a signature is bounded: in size, and in deliveries at once. */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(PostgresTestResource.class)
class WebhookIntakeTest {
    private static final int DEFAULT_MAX_IN_FLIGHT = 16;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @Test
    void aSignedDeliveryOverOneMebibyteIsRefused413AndNothingIsPublished() {
        // Given a correctly signed push padded to 1.5 MiB (a push of 20 commits is a few tens of KiB)
        String push = Deliveries.push("ops/edge-cluster-infra", "refs/heads/main", Deliveries.sha());
        String body = push + " ".repeat(3 * 512 * 1024);
        long before = TopicOffsets.total(bootstrap);

        // When
        Deliveries.send(body)
                // Then
                .statusCode(413)
                .body("status", equalTo("refused"))
                .body("reason", equalTo("too-large"));
        assertThat(TopicOffsets.total(bootstrap)).isEqualTo(before);
        // and the same push without padding is fine
        Deliveries.send(push).statusCode(202);
    }

    @Test
    void whileSixteenDeliveriesAreBeingReadTheNextIsAnswered503WithRetryAfterBeforeItsBody() throws IOException {
        // Given sixteen senders that announced a body and are sending it very slowly
        List<Socket> slow = new ArrayList<>();
        try {
            for (int i = 0; i < DEFAULT_MAX_IN_FLIGHT; i++) {
                slow.add(slowSender());
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> unsignedProbe() == 503);
            long before = TopicOffsets.total(bootstrap);

            // When a correctly signed push arrives
            var refused = Deliveries.send(
                            Deliveries.push("ops/edge-cluster-infra", "refs/heads/main", Deliveries.sha()))
                    // Then it is told to come back, and nothing is published
                    .statusCode(503)
                    .body("reason", equalTo("too-many-in-flight"))
                    .extract();
            assertThat(refused.header("Retry-After")).isEqualTo("5");
            assertThat(TopicOffsets.total(bootstrap)).isEqualTo(before);
        } finally {
            for (Socket s : slow) {
                s.close();
            }
        }

        // and once the slow senders are gone, deliveries are accepted again
        await().atMost(Duration.ofSeconds(10)).until(() -> unsignedProbe() == 401);
        Deliveries.send(Deliveries.push("ops/edge-cluster-infra", "refs/heads/main", Deliveries.sha()))
                .statusCode(202);
    }

    private static Socket slowSender() throws IOException {
        Socket socket = new Socket("localhost", RestAssured.port);
        OutputStream out = socket.getOutputStream();
        out.write(("POST /hooks/forgejo HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                        + "Content-Length: 2000\r\nX-Forgejo-Event: push\r\nX-Forgejo-Delivery: "
                        + UUID.randomUUID() + "\r\n\r\n{\"ref\":")
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return socket;
    }

    /** An unsigned delivery: 401 when it is let in, 503 when turned away; either way nothing is published. */
    private static int unsignedProbe() {
        return given().header("Content-Type", "application/json")
                .header("X-Forgejo-Event", "push")
                .body("{}")
                .post("/hooks/forgejo")
                .statusCode();
    }
}
