package dev.handoff.control.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.handoff.common.event.EventEnvelope;
import dev.handoff.common.event.EventType;
import dev.handoff.common.event.Topics;
import dev.handoff.common.event.v1.CommitPushed;
import dev.handoff.common.event.v1.StageFailed;
import dev.handoff.common.event.v1.StageStarted;
import dev.handoff.common.messaging.ReceivedEvent;
import dev.handoff.common.serde.EventCodec;
import dev.handoff.common.serde.Json;
import dev.handoff.lab.KafkaTestResource;
import dev.handoff.lab.PostgresTestResource;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(PostgresTestResource.class)
class LedgerStoreTest {
    private static final String TRICKY_MESSAGE = "line one\nline\ttwo\r\\ back \\N slash \"quoted\" – ünïcode";

    private final EventCodec codec = new EventCodec();

    @Inject
    LedgerStore store;

    @Inject
    AgroalDataSource dataSource;

    @Test
    void aLargeBatchIsStoredWholeAndItsRedeliveryChangesNothing() throws Exception {
        // Given a batch large enough to be copied
        storesWholeAndOnce(LedgerStore.COPY_FROM_ROWS);
    }

    @Test
    void aSmallBatchIsStoredWholeAndItsRedeliveryChangesNothing() throws Exception {
        // Given a batch of a few events, written with the projection in one command
        storesWholeAndOnce(2);
    }

    @Test
    void aLargeBatchPartlyStoredBeforeStoresOnlyItsNewEvents() throws Exception {
        // Given a large batch whose first half the ledger already holds (redelivered after a rebalance)
        List<ReceivedEvent> batch = new ArrayList<>();
        for (int i = 0; i < LedgerStore.COPY_FROM_ROWS; i++) {
            EventEnvelope started = codec.newEvent(
                    EventType.CONVERGENCE_STARTED,
                    "/handoff/test",
                    "cloud-edge-1",
                    UUID.randomUUID().toString(),
                    null,
                    new StageStarted("cloud-edge-1", "converge", "handoff.secret-facts.completed", null, null));
            batch.add(new ReceivedEvent(started, Topics.CONVERGENCE, 0, i, 0L));
        }
        int half = LedgerStore.COPY_FROM_ROWS / 2;
        assertThat(store.store(batch.subList(0, half))).isEqualTo(half);

        // When the whole batch arrives
        int stored = store.store(batch);

        // Then only the new half is stored, and every event is there once
        assertThat(stored).isEqualTo(LedgerStore.COPY_FROM_ROWS - half);
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("select count(*) from event where id = any(?)")) {
            ps.setArray(
                    1,
                    c.createArrayOf(
                            "text", batch.stream().map(r -> r.event().id()).toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                assertThat(rs.getInt(1)).isEqualTo(LedgerStore.COPY_FROM_ROWS);
            }
        }
    }

    @Test
    void aDeploymentFirstStoredFromALaterStageTakesThePushedCommitOnceThePushArrives() throws Exception {
        // Given an infra deployment whose secrets stage's start the ledger stored before the push (it names the
        // secrets repository and its head; a ledger catching up reads the topics in any order, #18)
        String deployment = UUID.randomUUID().toString();
        String pushedCommit = "a".repeat(40);
        store.store(List.of(new ReceivedEvent(secretsStarted(deployment), Topics.SECRET_FACTS, 0, 0, 0L)));

        // When the push arrives in a later batch, and then another event of the deployment
        EventEnvelope pushed = codec.newEvent(
                EventType.COMMIT_PUSHED,
                "/handoff/control-service",
                "cloud-edge-1",
                deployment,
                null,
                new CommitPushed(
                        "cloud-edge-1",
                        "ops/edge-cluster-infra",
                        "refs/heads/main",
                        "main",
                        "0".repeat(40),
                        pushedCommit,
                        "infra",
                        "https://forge.test/ops/edge-cluster-infra.git",
                        null,
                        "alice",
                        UUID.randomUUID().toString(),
                        1,
                        null));
        store.store(List.of(new ReceivedEvent(pushed, Topics.COMMITS, 0, 0, 0L)));
        store.store(List.of(new ReceivedEvent(secretsStarted(deployment), Topics.SECRET_FACTS, 0, 1, 0L)));

        // Then the deployment is the push's, as when the push came first
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps =
                        c.prepareStatement("select repository, commit_sha, first_stage from deployment where id = ?")) {
            ps.setString(1, deployment);
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("ops/edge-cluster-infra");
                assertThat(rs.getString(2)).isEqualTo(pushedCommit);
                assertThat(rs.getString(3)).isEqualTo("infra");
            }
        }
    }

    private EventEnvelope secretsStarted(String deployment) {
        return codec.newEvent(
                EventType.SECRET_FACTS_STARTED,
                "/handoff/secrets-service",
                "cloud-edge-1",
                deployment,
                null,
                new StageStarted(
                        "cloud-edge-1",
                        "secrets",
                        "handoff.cloud-facts.completed",
                        "ops/infrastructure-secrets",
                        "b".repeat(40)));
    }

    private void storesWholeAndOnce(int deployments) throws Exception {
        // each deployment started then failed with a message holding every character the COPY text format escapes
        List<String> ids = new ArrayList<>();
        List<ReceivedEvent> batch = new ArrayList<>();
        long offset = 0;
        for (int i = 0; i < deployments; i++) {
            String deployment = UUID.randomUUID().toString();
            ids.add(deployment);
            EventEnvelope started = codec.newEvent(
                    EventType.CONVERGENCE_STARTED,
                    "/handoff/test",
                    "cloud-edge-1",
                    deployment,
                    null,
                    new StageStarted("cloud-edge-1", "converge", "handoff.secret-facts.completed", null, null));
            EventEnvelope failed = codec.newEvent(
                    EventType.CONVERGENCE_FAILED,
                    "/handoff/test",
                    "cloud-edge-1",
                    deployment,
                    started.id(),
                    new StageFailed("cloud-edge-1", "converge", "timeout", TRICKY_MESSAGE, true, List.of()));
            batch.add(new ReceivedEvent(started, Topics.CONVERGENCE, 0, offset++, 0L));
            batch.add(new ReceivedEvent(failed, Topics.CONVERGENCE, 0, offset++, 0L));
        }

        // When
        int first = store.store(batch);
        Map<String, String> projection = projection(ids);
        List<JsonNode> payloads = payloads(ids);
        int again = store.store(batch);

        // Then: every event once, payloads intact, the same projection after the redelivery
        assertThat(first).isEqualTo(2 * deployments);
        assertThat(again).isZero();
        assertThat(payloads).hasSize(2 * deployments);
        assertThat(payloads)
                .filteredOn(p -> p.has("message"))
                .hasSize(deployments)
                .allSatisfy(p -> assertThat(p.path("message").asText()).isEqualTo(TRICKY_MESSAGE));
        assertThat(projection)
                .hasSize(deployments)
                .allSatisfy((id, row) -> assertThat(row).isEqualTo("failed converge failed"));
        assertThat(projection(ids)).isEqualTo(projection);
        assertThat(payloads(ids)).isEqualTo(payloads);
    }

    @Test
    void aRowOfTheCopyTextFormatEscapesWhatWouldEndAColumnOrARow() {
        // Given / When
        String written = CopyText.value(new StringBuilder(), "a\tb\nc\rd\\e").toString();

        // Then
        assertThat(written).isEqualTo("a\\tb\\nc\\rd\\\\e");
        assertThat(CopyText.value(new StringBuilder(), null).toString()).isEqualTo("\\N");
    }

    private Map<String, String> projection(List<String> ids) throws Exception {
        Map<String, String> rows = new LinkedHashMap<>();
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("select d.id, d.status, s.stage, s.status"
                        + " from deployment d join deployment_stage s on s.deployment_id = d.id"
                        + " where d.id = any (?) order by d.id")) {
            ps.setArray(1, c.createArrayOf("text", ids.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.put(rs.getString(1), rs.getString(2) + " " + rs.getString(3) + " " + rs.getString(4));
                }
            }
        }
        return rows;
    }

    private List<JsonNode> payloads(List<String> ids) throws Exception {
        List<JsonNode> payloads = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps =
                        c.prepareStatement("select data::text from event where deployment_id = any (?) order by id")) {
            ps.setArray(1, c.createArrayOf("text", ids.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    payloads.add(Json.mapper().readTree(rs.getString(1)));
                }
            }
        }
        return payloads;
    }
}
