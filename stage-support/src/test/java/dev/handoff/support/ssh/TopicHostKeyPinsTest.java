package dev.handoff.support.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.handoff.common.event.EventEnvelope;
import dev.handoff.common.event.EventType;
import dev.handoff.common.event.v1.HostKeyTrusted;
import dev.handoff.common.messaging.EventPublisher;
import dev.handoff.common.messaging.KafkaSettings;
import dev.handoff.common.serde.EventCodec;
import dev.handoff.lab.LabKafka;
import dev.handoff.support.ssh.HostKeyPins.Pin;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The one pin store of every service, against the lab's Kafka broker: what one service pins another sees. */
class TopicHostKeyPinsTest {
    private static final String KEY_A = "AAAAC3NzaC1lZDI1NTE5AAAAIM/sCZTIE7sktbJ2SgUfgfoKyYZKOTafbvklnIzHKpwh";
    private static final String KEY_B = "AAAAC3NzaC1lZDI1NTE5AAAAIBL3V2vJY1m1q7Tq3R6oKf0m7Yb7Jm0kq8yq3V9yqGxA";

    private final EventCodec codec = new EventCodec();
    private final String kafka = LabKafka.shared().bootstrapServers();
    private final String host = "edge-" + UUID.randomUUID().toString().substring(0, 8);
    private final TopicHostKeyPins converge =
            new TopicHostKeyPins(kafka, "converge-service", codec, patience(), LabKafka.adminSecurity(kafka));
    private final TopicHostKeyPins workload =
            new TopicHostKeyPins(kafka, "workload-service", codec, patience(), LabKafka.adminSecurity(kafka));

    @AfterEach
    void close() {
        converge.close();
        workload.close();
    }

    @Test
    void aKeyConvergePinsIsTheKeyWorkloadSeesOnItsNextRead() {
        // Given: workload-service has read the store before the host was pinned
        assertThat(workload.pinned(host)).isEmpty();

        // When
        converge.pin(host, pin(KEY_A));

        // Then
        assertThat(workload.pinned(host)).contains(pin(KEY_A));
        assertThat(converge.pinned(host)).contains(pin(KEY_A));
    }

    @Test
    void theFirstBootstrapPinIsNeverReplacedByALaterOneButAnOperatorsDecisionReplacesIt() throws Exception {
        // Given
        converge.pin(host, pin(KEY_A));

        // When: another first-bootstrap pin arrives (a second converge-service, a forged record)
        workload.pin(host, pin(KEY_B));
        publish(new HostKeyTrusted(host, null, fingerprint(KEY_A), null, "first-bootstrap", "x", null));
        Pin afterFirstBootstraps = workload.pinned(host).orElseThrow();
        publish(new HostKeyTrusted(host, null, fingerprint(KEY_B), null, "operator", "ops-admin", "reinstalled"));

        // Then
        assertThat(afterFirstBootstraps).isEqualTo(pin(KEY_A));
        Pin trusted = converge.pinned(host).orElseThrow();
        assertThat(trusted.fingerprint()).isEqualTo(fingerprint(KEY_B));
        assertThat(trusted.source()).isEqualTo(HostKeyPins.Source.OPERATOR);
        assertThat(trusted.publicKey()).isNull();
    }

    @Test
    void aRecordWhosePublicKeyIsNotItsFingerprintOrWhoseKafkaKeyIsAnotherHostIsNotApplied() throws Exception {
        // Given
        publish(new HostKeyTrusted(host, "ssh-ed25519", fingerprint(KEY_B), KEY_A, "operator", "x", null));

        // When
        var pinned = workload.pinned(host);

        // Then
        assertThat(pinned).isEmpty();
    }

    @Test
    void aBrokerThatDoesNotAnswerIsAClearErrorWithinTheWait() throws Exception {
        // Given: nothing listens on this port
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        try (TopicHostKeyPins down =
                new TopicHostKeyPins("127.0.0.1:" + port, "workload-service", codec, Duration.ofSeconds(2), Map.of())) {
            long started = System.nanoTime();

            // When / Then
            assertThatThrownBy(() -> down.pinned(host))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("cannot read the host key pins from Kafka topic handoff.host-keys at"
                            + " 127.0.0.1:" + port)
                    .hasMessageContaining("no host key can be checked");
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(30));
        }
    }

    private void publish(HostKeyTrusted trusted) throws Exception {
        EventEnvelope event =
                codec.newEvent(EventType.HOST_KEY_TRUSTED, "/handoff/control-service", host, null, null, trusted);
        try (EventPublisher publisher = new EventPublisher(
                new KafkaProducer<>(KafkaSettings.producer(kafka, "test-host-keys", LabKafka.adminSecurity(kafka))),
                codec)) {
            publisher.publishAll(List.of(event), patience());
        }
    }

    private static Pin pin(String blob) {
        return new Pin("ssh-ed25519", blob, fingerprint(blob));
    }

    private static String fingerprint(String blob) {
        return HostKeyPins.fingerprintOf(java.util.Base64.getDecoder().decode(blob));
    }

    private static Duration patience() {
        return Duration.ofSeconds(30);
    }
}
