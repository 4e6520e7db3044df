package dev.handoff.converge.stage;

import dev.handoff.common.event.Stage;
import dev.handoff.common.event.v1.CommitPushed;
import dev.handoff.common.inventory.Inventory;
import dev.handoff.common.inventory.PushScope;
import java.util.List;
import java.util.Optional;

/** Which convergences a trigger asks for: a push to a runtime repository, or new secret facts of a host. */
public final class Triggers {
    private Triggers() {}

    /**
     * A push converges its host if handoff.yaml lets it ({@link PushScope}): the repository starts at converge and the
     * host uses it. The checkout comes from the inventory's URL and branch, never the event's.
     */
    public static List<ConvergeWork> forPush(CommitPushed push, String host, Inventory inventory) {
        PushScope.Verdict scope = PushScope.judge(push, host, Stage.CONVERGE, inventory);
        if (scope.repository().isEmpty()) {
            return List.of();
        }
        Inventory.Repository repository = scope.repository().get();
        return List.of(new ConvergeWork(
                host, repository.name(), repository.url(), repository.branch(), Optional.of(push.after())));
    }

    /** New secret facts converge the host from the head of its runtime repository's branch. */
    public static List<ConvergeWork> forSecretFacts(String hostName, Inventory inventory) {
        Inventory.Host host = inventory.hosts().get(hostName);
        if (host == null) {
            return List.of();
        }
        return host.repositories().stream()
                .map(inventory::repository)
                .flatMap(Optional::stream)
                .filter(r -> r.starts() == Stage.CONVERGE)
                .limit(1)
                .map(r -> new ConvergeWork(hostName, r.name(), r.url(), r.branch(), Optional.empty()))
                .toList();
    }
}
