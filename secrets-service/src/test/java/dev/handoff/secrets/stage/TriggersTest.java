package dev.handoff.secrets.stage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.handoff.common.event.v1.CommitPushed;
import dev.handoff.common.inventory.Inventory;
import dev.handoff.common.inventory.InventoryLoader;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Which events make the stage check which host, at which commit. */
class TriggersTest {
    private static final Inventory INVENTORY = InventoryLoader.parse("test", """
            repositories:
              ops/infra:   { url: file:///forge/ops/infra.git, branch: main, starts: infra }
              ops/secrets: { url: file:///forge/ops/secrets.git, branch: trunk, starts: secrets }
            hosts:
              edge:
                role: edge
                repositories: [ops/infra, ops/secrets]
                access: { steady: { user: root, address: edge.lan } }
              other:
                role: edge
                repositories: [ops/infra]
                access: { steady: { user: root, address: other.lan } }
            """);
    private static final String SHA = "0123456789abcdef0123456789abcdef01234567";

    private static CommitPushed push(String host, String repository, String stage, String after) {
        return new CommitPushed(
                host,
                repository,
                "refs/heads/trunk",
                "trunk",
                SHA,
                after,
                stage,
                "file:///elsewhere.git",
                null,
                "me",
                "d",
                1,
                null);
    }

    @Test
    void pushOfTheSecretsRepositoryChecksThatHostAtThePushedCommitFromTheInventoryUrl() {
        // When / Then
        assertThat(Triggers.forPush(push("edge", "ops/secrets", "secrets", SHA), INVENTORY))
                .containsExactly(
                        new Work("edge", "ops/secrets", "file:///forge/ops/secrets.git", "trunk", Optional.of(SHA)));
    }

    @Test
    void pushesOfOtherStagesDeletionsAndUnknownHostsAskForNothing() {
        assertThat(Triggers.forPush(push("edge", "ops/infra", "infra", SHA), INVENTORY))
                .isEmpty();
        assertThat(Triggers.forPush(push("edge", "ops/secrets", "secrets", "0".repeat(40)), INVENTORY))
                .isEmpty();
        assertThat(Triggers.forPush(push("ghost", "ops/secrets", "secrets", SHA), INVENTORY))
                .isEmpty();
        assertThat(Triggers.forPush(push("other", "ops/secrets", "secrets", SHA), INVENTORY))
                .isEmpty();
    }

    @Test
    void cloudFactsCheckTheNewestCommitOfEachSecretsRepositoryOfTheHost() {
        assertThat(Triggers.forCloudFacts("edge", INVENTORY))
                .containsExactly(
                        new Work("edge", "ops/secrets", "file:///forge/ops/secrets.git", "trunk", Optional.empty()));
        assertThat(Triggers.forCloudFacts("other", INVENTORY)).isEmpty();
        assertThat(Triggers.reactsTo("handoff.cloud-facts.failed")).isFalse();
    }
}
