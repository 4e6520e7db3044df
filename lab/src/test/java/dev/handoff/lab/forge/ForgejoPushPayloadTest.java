package dev.handoff.lab.forge;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.handoff.common.event.Stage;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.List;
import org.junit.jupiter.api.Test;

class ForgejoPushPayloadTest {
    private static final LabRepository INFRA = new LabRepository("ops", "edge-cluster-infra", Stage.INFRA);
    private static final PushedCommit NEWER = new PushedCommit(
            "b".repeat(40),
            "Grow the data volume\n",
            new PushedCommit.Person("Ada", "ada@example.org"),
            new PushedCommit.Person("Ada", "ada@example.org"),
            OffsetDateTime.parse("2025-05-01T10:00:00+02:00"),
            List.of("stacks/dns/main.tf"),
            List.of("old.tf"),
            List.of("stacks/compute/main.tf"));
    private static final PushedCommit OLDER = new PushedCommit(
            "a".repeat(40),
            "Notes",
            new PushedCommit.Person("Ada", "ada@example.org"),
            new PushedCommit.Person("Bob", "bob@example.org"),
            OffsetDateTime.parse("2025-05-01T09:00:00Z"),
            List.of("NOTES.md"),
            List.of(),
            List.of());
    private static final ForgePush PUSH = new ForgePush(
            INFRA,
            "file:///lab/forge/ops/edge-cluster-infra.git",
            "refs/heads/main",
            "c".repeat(40),
            "b".repeat(40),
            List.of(NEWER, OLDER));
    private static final ForgeUser PUSHER = new ForgeUser(2, "operator", "Lab Operator", "operator@lab");

    @Test
    void payloadHasEveryFieldOfAForgejoPush() throws Exception {
        // When
        JsonNode json = new ObjectMapper().readTree(ForgejoPushPayload.json(PUSH, 1, PUSHER));

        // Then
        assertThat(json.get("ref").asText()).isEqualTo("refs/heads/main");
        assertThat(json.get("before").asText()).isEqualTo("c".repeat(40));
        assertThat(json.get("after").asText()).isEqualTo("b".repeat(40));
        assertThat(json.get("compare_url").asText())
                .isEqualTo("http://forge.lab.localhost/ops/edge-cluster-infra/compare/" + "c".repeat(40) + "..."
                        + "b".repeat(40));
        assertThat(json.get("total_commits").asInt()).isEqualTo(2);
        assertThat(json.get("commits")).hasSize(2);
        JsonNode first = json.get("commits").get(0);
        assertThat(first.get("id").asText()).isEqualTo("b".repeat(40));
        assertThat(first.get("message").asText()).isEqualTo("Grow the data volume\n");
        assertThat(first.get("url").asText())
                .isEqualTo("http://forge.lab.localhost/ops/edge-cluster-infra/commit/" + "b".repeat(40));
        assertThat(first.get("author").get("name").asText()).isEqualTo("Ada");
        assertThat(first.get("author").get("email").asText()).isEqualTo("ada@example.org");
        assertThat(first.get("author").has("username")).isTrue();
        assertThat(first.get("committer").get("name").asText()).isEqualTo("Ada");
        assertThat(first.get("committer").has("email")).isTrue();
        assertThat(first.get("committer").has("username")).isTrue();
        assertThat(first.get("timestamp").asText()).isEqualTo("2025-05-01T10:00:00+02:00");
        assertThat(first.get("added")).extracting(JsonNode::asText).containsExactly("stacks/dns/main.tf");
        assertThat(first.get("removed")).extracting(JsonNode::asText).containsExactly("old.tf");
        assertThat(first.get("modified")).extracting(JsonNode::asText).containsExactly("stacks/compute/main.tf");
        JsonNode second = json.get("commits").get(1);
        assertThat(second.get("committer").get("name").asText()).isEqualTo("Bob");
        assertThat(second.get("timestamp").asText()).isEqualTo("2025-05-01T09:00:00Z");
        assertThat(second.get("removed").isArray()).isTrue();
        assertThat(json.get("head_commit")).isEqualTo(first);

        JsonNode repository = json.get("repository");
        assertThat(repository.get("id").asLong()).isEqualTo(1);
        assertThat(repository.get("owner").get("login").asText()).isEqualTo("ops");
        assertThat(repository.get("name").asText()).isEqualTo("edge-cluster-infra");
        assertThat(repository.get("full_name").asText()).isEqualTo("ops/edge-cluster-infra");
        assertThat(repository.get("html_url").asText()).isEqualTo("http://forge.lab.localhost/ops/edge-cluster-infra");
        assertThat(repository.get("clone_url").asText())
                .as("Forgejo's public clone URL, not the forge's file URL the inventory names")
                .isEqualTo("http://forge.lab.localhost/ops/edge-cluster-infra.git");
        assertThat(repository.get("ssh_url").asText()).isEqualTo("git@forge.lab.localhost:ops/edge-cluster-infra.git");
        assertThat(repository.get("default_branch").asText()).isEqualTo("main");
        assertThat(repository.get("private").isBoolean()).isTrue();
        for (String user : List.of("pusher", "sender")) {
            assertThat(json.get(user).get("id").asLong()).isEqualTo(2);
            assertThat(json.get(user).get("login").asText()).isEqualTo("operator");
            assertThat(json.get(user).get("username").asText()).isEqualTo("operator");
            assertThat(json.get(user).get("email").asText()).isEqualTo("operator@lab");
        }
    }

    @Test
    void payloadIsIndentedLikeForgejosGoEncoder() {
        // When
        String text = new String(ForgejoPushPayload.json(PUSH, 1, PUSHER), StandardCharsets.UTF_8);

        // Then
        assertThat(text).startsWith("{\n  \"ref\": \"refs/heads/main\",\n  \"before\": ");
        assertThat(text).contains("\n      \"removed\": [],\n");
        assertThat(text).contains("\"added\": [\n        \"stacks/dns/main.tf\"\n      ]");
    }

    @Test
    void pushWithoutCommitsHasNoHeadCommit() throws Exception {
        // Given
        ForgePush empty =
                new ForgePush(INFRA, "file:///x.git", "refs/heads/main", "a".repeat(40), "a".repeat(40), List.of());

        // When
        JsonNode json = new ObjectMapper().readTree(ForgejoPushPayload.json(empty, 1, PUSHER));

        // Then
        assertThat(json.get("total_commits").asInt()).isZero();
        assertThat(json.get("commits")).isEmpty();
        assertThat(json.get("head_commit").isNull()).isTrue();
    }
}
