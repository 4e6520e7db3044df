package dev.handoff.control.webhook;

import dev.handoff.common.inventory.Inventory;
import dev.handoff.control.ledger.LedgerQueries;
import dev.handoff.control.ledger.LedgerQueries.DeployedCommit;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Judges, per host, whether a push may deploy: only when its commit is the branch head, or descends from the last
 * commit deployed from the repository on that host. A re-sent or late webhook of an older commit is {@link Stale}
 * and rolls nothing back. The last deployment is the newer of the ledger's (pushes and replays, read back from Kafka)
 * and the delivery log's (written when a delivery is accepted, before the ledger has it).
 */
@ApplicationScoped
public class PushFreshness {

    /** What a push means for one host. */
    public sealed interface Verdict permits Fresh, Same, Stale {}

    /** The push moves the host forward: deploy it. */
    public record Fresh() implements Verdict {}

    /** The push's commit is what the host last deployed from the repository. */
    public record Same() implements Verdict {}

    /**
     * Deploying the push would roll the host back.
     *
     * @param reason {@code not-a-descendant} or {@code unknown-commit}
     * @param branchHead the branch's head now
     * @param lastDeployed the last commit deployed from the repository on the host
     */
    public record Stale(String reason, String branchHead, String lastDeployed) implements Verdict {}

    private final PushFreshnessConfig config;
    private final LedgerQueries ledger;
    private final DeliveryLog deliveries;
    private final BranchHistory history;

    public PushFreshness(PushFreshnessConfig config, LedgerQueries ledger, DeliveryLog deliveries) {
        this.config = config;
        this.ledger = ledger;
        this.deliveries = deliveries;
        this.history = new BranchHistory(Path.of(config.repositoryCache()), config.repositoryTimeout());
    }

    /** Whether the check runs ({@code handoff.webhook.freshness-check}). */
    public boolean enabled() {
        return config.freshnessCheck();
    }

    /**
     * Judges a push of {@code after} to {@code repository}'s deployed branch for each of {@code hosts}.
     *
     * @return host → verdict, in the order of {@code hosts}
     * @throws RepositoryUnreachableException when the repository of handoff.yaml cannot be read: nothing may deploy
     */
    public Map<String, Verdict> judge(Inventory.Repository repository, String after, List<String> hosts)
            throws RepositoryUnreachableException, SQLException {
        Map<String, Verdict> verdicts = new LinkedHashMap<>();
        String head = history.head(repository.url(), repository.branch());
        if (head.equals(after)) {
            hosts.forEach(h -> verdicts.put(h, new Fresh()));
            return verdicts;
        }
        Map<String, String> lastOf = new LinkedHashMap<>();
        for (String host : hosts) {
            lastDeployed(repository.name(), host).ifPresent(last -> lastOf.put(host, last.commit()));
        }
        Set<String> toCheck = new HashSet<>();
        lastOf.values().stream().filter(last -> !last.equals(after)).forEach(toCheck::add);
        // one fetch for every host of the push; each host is then judged against its own last deployment
        Map<String, String> reasons = toCheck.isEmpty()
                ? Map.of()
                : history.staleReasons(repository.name(), repository.url(), repository.branch(), after, toCheck);
        for (String host : hosts) {
            String last = lastOf.get(host);
            if (last == null) {
                verdicts.put(host, new Fresh());
            } else if (last.equals(after)) {
                verdicts.put(host, new Same());
            } else {
                String reason = reasons.get(last);
                verdicts.put(host, reason == null ? new Fresh() : new Stale(reason, head, last));
            }
        }
        return verdicts;
    }

    private Optional<DeployedCommit> lastDeployed(String repository, String host) throws SQLException {
        return Stream.of(ledger.lastDeployment(repository, host), deliveries.lastPublished(repository, host))
                .flatMap(Optional::stream)
                .max(Comparator.comparing(DeployedCommit::at));
    }
}
