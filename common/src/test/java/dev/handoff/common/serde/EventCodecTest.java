package dev.handoff.common.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.handoff.common.contract.Samples;
import dev.handoff.common.event.EventEnvelope;
import dev.handoff.common.event.EventType;
import dev.handoff.common.event.Stage;
import dev.handoff.common.event.Topics;
import dev.handoff.common.event.v1.CloudFacts;
import dev.handoff.common.event.v1.CommitPushed;
import dev.handoff.common.event.v1.StageStarted;
import dev.handoff.common.serde.InvalidEventException.Reason;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.Arrays;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EventCodecTest {
    private static final String SOURCE = "/handoff/control-service";
    private static final String DEPLOYMENT = "0c8e2f55-1b7d-4f7e-a3f4-62f0d9b1e5c2";
    private static final String CAUSATION = "9d4e1c7a-2b3f-4a8e-b6d5-7f1a0c3e9b24";

    private final EventCodec codec = new EventCodec();

    private static CommitPushed commit() throws Exception {
        return Json.mapper()
                .treeToValue(
                        Samples.read("/samples/commit.pushed/v1/edge-cluster-infra-main.json"), CommitPushed.class);
    }

    private EventEnvelope commitEvent() throws Exception {
        return codec.newEvent(EventType.COMMIT_PUSHED, SOURCE, "cloud-edge-1", DEPLOYMENT, CAUSATION, commit());
    }

    private ConsumerRecord<String, byte[]> validRecord() throws Exception {
        return Records.received(codec.encode(commitEvent()), 3);
    }

    @Test
    void anEncodedEventIsDecodedToTheSameEventAndPayload() throws Exception {
        // Given
        CommitPushed payload = commit();
        EventEnvelope event =
                codec.newEvent(EventType.COMMIT_PUSHED, SOURCE, "cloud-edge-1", DEPLOYMENT, CAUSATION, payload);

        // When
        ProducerRecord<String, byte[]> sent = codec.encode(event);
        EventEnvelope received = codec.decode(Records.received(sent, 42));

        // Then
        assertThat(received).isEqualTo(event);
        assertThat(codec.payload(received, CommitPushed.class)).isEqualTo(payload);
        assertThat(received.schemaVersion()).isEqualTo(1);
    }

    @Test
    void anEventGoesToItsTypesTopicKeyedByHostWithEveryCloudEventsHeader() throws Exception {
        // Given
        EventEnvelope event = commitEvent();

        // When
        ProducerRecord<String, byte[]> sent = codec.encode(event);

        // Then
        assertThat(sent.topic()).isEqualTo(Topics.COMMITS);
        assertThat(sent.key()).isEqualTo("cloud-edge-1");
        assertThat(header(sent, "ce_specversion")).isEqualTo("1.0");
        assertThat(header(sent, "ce_id")).isEqualTo(event.id());
        assertThat(header(sent, "ce_source")).isEqualTo(SOURCE);
        assertThat(header(sent, "ce_type")).isEqualTo("handoff.commit.pushed");
        assertThat(header(sent, "ce_subject")).isEqualTo("cloud-edge-1");
        assertThat(OffsetDateTime.parse(header(sent, "ce_time"))).isEqualTo(event.time());
        assertThat(header(sent, "ce_dataschema")).isEqualTo("https://handoff.dev/schemas/commit.pushed/v1");
        assertThat(header(sent, "ce_deploymentid")).isEqualTo(DEPLOYMENT);
        assertThat(header(sent, "ce_causationid")).isEqualTo(CAUSATION);
        assertThat(header(sent, "content-type")).isEqualTo("application/json");
        assertThat(sent.headers().lastHeader("ce_replayof")).as("not a replay").isNull();
        assertThat(Json.mapper().readTree(sent.value())).isEqualTo(event.data());
    }

    @Test
    void aReplayedEventCarriesTheOriginalsIdInReplayofOnTheStagesReplayChannel() throws Exception {
        // Given
        EventEnvelope original = commitEvent();
        EventEnvelope replay = original.asReplay(
                "e7c1d2b4-5a6f-4c3e-8d9b-0a1f2e3d4c5b",
                "2a9f7c1e-3d4b-4e6a-9c8d-1b2f3e4a5d6c",
                OffsetDateTime.parse("2025-11-24T12:01:44Z"));

        // When
        ProducerRecord<String, byte[]> sent = codec.encode(Topics.replay(Stage.INFRA), replay);
        EventEnvelope received = codec.decode(Records.received(sent, 0));

        // Then
        assertThat(sent.topic()).isEqualTo("handoff.replay.infra");
        assertThat(header(sent, "ce_replayof")).isEqualTo(original.id());
        assertThat(received.replayOf()).isEqualTo(original.id());
        assertThat(received.id()).isNotEqualTo(original.id());
        assertThat(received.data()).isEqualTo(original.data());
    }

    @Test
    void ceTimeIsRfc3339WithSecondsEvenOnAFullMinute() throws Exception {
        // Given an event at exactly 09:00, where OffsetDateTime.toString() would drop the seconds
        EventEnvelope onTheMinute = withTime(commitEvent(), OffsetDateTime.parse("2025-11-24T09:00:00Z"));
        EventEnvelope withOffset = withTime(commitEvent(), OffsetDateTime.parse("2025-11-24T10:00:00.123456+01:00"));

        // When
        ProducerRecord<String, byte[]> first = codec.encode(onTheMinute);
        ProducerRecord<String, byte[]> second = codec.encode(withOffset);

        // Then
        assertThat(header(first, "ce_time")).isEqualTo("2025-11-24T09:00:00Z");
        assertThat(header(second, "ce_time")).isEqualTo("2025-11-24T10:00:00.123456+01:00");
        assertThat(codec.decode(Records.received(second, 1)).time()).isEqualTo(withOffset.time());
    }

    @Test
    void aRecordWithoutCeIdIsRefusedNamingTheHeader() throws Exception {
        // Given
        ConsumerRecord<String, byte[]> record = validRecord();
        record.headers().remove("ce_id");

        // When
        InvalidEventException refused = refused(record);

        // Then
        assertThat(refused.reason()).isEqualTo(Reason.MISSING_HEADER);
        assertThat(refused.reasonCode()).isEqualTo("missing-header");
        assertThat(refused).hasMessageContaining("ce_id");
    }

    @ParameterizedTest
    @ValueSource(strings = {"ce_id", "ce_deploymentid", "ce_causationid", "ce_replayof"})
    void aReceivedRecordWhoseIdIsNotAUuidIsRefusedNamingTheHeaderAndTheValue(String header) throws Exception {
        // Given: an id that would lead out of a folder if a service made a path of it
        ConsumerRecord<String, byte[]> record = withHeader(validRecord(), header, "../../state");

        // When
        InvalidEventException refused = refused(record);

        // Then
        assertThat(refused.reasonCode()).isEqualTo("bad-header");
        assertThat(refused).hasMessageContaining(header).hasMessageContaining("'../../state'");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "/var/lib/handoff/state",
                "d-1",
                "0c8e2f55-1b7d-4f7e-a3f4-62f0d9b1e5c2/..",
                "{0c8e2f55-1b7d-4f7e-a3f4-62f0d9b1e5c2}",
                "0c8e2f551b7d4f7ea3f462f0d9b1e5c2",
                " 0c8e2f55-1b7d-4f7e-a3f4-62f0d9b1e5c2",
                ""
            })
    void aReceivedDeploymentIdThatIsNotACanonicalUuidIsRefused(String value) throws Exception {
        // Given
        ConsumerRecord<String, byte[]> record = withHeader(validRecord(), "ce_deploymentid", value);

        // When
        InvalidEventException refused = refused(record);

        // Then
        assertThat(refused.reasonCode()).isEqualTo("bad-header");
        assertThat(refused).hasMessageContaining("ce_deploymentid");
    }

    @Test
    void anUpperCaseUuidIsAValidId() throws Exception {
        // Given
        String upper = DEPLOYMENT.toUpperCase(java.util.Locale.ROOT);
        ConsumerRecord<String, byte[]> record = withHeader(validRecord(), "ce_deploymentid", upper);

        // When
        EventEnvelope received = codec.decode(record);

        // Then
        assertThat(received.deploymentId()).isEqualTo(upper);
    }

    @Test
    void aRefusedIdIsShownTruncatedAndWithoutControlCharacters() throws Exception {
        // Given: a long value with a line break and an escape sequence, as someone forging log lines would send
        String value = "evil\n\u001b[31mFORGED" + "x".repeat(500);
        ConsumerRecord<String, byte[]> record = withHeader(validRecord(), "ce_id", value);

        // When
        InvalidEventException refused = refused(record);

        // Then
        assertThat(refused.getMessage())
                .contains("evil??[31mFORGED")
                .doesNotContain("\n")
                .doesNotContain("\u001b")
                .doesNotContain("x".repeat(100))
                .contains("(516 characters)");
    }

    @ParameterizedTest
    @ValueSource(strings = {"ce_type", "ce_specversion", "ce_time", "ce_dataschema"})
    void everyRefusedHeaderValueIsShownWithoutControlCharacters(String header) throws Exception {
        // Given: a header value that would forge a log line (found by the hostile-input suite)
        String value = "evil\n\u001b[31mFORGED";
        ConsumerRecord<String, byte[]> record = withHeader(validRecord(), header, value);

        // When
        InvalidEventException refused = refused(record);

        // Then the message names it, but cannot break the log line it goes into
        assertThat(refused.getMessage())
                .contains("evil??[31mFORGED")
                .doesNotContain("\n")
                .doesNotContain("\u001b");
    }

    @ParameterizedTest
    @ValueSource(strings = {"deploymentId", "causationId", "replayOf", "id"})
    void encodeRefusesAnIdThatIsNotAUuidSoNothingIsSent(String field) throws Exception {
        // Given
        EventEnvelope valid = commitEvent();
        String bad = "../../" + field;
        EventEnvelope event = new EventEnvelope(
                field.equals("id") ? bad : valid.id(),
                valid.source(),
                valid.type(),
                valid.subject(),
                valid.time(),
                valid.dataSchema(),
                field.equals("deploymentId") ? bad : valid.deploymentId(),
                field.equals("causationId") ? bad : valid.causationId(),
                field.equals("replayOf") ? bad : valid.replayOf(),
                valid.data());

        // When
        InvalidEventException refused = catchThrowableOfType(InvalidEventException.class, () -> codec.encode(event));

        // Then
        assertThat(refused).isNotNull();
        assertThat(refused.reasonCode()).isEqualTo("bad-header");
        assertThat(refused).hasMessageContaining("'" + bad + "'").hasMessageContaining("is not a UUID");
    }

    @Test
    void aRecordOfAnUnknownTypeIsRefused() throws Exception {
        // Given
        ConsumerRecord<String, byte[]> record = withHeader(validRecord(), "ce_type", "handoff.commit.deleted");

        // When
        InvalidEventException refused = refused(record);

        // Then
        assertThat(refused.reason()).isEqualTo(Reason.UNKNOWN_TYPE);
        assertThat(refused).hasMessageContaining("handoff.commit.deleted");
    }

    @Test
    void aRecordWhoseDataschemaBelongsToAnotherTypeIsRefused() throws Exception {
        // Given a commit.pushed that claims the cloud facts schema
        String other = EventType.CLOUD_FACTS_COMPLETED.dataSchema(1);
        ConsumerRecord<String, byte[]> record = withHeader(validRecord(), "ce_dataschema", other);

        // When
        InvalidEventException refused = refused(record);

        // Then
        assertThat(refused.reason()).isEqualTo(Reason.BAD_DATASCHEMA);
        assertThat(refused).hasMessageContaining(other).hasMessageContaining(EventType.COMMIT_PUSHED.dataSchema(1));
    }

    @Test
    void aRecordWhoseDataschemaHasNoVersionIsRefused() throws Exception {
        // Given
        ConsumerRecord<String, byte[]> record =
                withHeader(validRecord(), "ce_dataschema", "https://handoff.dev/schemas/commit.pushed");

        // When
        InvalidEventException refused = refused(record);

        // Then
        assertThat(refused.reason()).isEqualTo(Reason.BAD_DATASCHEMA);
    }

    @Test
    void aRecordOfAVersionThisBuildDoesNotKnowIsRefused() throws Exception {
        // Given
        ConsumerRecord<String, byte[]> record =
                withHeader(validRecord(), "ce_dataschema", EventType.COMMIT_PUSHED.dataSchema(9));

        // When
        InvalidEventException refused = refused(record);

        // Then
        assertThat(refused.reason()).isEqualTo(Reason.UNKNOWN_VERSION);
        assertThat(refused).hasMessageContaining("v9");
    }

    @Test
    void aRecordWhoseBodyIsNotJsonIsRefused() throws Exception {
        // Given
        ConsumerRecord<String, byte[]> record =
                withBody(validRecord(), "host=cloud-edge-1&after=HEAD".getBytes(StandardCharsets.UTF_8));

        // When
        InvalidEventException refused = refused(record);

        // Then
        assertThat(refused.reason()).isEqualTo(Reason.UNREADABLE_BODY);
        assertThat(refused).hasMessageContaining("not JSON");
    }

    @Test
    void aRecordWithAnEmptyBodyOrATombstoneIsRefused() throws Exception {
        // Given
        ConsumerRecord<String, byte[]> empty = withBody(validRecord(), new byte[0]);
        ConsumerRecord<String, byte[]> tombstone = withBody(validRecord(), null);

        // When
        InvalidEventException emptyRefused = refused(empty);
        InvalidEventException tombstoneRefused = refused(tombstone);

        // Then
        assertThat(emptyRefused.reason()).isEqualTo(Reason.UNREADABLE_BODY);
        assertThat(tombstoneRefused.reason()).isEqualTo(Reason.UNREADABLE_BODY);
        assertThat(tombstoneRefused).hasMessageContaining("tombstone");
    }

    @Test
    void aPayloadThatBreaksTheSchemaIsRefusedNamingTheFields() throws Exception {
        // Given a body whose "after" is not a commit id and whose "stage" is unknown
        ObjectNode body = (ObjectNode) commitEvent().data().deepCopy();
        body.put("after", "HEAD");
        body.put("stage", "deploy");
        ConsumerRecord<String, byte[]> record =
                withBody(validRecord(), Json.mapper().writeValueAsBytes(body));

        // When
        InvalidEventException refused = refused(record);

        // Then
        assertThat(refused.reason()).isEqualTo(Reason.SCHEMA_VIOLATION);
        assertThat(refused.reasonCode()).isEqualTo("schema-violation");
        assertThat(refused).hasMessageContaining("$.after").hasMessageContaining("$.stage");
    }

    @Test
    void aPayloadWithoutARequiredFieldIsRefusedNamingIt() throws Exception {
        // Given
        ObjectNode body = (ObjectNode) commitEvent().data().deepCopy();
        body.remove("deliveryId");
        ConsumerRecord<String, byte[]> record =
                withBody(validRecord(), Json.mapper().writeValueAsBytes(body));

        // When
        InvalidEventException refused = refused(record);

        // Then
        assertThat(refused.reason()).isEqualTo(Reason.SCHEMA_VIOLATION);
        assertThat(refused).hasMessageContaining("deliveryId");
    }

    @Test
    void aRecordOfAnotherCloudEventsVersionIsRefused() throws Exception {
        // Given
        ConsumerRecord<String, byte[]> record = withHeader(validRecord(), "ce_specversion", "0.3");

        // When
        InvalidEventException refused = refused(record);

        // Then
        assertThat(refused.reason()).isEqualTo(Reason.UNSUPPORTED_SPEC_VERSION);
        assertThat(refused).hasMessageContaining("0.3");
    }

    @Test
    void aRecordWithAnUnreadableCeTimeIsRefusedNamingTheHeader() throws Exception {
        // Given
        ConsumerRecord<String, byte[]> record = withHeader(validRecord(), "ce_time", "yesterday");

        // When
        InvalidEventException refused = refused(record);

        // Then
        assertThat(refused.reasonCode()).isEqualTo("bad-header");
        assertThat(refused).hasMessageContaining("ce_time").hasMessageContaining("yesterday");
    }

    @Test
    void encodeRefusesAnInvalidPayloadAndNamesTheField() throws Exception {
        // Given a commit whose host is not a DNS label and whose head commit id is abbreviated
        CommitPushed good = commit();
        CommitPushed bad = new CommitPushed(
                "Cloud_Edge_1",
                good.repository(),
                good.ref(),
                good.branch(),
                good.before(),
                good.after(),
                good.stage(),
                good.cloneUrl(),
                good.compareUrl(),
                good.pusher(),
                good.deliveryId(),
                good.commitCount(),
                new CommitPushed.HeadCommit(
                        "3f1c2a9",
                        good.headCommit().message(),
                        good.headCommit().timestamp(),
                        good.headCommit().authorName(),
                        good.headCommit().authorEmail(),
                        good.headCommit().added(),
                        good.headCommit().modified(),
                        good.headCommit().removed()));
        EventEnvelope event = codec.newEvent(EventType.COMMIT_PUSHED, SOURCE, "cloud-edge-1", DEPLOYMENT, null, bad);

        // When
        InvalidEventException refused = catchThrowableOfType(InvalidEventException.class, () -> codec.encode(event));

        // Then
        assertThat(refused).isNotNull();
        assertThat(refused.reason()).isEqualTo(Reason.SCHEMA_VIOLATION);
        assertThat(refused).hasMessageContaining("$.host").hasMessageContaining("$.headCommit.id");
    }

    @Test
    void encodeChecksFormatsSuchAsIpAddresses() throws Exception {
        // Given cloud facts with a private IP that is not an IPv4 address
        CloudFacts good = Json.mapper()
                .treeToValue(Samples.read("/samples/cloud-facts.completed/v1/with-plan.json"), CloudFacts.class);
        CloudFacts bad = new CloudFacts(
                good.host(),
                good.provider(),
                good.region(),
                good.instanceId(),
                "10.0.1.300",
                good.publicIp(),
                good.subnetId(),
                good.volumes(),
                good.plan(),
                good.observedAt());
        EventEnvelope event = codec.newEvent(
                EventType.CLOUD_FACTS_COMPLETED, "/handoff/infra-service", "cloud-edge-1", null, null, bad);

        // When
        InvalidEventException refused = catchThrowableOfType(InvalidEventException.class, () -> codec.encode(event));

        // Then
        assertThat(refused).isNotNull();
        assertThat(refused).hasMessageContaining("$.privateIp");
    }

    @Test
    void aPayloadOfTheWrongRecordIsRefusedBeforeItBecomesAnEvent() {
        // Given
        StageStarted started = new StageStarted("cloud-edge-1", "infra", "handoff.commit.pushed", null, null);

        // When / Then
        assertThatThrownBy(() ->
                        codec.newEvent(EventType.COMMIT_PUSHED, SOURCE, "cloud-edge-1", DEPLOYMENT, null, started))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("CommitPushed")
                .hasMessageContaining("StageStarted");
    }

    private InvalidEventException refused(ConsumerRecord<String, byte[]> record) {
        InvalidEventException refused = catchThrowableOfType(InvalidEventException.class, () -> codec.decode(record));
        assertThat(refused).as("decode must refuse the record").isNotNull();
        return refused;
    }

    private static String header(ProducerRecord<String, byte[]> record, String name) {
        Header h = record.headers().lastHeader(name);
        assertThat(h).as("header " + name).isNotNull();
        return new String(h.value(), StandardCharsets.UTF_8);
    }

    private static EventEnvelope withTime(EventEnvelope e, OffsetDateTime time) {
        return new EventEnvelope(
                e.id(),
                e.source(),
                e.type(),
                e.subject(),
                time,
                e.dataSchema(),
                e.deploymentId(),
                e.causationId(),
                e.replayOf(),
                e.data());
    }

    @Test
    void aRecordOnAnotherTypesTopicIsRefused() throws Exception {
        // Given: a commit event written to the convergence topic
        ConsumerRecord<String, byte[]> valid = validRecord();
        ConsumerRecord<String, byte[]> misplaced = Records.received(
                "handoff.convergence",
                valid.key(),
                valid.value(),
                new RecordHeaders(valid.headers().toArray()),
                valid.offset());

        // When
        InvalidEventException refused = refused(misplaced);

        // Then
        assertThat(refused.reasonCode()).isEqualTo("wrong-topic");
        assertThat(refused).hasMessageContaining("belongs on handoff.commits");
    }

    @Test
    void aReplayChannelMayCarryAnyTypeOfEvent() throws Exception {
        ConsumerRecord<String, byte[]> valid = validRecord();
        ConsumerRecord<String, byte[]> replayed = Records.received(
                "handoff.replay.infra",
                valid.key(),
                valid.value(),
                new RecordHeaders(valid.headers().toArray()),
                valid.offset());

        assertThat(codec.decode(replayed).type()).isEqualTo("handoff.commit.pushed");
    }

    @Test
    void aRecordWhoseKeyIsNotItsHostIsRefused() throws Exception {
        ConsumerRecord<String, byte[]> valid = validRecord();
        ConsumerRecord<String, byte[]> wrongKey = Records.received(
                valid.topic(),
                "forgejo-pi",
                valid.value(),
                new RecordHeaders(valid.headers().toArray()),
                0);

        InvalidEventException refused = refused(wrongKey);

        assertThat(refused.reasonCode()).isEqualTo("wrong-key");
        assertThat(refused).hasMessageContaining("'forgejo-pi'").hasMessageContaining("'cloud-edge-1'");
    }

    private static ConsumerRecord<String, byte[]> withHeader(
            ConsumerRecord<String, byte[]> record, String name, String value) {
        RecordHeaders headers = new RecordHeaders(Arrays.stream(record.headers().toArray())
                .filter(h -> !h.key().equals(name))
                .toArray(Header[]::new));
        headers.add(name, value.getBytes(StandardCharsets.UTF_8));
        return Records.received(record.topic(), record.key(), record.value(), headers, record.offset());
    }

    private static ConsumerRecord<String, byte[]> withBody(ConsumerRecord<String, byte[]> record, byte[] body) {
        return Records.received(
                record.topic(),
                record.key(),
                body,
                new RecordHeaders(record.headers().toArray()),
                record.offset());
    }
}
