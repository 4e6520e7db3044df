package dev.handoff.control.fleet;

import dev.handoff.common.inventory.Inventory;
import dev.handoff.control.webhook.BranchHistory;
import dev.handoff.control.webhook.PushFreshnessConfig;
import dev.handoff.control.webhook.RepositoryUnreachableException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The head of each repository's deployed branch, read with {@code git ls-remote} (JGit, handoff.yaml's URL) and kept
 * for a short while, so that the fleet view and the reconciliation read Git once between them, and a page refreshed
 * in a loop does not hammer the forge.
 */
@ApplicationScoped
public class GitHeads {
    /** How long an answer (or a failure) is reused. */
    static final Duration FRESH_FOR = Duration.ofSeconds(15);

    /**
     * The head of a repository's branch, or why it could not be read.
     *
     * @param commit the commit the branch points at, null when unreadable
     * @param error why it could not be read, null when read
     * @param readAt when it was read
     */
    public record Head(String commit, String error, OffsetDateTime readAt) {}

    private final BranchHistory history;
    private final Clock clock;
    private final Map<String, Head> heads = new ConcurrentHashMap<>();

    @Inject
    public GitHeads(PushFreshnessConfig config) {
        this(new BranchHistory(Path.of(config.repositoryCache()), config.repositoryTimeout()), Clock.systemUTC());
    }

    GitHeads(BranchHistory history, Clock clock) {
        this.history = history;
        this.clock = clock;
    }

    /** Reads the head now (and keeps it). */
    public Head read(Inventory.Repository repository) {
        Head head;
        try {
            head = new Head(history.head(repository.url(), repository.branch()), null, OffsetDateTime.now(clock));
        } catch (RepositoryUnreachableException e) {
            head = new Head(null, e.getMessage(), OffsetDateTime.now(clock));
        }
        heads.put(repository.name(), head);
        return head;
    }

    /** The head read within the last {@link #FRESH_FOR}, else read now. */
    public Head recent(Inventory.Repository repository) {
        Head known = heads.get(repository.name());
        if (known != null && known.readAt().isAfter(OffsetDateTime.now(clock).minus(FRESH_FOR))) {
            return known;
        }
        return read(repository);
    }
}
