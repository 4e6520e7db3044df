package dev.handoff.common.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** How a deployment's environment reaches the Kafka clients: the security settings, and nothing else. */
class KafkaSettingsTest {

    @Test
    void theSecurityVariablesOfAStrimziDeploymentBecomeClientSettings() {
        // Given the variables the Helm chart sets for a SASL_SSL cluster, and unrelated ones
        Map<String, String> env = Map.of(
                "KAFKA_SECURITY_PROTOCOL", "SASL_SSL",
                "KAFKA_SASL_MECHANISM", "SCRAM-SHA-512",
                "KAFKA_SASL_JAAS_CONFIG", "org.apache.kafka.common.security.scram.ScramLoginModule required;",
                "KAFKA_SSL_TRUSTSTORE_TYPE", "PEM",
                "KAFKA_SSL_TRUSTSTORE_LOCATION", "/etc/handoff/kafka-ca/ca.crt",
                "KAFKA_BOOTSTRAP_SERVERS", "kafka:9093",
                "KAFKA_AUTO_OFFSET_RESET", "latest",
                "HOME", "/root");

        // When they are read
        Map<String, Object> settings = KafkaSettings.security(env);

        // Then exactly the security settings are taken, under Kafka's property names
        assertThat(settings)
                .containsOnly(
                        Map.entry("security.protocol", "SASL_SSL"),
                        Map.entry("sasl.mechanism", "SCRAM-SHA-512"),
                        Map.entry(
                                "sasl.jaas.config",
                                "org.apache.kafka.common.security.scram.ScramLoginModule required;"),
                        Map.entry("ssl.truststore.type", "PEM"),
                        Map.entry("ssl.truststore.location", "/etc/handoff/kafka-ca/ca.crt"));
    }

    @Test
    void aPlaintextDeploymentAddsNothing() {
        // Given an environment without security variables, or with blank ones
        Map<String, String> env = Map.of("KAFKA_SECURITY_PROTOCOL", " ", "PATH", "/usr/bin");

        // When / Then the clients keep Kafka's defaults
        assertThat(KafkaSettings.security(env)).isEmpty();
    }
}
