package dev.handoff.control.fleet;

import dev.handoff.common.inventory.Inventory;
import dev.handoff.control.ledger.FleetQueries;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Builds the fleet view: each host of handoff.yaml, its repositories' heads in Git against what the ledger says. */
@ApplicationScoped
public class Fleet {
    private final Inventory inventory;
    private final FleetQueries ledger;
    private final GitHeads heads;

    public Fleet(Inventory inventory, FleetQueries ledger, GitHeads heads) {
        this.inventory = inventory;
        this.ledger = ledger;
        this.heads = heads;
    }

    /** The states a host can be in, worst first. */
    public static final List<String> STATES = List.of("drifted", "behind", "deploying", "unknown", "in-sync");

    /** One host, or empty when handoff.yaml has none of that name. */
    public Optional<HostView> host(String name) throws SQLException {
        Inventory.Host host = inventory.hosts().get(name);
        if (host == null) {
            return Optional.empty();
        }
        List<HostView.RepositoryState> repositories = repositories(host);
        Optional<FleetQueries.Drift> drift = ledger.drift(name);
        return Optional.of(new HostView(
                name,
                host.role().name().toLowerCase(java.util.Locale.ROOT),
                hostState(repositories, drift.isPresent()),
                repositories,
                ledger.lastCompleted(name),
                drift.orElse(null),
                ledger.backups(name)));
    }

    /** Each repository of {@code host} (a host of handoff.yaml): its head in Git against what the host runs. */
    public List<HostView.RepositoryState> repositories(Inventory.Host host) throws SQLException {
        Map<String, List<FleetQueries.RepositoryRun>> runs = ledger.repositories(host.name(), host.repositories());
        List<HostView.RepositoryState> repositories = new ArrayList<>();
        for (String repositoryName : host.repositories()) {
            Inventory.Repository repository =
                    inventory.repository(repositoryName).orElse(null);
            if (repository == null) {
                continue;
            }
            List<FleetQueries.RepositoryRun> r = runs.get(repositoryName);
            repositories.add(state(repository, heads.recent(repository), r.get(0), r.get(1)));
        }
        return repositories;
    }

    static HostView.RepositoryState state(
            Inventory.Repository repository,
            GitHeads.Head head,
            FleetQueries.RepositoryRun deployed,
            FleetQueries.RepositoryRun running) {
        String state;
        if (head.commit() == null) {
            state = "unknown";
        } else if (deployed != null && deployed.commit().equals(head.commit())) {
            state = "in-sync";
        } else if (running != null && running.commit().equals(head.commit())) {
            state = "deploying";
        } else if (deployed == null && running == null) {
            state = "never-deployed";
        } else {
            state = "behind";
        }
        return new HostView.RepositoryState(
                repository.name(),
                repository.branch(),
                head.commit(),
                head.error(),
                head.readAt(),
                deployed == null ? null : deployed.commit(),
                deployed == null ? null : deployed.deploymentId(),
                running == null ? null : running.commit(),
                state);
    }

    static String hostState(List<HostView.RepositoryState> repositories, boolean drifted) {
        if (drifted) {
            return "drifted";
        }
        List<String> states =
                repositories.stream().map(HostView.RepositoryState::state).toList();
        for (String s : List.of("behind", "deploying", "unknown", "never-deployed")) {
            if (states.contains(s)) {
                return s.equals("never-deployed") ? "unknown" : s;
            }
        }
        return "in-sync";
    }
}
