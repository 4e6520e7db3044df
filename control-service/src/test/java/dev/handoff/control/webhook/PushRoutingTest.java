package dev.handoff.control.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import dev.handoff.common.event.EventEnvelope;
import dev.handoff.common.event.v1.CommitPushed;
import dev.handoff.common.inventory.Inventory;
import dev.handoff.common.inventory.InventoryLoader;
import dev.handoff.common.serde.EventCodec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class PushRoutingTest {
    static final String AFTER = "0123456789abcdef0123456789abcdef01234567";
    private final Inventory inventory = InventoryLoader.load(Path.of("src/test/resources/handoff.yaml"));
    private final EventCodec codec = new EventCodec();
    private final PushRouting routing = new PushRouting(inventory, codec, "/handoff/control-service");

    static ForgejoPush push(String repository, String ref, String after) throws Exception {
        String json = """
                {"ref":"%s","before":"%s","after":"%s","repository":{"full_name":"%s",
                 "clone_url":"https://forge.test/%s.git"},"pusher":{"login":"alice"},"total_commits":1,
                 "head_commit":{"id":"%s","message":"change","timestamp":"2026-11-25T10:00:00+01:00",
                 "author":{"name":"Alice","email":"alice@example.org"},"added":["a.tf"],"modified":[],"removed":[]}}
                """.formatted(ref, "f".repeat(40), after, repository, repository, after);
        return ForgejoPush.parse(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aPushDeploysEveryHostThatUsesTheRepository() throws Exception {
        // When
        var decision = routing.route(push("ops/infrastructure-secrets", "refs/heads/main", AFTER), "d-1");

        // Then
        assertThat(decision).isInstanceOf(PushRouting.Deploy.class);
        var events = ((PushRouting.Deploy) decision).events();
        assertThat(events).extracting(EventEnvelope::subject).containsExactly("cloud-edge-1", "forgejo-pi");
        assertThat(events).extracting(EventEnvelope::deploymentId).doesNotHaveDuplicates();
        CommitPushed payload = codec.payload(events.get(0), CommitPushed.class);
        assertThat(payload.after()).isEqualTo(AFTER);
        assertThat(payload.stage()).isEqualTo("secrets");
        assertThat(payload.deliveryId()).isEqualTo("d-1");
        assertThat(payload.headCommit().authorName()).isEqualTo("Alice");
    }

    @Test
    void theSameCommitYieldsTheSameIdsWhateverTheDelivery() throws Exception {
        var first = (PushRouting.Deploy) routing.route(push("ops/edge-cluster-infra", "refs/heads/main", AFTER), "d-2");
        var again = (PushRouting.Deploy) routing.route(push("ops/edge-cluster-infra", "refs/heads/main", AFTER), "d-2");
        var resent =
                (PushRouting.Deploy) routing.route(push("ops/edge-cluster-infra", "refs/heads/main", AFTER), "d-3");
        var next = (PushRouting.Deploy)
                routing.route(push("ops/edge-cluster-infra", "refs/heads/main", "b".repeat(40)), "d-4");

        assertThat(again.events().get(0).id()).isEqualTo(first.events().get(0).id());
        assertThat(resent.events().get(0).id()).isEqualTo(first.events().get(0).id());
        assertThat(resent.events().get(0).deploymentId())
                .isEqualTo(first.events().get(0).deploymentId())
                .isEqualTo(PushRouting.deploymentId("ops/edge-cluster-infra", AFTER, "cloud-edge-1"));
        assertThat(next.events().get(0).deploymentId())
                .isNotEqualTo(first.events().get(0).deploymentId());
    }

    @Test
    void tagsDeletionsUnknownRepositoriesOtherBranchesAndUnusedRepositoriesDeployNothing() throws Exception {
        assertThat(routing.route(push("ops/edge-cluster-infra", "refs/tags/v1", AFTER), "d"))
                .isEqualTo(new PushRouting.Ignore(
                        "not-a-branch",
                        "ref refs/tags/v1 is not a branch (tag pushes do not deploy); nothing published"));
        assertThat(routing.route(push("ops/edge-cluster-infra", "refs/heads/main", "0".repeat(40)), "d"))
                .extracting(d -> ((PushRouting.Ignore) d).reason())
                .isEqualTo("branch-deleted");
        assertThat(routing.route(push("ops/elsewhere", "refs/heads/main", AFTER), "d"))
                .extracting(d -> ((PushRouting.Ignore) d).reason())
                .isEqualTo("unknown-repository");
        assertThat(routing.route(push("ops/edge-cluster-infra", "refs/heads/feature", AFTER), "d"))
                .extracting(d -> ((PushRouting.Ignore) d).message())
                .isEqualTo("branch feature of ops/edge-cluster-infra does not deploy; handoff.yaml deploys main");
        assertThat(routing.route(push("ops/unused", "refs/heads/main", AFTER), "d"))
                .extracting(d -> ((PushRouting.Ignore) d).reason())
                .isEqualTo("no-host");
    }
}
