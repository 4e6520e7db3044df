package dev.handoff.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.handoff.common.event.Topics;
import dev.handoff.common.messaging.KafkaAccess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LabKafkaTest {

    @Test
    void sharedBrokerHasEveryHandoffTopicWithThreePartitions() throws Exception {
        // Given
        LabKafka kafka = LabKafka.shared();

        // When
        Map<String, TopicDescription> topics;
        try (Admin admin = kafka.admin()) {
            topics = admin.describeTopics(Topics.all()).allTopicNames().get(30, TimeUnit.SECONDS);
        }

        // Then
        assertThat(topics.keySet()).containsExactlyInAnyOrderElementsOf(Topics.all());
        assertThat(topics.values()).allSatisfy(t -> assertThat(t.partitions()).hasSize(LabKafka.PARTITIONS));
        assertThat(LabKafka.shared()).isSameAs(kafka);
    }

    @Test
    void recordProducedThroughTheSharedBrokerIsConsumedWithItsKey() throws Exception {
        // Given
        LabKafka kafka = LabKafka.shared();
        String value = "commit " + UUID.randomUUID();

        // When
        RecordMetadata sent = produce(kafka.bootstrapServers(), Topics.COMMITS, "cloud-edge-1", value);
        List<ConsumerRecord<String, String>> received = consumeUntil(kafka.bootstrapServers(), Topics.COMMITS, value);

        // Then
        assertThat(received)
                .filteredOn(r -> r.value().equals(value))
                .singleElement()
                .satisfies(r -> {
                    assertThat(r.key()).isEqualTo("cloud-edge-1");
                    assertThat(r.partition()).isEqualTo(sent.partition());
                    assertThat(r.offset()).isEqualTo(sent.offset());
                });
    }

    @Test
    void kafkaTestResourceHandsTheSharedBrokerToQuarkus() {
        // When
        Map<String, String> config = new KafkaTestResource().start();

        // Then
        assertThat(config)
                .containsEntry("kafka.bootstrap.servers", LabKafka.shared().bootstrapServers());
    }

    @Test
    void aClientWithoutAKnownIdentityIsRefusedByTheBroker() {
        // Given a login as a user the broker does not know
        Map<String, Object> nobody = new java.util.HashMap<>(KafkaAccess.clientSecurity(
                "SASL_PLAINTEXT", "nobody", "0123456789abcdef0123456789abcdef0123456789abcdef"));

        // When it publishes a commit, Then the broker refuses the login
        assertThatThrownBy(() -> produceAs(nobody, Topics.COMMITS))
                .hasRootCauseInstanceOf(SaslAuthenticationException.class)
                .rootCause()
                .hasMessageContaining("Authentication failed");
    }

    @Test
    void eachServiceMayWriteOnlyWhatItsRoleAllows() throws Exception {
        LabKafka kafka = LabKafka.shared();

        // control-service publishes commits; secrets-service may not
        assertThat(produceAs(kafka.clientSecurity("control-service"), Topics.COMMITS)
                        .topic())
                .isEqualTo(Topics.COMMITS);
        assertThatThrownBy(() -> produceAs(kafka.clientSecurity("secrets-service"), Topics.COMMITS))
                .hasRootCauseInstanceOf(TopicAuthorizationException.class)
                .rootCause()
                .hasMessageContaining(Topics.COMMITS);
        // a stage writes its own topic, not the next stage's, and cannot approve a plan
        assertThat(produceAs(kafka.clientSecurity("secrets-service"), Topics.SECRET_FACTS)
                        .topic())
                .isEqualTo(Topics.SECRET_FACTS);
        assertThatThrownBy(() -> produceAs(kafka.clientSecurity("workload-service"), Topics.BACKUP))
                .hasRootCauseInstanceOf(TopicAuthorizationException.class);
        assertThatThrownBy(() -> produceAs(kafka.clientSecurity("converge-service"), Topics.APPROVALS))
                .hasRootCauseInstanceOf(TopicAuthorizationException.class);
    }

    @Test
    void theTestResourceLogsTheServiceUnderTestInWithItsOwnIdentity() {
        // a module whose application.properties names it (the lab module has none: no identity)
        assertThat(KafkaTestResource.applicationName()).isEmpty();
        assertThat(LabKafka.shared().clientSecurity("converge-service"))
                .containsEntry("security.protocol", "SASL_PLAINTEXT")
                .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
                .hasEntrySatisfying(
                        "sasl.jaas.config", v -> assertThat((String) v).contains("username=\"converge-service\""));
    }

    private static RecordMetadata produceAs(Map<String, Object> security, String topic) throws Exception {
        Map<String, Object> config = new java.util.HashMap<>(security);
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, LabKafka.shared().bootstrapServers());
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 15_000);
        config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(config)) {
            return producer.send(new ProducerRecord<>(topic, "edge-1", "probe")).get(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void brokerWithADataFolderKeepsTopicsAndRecordsAcrossRestarts(@TempDir Path dataDir) throws Exception {
        // Given
        String value = "kept " + UUID.randomUUID();
        LabKafkaUsers users = LabKafkaUsers.generate();
        try (LabKafka first = LabKafka.start(0, dataDir, users)) {
            first.createTopics(Topics.all());
            produce(first.bootstrapServers(), Topics.COMMITS, "forgejo-pi", value);
        }

        // When
        try (LabKafka second = LabKafka.start(0, dataDir, users)) {
            second.createTopics(Topics.all());

            // Then
            assertThat(second.topics()).containsAll(Topics.all());
            assertThat(consumeUntil(second.bootstrapServers(), Topics.COMMITS, value))
                    .extracting(ConsumerRecord::value)
                    .contains(value);
        }
    }

    @Test
    void aStoppedBrokerStartsAgainOnItsPortWithItsRecordsAndConsumerOffsets(@TempDir Path dataDir) throws Exception {
        // Given: a broker whose consumer group has read and committed the first record
        String first = "before the outage " + UUID.randomUUID();
        String second = "after the outage " + UUID.randomUUID();
        String group = "drill-" + UUID.randomUUID();
        LabKafka kafka = LabKafka.start(0, dataDir, LabKafkaUsers.generate());
        String bootstrap = kafka.bootstrapServers();
        kafka.createTopics(List.of(Topics.COMMITS));
        produce(bootstrap, Topics.COMMITS, "cloud-edge-1", first);
        assertThat(consumeInGroup(bootstrap, group, first)).contains(first);

        // When: it is stopped (./handoff stop kafka) and started again (./handoff start kafka)
        kafka.close();
        assertThat(kafka.stopped()).isTrue();
        try (LabKafka again = kafka.startAgain()) {
            // Then: same address, and the group goes on after what it committed
            assertThat(again.bootstrapServers()).isEqualTo(bootstrap);
            assertThat(again.stopped()).isFalse();
            assertThatThrownBy(again::startAgain).hasMessageContaining("is running");
            produce(bootstrap, Topics.COMMITS, "cloud-edge-1", second);
            assertThat(consumeInGroup(bootstrap, group, second)).containsExactly(second);
        }
    }

    @Test
    void grantingTheServicesAgainDeletesOnlyTheACLsNoServiceHas() {
        // Given the broker's ACLs after a first start, plus one nobody grants
        List<org.apache.kafka.common.acl.AclBinding> wanted =
                KafkaAccess.all().stream().map(LabKafka::binding).toList();
        var stray = LabKafka.binding(new KafkaAccess.Grant(
                "intruder", KafkaAccess.Resource.TOPIC, Topics.COMMITS, false, KafkaAccess.Operation.READ));
        List<org.apache.kafka.common.acl.AclBinding> existing = new ArrayList<>(wanted);
        existing.add(stray);

        // Then a start on that storage (./handoff start kafka) deletes the stray one only: no service's ACL is ever
        // deleted and created again, so no client reconnecting meanwhile is refused (#18: consumer loops stopped for
        // good on a GroupAuthorizationException after the broker drill)
        assertThat(LabKafka.unwanted(existing, wanted)).containsExactly(stray);
        assertThat(LabKafka.unwanted(wanted, wanted)).isEmpty();
    }

    /** What the consumer group {@code group} reads up to {@code value}, committing it. */
    private static List<String> consumeInGroup(String bootstrap, String group, String value) {
        Map<String, Object> config = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG,
                group,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                "earliest",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                false,
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
                StringDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                StringDeserializer.class.getName());
        List<String> received = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(LabKafka.asAdmin(config))) {
            consumer.subscribe(List.of(Topics.COMMITS));
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> received.add(r.value()));
                return received.contains(value);
            });
            consumer.commitSync(Duration.ofSeconds(30));
        }
        return received;
    }

    private static RecordMetadata produce(String bootstrap, String topic, String key, String value) throws Exception {
        Map<String, Object> config = Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrap,
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG,
                StringSerializer.class.getName(),
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG,
                StringSerializer.class.getName(),
                ProducerConfig.ACKS_CONFIG,
                "all");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(LabKafka.asAdmin(config))) {
            return producer.send(new ProducerRecord<>(topic, key, value)).get(30, TimeUnit.SECONDS);
        }
    }

    private static List<ConsumerRecord<String, String>> consumeUntil(String bootstrap, String topic, String value) {
        Map<String, Object> config = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG,
                "lab-test-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                "earliest",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
                StringDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                StringDeserializer.class.getName());
        List<ConsumerRecord<String, String>> received = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(LabKafka.asAdmin(config))) {
            consumer.subscribe(List.of(topic));
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(received::add);
                return received.stream().anyMatch(r -> r.value().equals(value));
            });
        }
        return received;
    }
}
