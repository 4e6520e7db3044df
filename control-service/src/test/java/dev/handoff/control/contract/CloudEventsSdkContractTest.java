package dev.handoff.control.contract;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.erosb.jsonsKema.FormatValidationPolicy;
import com.github.erosb.jsonsKema.JsonParser;
import com.github.erosb.jsonsKema.SchemaLoader;
import com.github.erosb.jsonsKema.ValidationFailure;
import com.github.erosb.jsonsKema.Validator;
import com.github.erosb.jsonsKema.ValidatorConfig;
import dev.handoff.common.event.EventEnvelope;
import dev.handoff.common.event.EventType;
import dev.handoff.common.event.SchemaLocations;
import dev.handoff.common.serde.EventCodec;
import dev.handoff.common.serde.Json;
import dev.handoff.lab.KafkaTestResource;
import dev.handoff.lab.LabKafka;
import dev.handoff.lab.PostgresTestResource;
import io.cloudevents.CloudEvent;
import io.cloudevents.SpecVersion;
import io.cloudevents.kafka.CloudEventDeserializer;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.InputStream;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * The contract as another team's consumer reads it, with none of Handoff's code: every sample of every type and
 * version is published through the real codec (with {@code dataschema} pointing at this control-service, as in the
 * lab) to the lab broker, read back with the official CloudEvents Java SDK in Kafka binary mode, and its data
 * validated by json-sKema (not the networknt validator the services use) against the schema fetched from its
 * {@code dataschema} URI.
 */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(PostgresTestResource.class)
class CloudEventsSdkContractTest {
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TestHTTPResource("/schemas/")
    URL schemas;

    private record Published(String sample, EventEnvelope event) {}

    @Test
    void everySampleReadWithTheCloudEventsSdkIsValidAgainstTheSchemaItsDataschemaServes() throws Exception {
        // Given every sample, published through the real codec to a topic of the lab broker
        LabKafka kafka = LabKafka.shared();
        String topic = "contract-test.cloudevents-" + UUID.randomUUID();
        kafka.createTopics(List.of(topic));
        EventCodec codec = new EventCodec(SchemaLocations.servedAt(schemas.toString()));
        Map<String, Published> published = publishEverySample(kafka, topic, codec);
        assertThat(published.values().stream().map(p -> p.event().type()).distinct())
                .as("every event type has a sample")
                .hasSize(EventType.values().length);

        // When another team's consumer reads them with the CloudEvents SDK
        List<ConsumerRecord<String, CloudEvent>> records = readAll(kafka, topic, published.size());

        // Then each is the event that was sent, and its data is valid against the schema its dataschema serves
        Map<URI, Validator> validators = new HashMap<>();
        for (ConsumerRecord<String, CloudEvent> record : records) {
            CloudEvent ce = record.value();
            Published sent = published.get(ce.getId());
            assertThat(sent)
                    .as("record " + record.offset() + " is one of the published")
                    .isNotNull();
            String what = sent.sample();
            assertThat(ce.getSpecVersion()).as(what).isEqualTo(SpecVersion.V1);
            assertThat(ce.getType()).as(what).isEqualTo(sent.event().type());
            assertThat(ce.getSource()).as(what).isEqualTo(URI.create("/handoff/contract-test"));
            assertThat(ce.getSubject())
                    .as(what)
                    .isEqualTo(record.key())
                    .isEqualTo(sent.event().subject());
            assertThat(ce.getDataContentType()).as(what).isEqualTo("application/json");
            assertThat(ce.getTime()).as(what).isNotNull();
            assertThat(ce.getExtension("deploymentid"))
                    .as(what)
                    .isEqualTo(sent.event().deploymentId());
            assertThat(ce.getDataSchema()).as(what).hasToString(sent.event().dataSchema());
            String data = new String(ce.getData().toBytes(), StandardCharsets.UTF_8);
            assertThat(Json.mapper().readTree(data))
                    .as(what)
                    .isEqualTo(sent.event().data());
            Validator validator = validators.computeIfAbsent(ce.getDataSchema(), CloudEventsSdkContractTest::fetch);
            ValidationFailure failure = validator.validate(new JsonParser(data).parse());
            assertThat(failure).as(what + " against " + ce.getDataSchema()).isNull();
        }
        assertThat(records).hasSize(published.size());
    }

    private static Map<String, Published> publishEverySample(LabKafka kafka, String topic, EventCodec codec)
            throws Exception {
        Map<String, Object> settings = LabKafka.asAdmin(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(), ProducerConfig.ACKS_CONFIG, "all"));
        Map<String, Published> published = new HashMap<>();
        try (var producer = new KafkaProducer<>(settings, new StringSerializer(), new ByteArraySerializer())) {
            for (String sample : sampleIndex()) {
                String[] parts = sample.split("/");
                EventType type = EventType.byType("handoff." + parts[0]).orElseThrow();
                int version = Integer.parseInt(parts[1].substring(1));
                JsonNode payload = Json.mapper().readTree(resource("/samples/" + sample));
                EventEnvelope event = new EventEnvelope(
                        UUID.randomUUID().toString(),
                        "/handoff/contract-test",
                        type.type(),
                        payload.path("host").asText("forgejo-pi"),
                        OffsetDateTime.now(ZoneOffset.UTC),
                        codec.locations().dataSchema(type, version),
                        UUID.randomUUID().toString(),
                        null,
                        null,
                        payload);
                producer.send(codec.encode(topic, event)).get();
                published.put(event.id(), new Published(sample, event));
            }
        }
        return published;
    }

    private static List<ConsumerRecord<String, CloudEvent>> readAll(LabKafka kafka, String topic, int expected) {
        Map<String, Object> settings = LabKafka.asAdmin(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                kafka.bootstrapServers(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                "earliest"));
        List<ConsumerRecord<String, CloudEvent>> records = new ArrayList<>();
        try (var consumer = new KafkaConsumer<>(settings, new StringDeserializer(), new CloudEventDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (records.size() < expected && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(500)).forEach(records::add);
            }
        }
        return records;
    }

    /** The schema a {@code dataschema} URI serves, as another team's consumer would get it: over HTTP. */
    private static Validator fetch(URI dataSchema) {
        try {
            HttpResponse<String> response = HTTP.send(
                    HttpRequest.newBuilder(dataSchema).GET().build(),
                    HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            assertThat(response.statusCode()).as("GET " + dataSchema).isEqualTo(200);
            assertThat(response.headers().firstValue("Content-Type"))
                    .as("content type of " + dataSchema)
                    .hasValueSatisfying(t -> assertThat(t).startsWith("application/schema+json"));
            return Validator.create(
                    new SchemaLoader(response.body()).load(),
                    ValidatorConfig.builder()
                            .validateFormat(FormatValidationPolicy.ALWAYS)
                            .build());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot fetch " + dataSchema, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static List<String> sampleIndex() throws Exception {
        return new String(resource("/samples/index.txt"), StandardCharsets.UTF_8)
                .lines()
                .map(String::strip)
                .filter(l -> !l.isEmpty())
                .toList();
    }

    private static byte[] resource(String name) throws Exception {
        try (InputStream in = CloudEventsSdkContractTest.class.getResourceAsStream(name)) {
            assertThat(in).as(name + " of the contract (handoff-common)").isNotNull();
            return in.readAllBytes();
        }
    }
}
