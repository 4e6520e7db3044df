package dev.handoff.common.messaging;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The Kafka client settings every Handoff service shares: producers wait for all in-sync replicas and are
 * idempotent (no lost or doubled acknowledged event); consumers commit only after their work is stored. Both take the
 * cluster's security settings from the environment ({@link #security(Map)}).
 */
public final class KafkaSettings {
    /**
     * The client security settings a deployment may give as environment variables ({@code KAFKA_SASL_JAAS_CONFIG} →
     * {@code sasl.jaas.config}): how the Helm chart connects the services to a SASL and/or TLS cluster such as
     * Strimzi's. Nothing else is read from the environment.
     */
    public static final List<String> SECURITY_VARIABLES = List.of(
            "KAFKA_SECURITY_PROTOCOL",
            "KAFKA_SASL_MECHANISM",
            "KAFKA_SASL_JAAS_CONFIG",
            "KAFKA_SSL_TRUSTSTORE_TYPE",
            "KAFKA_SSL_TRUSTSTORE_LOCATION",
            "KAFKA_SSL_TRUSTSTORE_PASSWORD",
            "KAFKA_SSL_KEYSTORE_TYPE",
            "KAFKA_SSL_KEYSTORE_LOCATION",
            "KAFKA_SSL_KEYSTORE_PASSWORD",
            "KAFKA_SSL_KEY_PASSWORD",
            "KAFKA_SSL_ENDPOINT_IDENTIFICATION_ALGORITHM");

    private KafkaSettings() {}

    /**
     * The security settings of {@link #SECURITY_VARIABLES} that {@code env} sets (blank values are ignored); empty
     * for a plaintext cluster.
     */
    public static Map<String, Object> security(Map<String, String> env) {
        Map<String, Object> settings = new HashMap<>();
        for (String variable : SECURITY_VARIABLES) {
            String value = env.get(variable);
            if (value != null && !value.isBlank()) {
                String property = variable.substring("KAFKA_".length())
                        .toLowerCase(Locale.ROOT)
                        .replace('_', '.');
                settings.put(property, value);
            }
        }
        return settings;
    }

    /**
     * The security settings a Quarkus service configures: {@code kafka.security.protocol}, {@code kafka.sasl.mechanism},
     * {@code kafka.sasl.jaas.config}, {@code kafka.ssl.…} looked up by {@code config} (which also answers for the
     * environment variables of {@link #SECURITY_VARIABLES}, as MicroProfile Config maps {@code KAFKA_SASL_JAAS_CONFIG}
     * to {@code kafka.sasl.jaas.config}). Blank values are ignored; empty for a plaintext cluster.
     */
    public static Map<String, Object> security(java.util.function.Function<String, java.util.Optional<String>> config) {
        Map<String, Object> settings = new HashMap<>();
        for (String variable : SECURITY_VARIABLES) {
            String property = variable.substring("KAFKA_".length())
                    .toLowerCase(Locale.ROOT)
                    .replace('_', '.');
            config.apply("kafka." + property).filter(v -> !v.isBlank()).ifPresent(v -> settings.put(property, v));
        }
        return settings;
    }

    /** Producer settings; {@code extra} wins over the defaults. */
    public static Map<String, Object> producer(String bootstrapServers, String clientId, Map<String, Object> extra) {
        Map<String, Object> p = new HashMap<>();
        p.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(CommonClientConfigs.CLIENT_ID_CONFIG, clientId);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 1);
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.putAll(security(System.getenv()));
        p.putAll(extra);
        return p;
    }

    /**
     * Consumer settings logging in with {@code security} (a service's {@link #security(java.util.function.Function)}),
     * then {@code extra}, which wins over both.
     */
    public static Map<String, Object> consumer(
            String bootstrapServers,
            String groupId,
            String clientId,
            Map<String, Object> security,
            Map<String, Object> extra) {
        Map<String, Object> c = consumer(bootstrapServers, groupId, clientId, security);
        c.putAll(extra);
        return c;
    }

    /** Consumer settings for a group that reads from the beginning and commits by hand. */
    public static Map<String, Object> consumer(
            String bootstrapServers, String groupId, String clientId, Map<String, Object> extra) {
        Map<String, Object> c = new HashMap<>();
        c.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        c.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        c.put(CommonClientConfigs.CLIENT_ID_CONFIG, clientId);
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1000);
        c.put(ConsumerConfig.METADATA_MAX_AGE_CONFIG, 5_000);
        c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        c.putAll(security(System.getenv()));
        c.putAll(extra);
        return c;
    }
}
