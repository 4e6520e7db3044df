package dev.handoff.secrets.stage;

import dev.handoff.common.event.EventType;
import dev.handoff.common.event.Stage;
import dev.handoff.common.event.v1.CommitPushed;
import dev.handoff.common.inventory.Inventory;
import java.util.List;
import java.util.Optional;

/**
 * Which checks an event asks for: a {@code commit.pushed} of a repository that starts at the secrets stage checks
 * that host at the pushed commit; a {@code cloud-facts.completed} checks the host at the newest commit of each of its
 * secrets repositories. Everything else asks for nothing.
 */
public final class Triggers {
    private static final String ZERO_COMMIT = "0000000000000000000000000000000000000000";

    private Triggers() {}

    /** The checks for a commit push ({@code payload} of a {@code commit.pushed} event). */
    public static List<Work> forPush(CommitPushed push, Inventory inventory) {
        if (!Stage.SECRETS.id().equals(push.stage())
                || push.after() == null
                || push.after().equals(ZERO_COMMIT)) {
            return List.of();
        }
        Optional<Inventory.Repository> repository = inventory.repository(push.repository());
        Inventory.Host host = inventory.hosts().get(push.host());
        if (repository.isEmpty()
                || repository.get().starts() != Stage.SECRETS
                || host == null
                || !host.repositories().contains(push.repository())) {
            return List.of();
        }
        // the inventory, not the webhook body, says where a repository lives
        String cloneUrl = repository.get().url();
        return List.of(new Work(
                host.name(), push.repository(), cloneUrl, repository.get().branch(), Optional.of(push.after())));
    }

    /** The checks for new cloud facts of {@code host}. */
    public static List<Work> forCloudFacts(String host, Inventory inventory) {
        Inventory.Host h = inventory.hosts().get(host);
        if (h == null) {
            return List.of();
        }
        return h.repositories().stream()
                .map(inventory::repository)
                .flatMap(Optional::stream)
                .filter(r -> r.starts() == Stage.SECRETS)
                .map(r -> new Work(host, r.name(), r.url(), r.branch(), Optional.<String>empty()))
                .toList();
    }

    /** Whether the stage reacts to events of this CloudEvents type at all. */
    public static boolean reactsTo(String ceType) {
        return EventType.COMMIT_PUSHED.type().equals(ceType)
                || EventType.CLOUD_FACTS_COMPLETED.type().equals(ceType);
    }
}
