package dev.handoff.control.status;

import dev.handoff.control.config.HandoffConfig;
import io.agroal.api.AgroalDataSource;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.net.URI;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Posts each stage's state of every deployment to its commit in Forgejo, from the ledger (one component, not each
 * stage): it reads the stage statuses the ledger stored that are newer than what it posted, posts them in order, and
 * records each one posted in {@code commit_status_posted}, in the same transaction. So a restart posts only what
 * changed since, a status is never lost, and a status is posted twice only when the service dies between Forgejo's
 * answer and that commit (Forgejo then shows the same state again). A stage that changes faster than the poster runs
 * is posted at its newest state. One replica posts at a time (a PostgreSQL advisory lock per round); the others stand
 * by. Forgejo unreachable or refusing the token holds every status back and is retried with back-off; it never slows
 * the ledger or the chain.
 */
@ApplicationScoped
public class CommitStatusPoster {
    private static final Logger LOG = Logger.getLogger(CommitStatusPoster.class);
    /** Advisory lock key of the posting round ("handoff commit statuses"). */
    static final long LOCK = 0x68616e646f666673L;
    /** Statuses posted per round (and per transaction). */
    static final int ROUND = 20;

    private static final Duration LONGEST_BACKOFF = Duration.ofMinutes(5);

    private static final String DUE = """
            select s.deployment_id, s.stage, s.status, s.reason, s.status_time, d.host, d.repository, d.commit_sha,
                   d.first_stage
            from deployment_stage s
            join deployment d on d.id = s.deployment_id
            left join commit_status_posted p on p.deployment_id = s.deployment_id and p.stage = s.stage
            where s.status_time > ?
              and d.repository is not null and d.commit_sha is not null
              and (p.status_time is null or p.status_time < s.status_time)
            order by s.status_time, s.deployment_id, s.stage
            limit ?
            """;
    private static final String RECORD = """
            insert into commit_status_posted (deployment_id, stage, state, status_time, posted_at, error)
            values (?, ?, ?, ?, now(), ?)
            on conflict (deployment_id, stage) do update set
                state = excluded.state, status_time = excluded.status_time, posted_at = excluded.posted_at,
                error = excluded.error
            """;

    private final AgroalDataSource dataSource;
    private final HandoffConfig.CommitStatus config;
    private final MeterRegistry registry;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean running;
    private volatile String condition = "not started";
    private Thread thread;
    private ForgejoStatusClient forgejo;

    public CommitStatusPoster(AgroalDataSource dataSource, HandoffConfig config, MeterRegistry registry) {
        this.dataSource = dataSource;
        this.config = config.commitStatus();
        this.registry = registry;
    }

    void start(@Observes StartupEvent startup) {
        Optional<URI> url = config.forgejoUrl();
        if (url.isEmpty()) {
            condition = "off: HANDOFF_FORGEJO_URL is not set";
            LOG.info("commit statuses: off (set HANDOFF_FORGEJO_URL and HANDOFF_FORGEJO_TOKEN to post each stage's"
                    + " state to Forgejo)");
            return;
        }
        String token = config.token()
                .filter(t -> !t.isBlank())
                .orElseThrow(() -> new IllegalStateException("HANDOFF_FORGEJO_URL is set but HANDOFF_FORGEJO_TOKEN is"
                        + " not: create an access token in Forgejo (scope write:repository) for the user Handoff"
                        + " posts commit statuses as, and give it as HANDOFF_FORGEJO_TOKEN; or unset"
                        + " HANDOFF_FORGEJO_URL to post none"));
        forgejo = new ForgejoStatusClient(url.get(), token, config.timeout());
        if (config.pageUrl().isEmpty()) {
            LOG.warn("commit statuses: HANDOFF_PUBLIC_URL is not set, so the statuses link to no deployment page; set"
                    + " it to the address people open control-service's pages at");
        }
        running = true;
        condition = "posting";
        thread = new Thread(this::run, "commit-status-poster");
        thread.setDaemon(true);
        thread.start();
        LOG.infof("commit statuses: posting each stage's state to %s", forgejo.base());
    }

    void stop(@Observes ShutdownEvent shutdown) {
        running = false;
        stopped.countDown();
        if (thread != null) {
            try {
                thread.join(TimeUnit.SECONDS.toMillis(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** What the poster is doing: off, posting, or why it waits. */
    public String condition() {
        return condition;
    }

    private void run() {
        Duration backoff = config.interval();
        try {
            while (running) {
                Duration pause = config.interval();
                try {
                    int posted = round();
                    backoff = config.interval();
                    condition = "posting";
                    if (posted == ROUND) {
                        continue;
                    }
                } catch (Waiting e) {
                    condition = e.getMessage();
                    LOG.warnf("commit statuses wait: %s; retrying in %d s", e.getMessage(), backoff.toSeconds());
                    pause = backoff;
                    backoff = longer(backoff);
                } catch (SQLException | RuntimeException e) {
                    condition = "the ledger's database: " + e.getMessage();
                    LOG.errorf(e, "commit statuses: %s; retrying in %d s", e.getMessage(), backoff.toSeconds());
                    pause = backoff;
                    backoff = longer(backoff);
                }
                if (stopped.await(pause.toMillis(), TimeUnit.MILLISECONDS)) {
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Forgejo cannot take statuses now; the message says why (never with the token). */
    static final class Waiting extends Exception {
        private static final long serialVersionUID = 1L;

        Waiting(String message) {
            super(message);
        }
    }

    /**
     * Posts the stage statuses newer than what was posted, oldest first, at most {@value #ROUND}, and records them.
     *
     * @return how many were handled (posted or refused for good)
     */
    int round() throws SQLException, Waiting, InterruptedException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                if (!lock(c)) {
                    c.rollback();
                    return 0;
                }
                List<StageStatus> due = due(c);
                int handled = 0;
                Waiting waiting = null;
                for (StageStatus s : due) {
                    Optional<String> state = s.state();
                    Optional<String> invalid = s.invalid();
                    if (state.isEmpty()) {
                        record(c, s, "none", null);
                    } else if (invalid.isPresent()) {
                        LOG.warnf(
                                "commit statuses: not posting %s of deployment %s: %s",
                                s.stage(), s.deploymentId(), invalid.get());
                        record(c, s, state.get(), "not posted: " + invalid.get());
                        count("refused");
                    } else {
                        ForgejoStatusClient.Outcome outcome = forgejo.post(s, state.get(), targetUrl(s));
                        if (outcome instanceof ForgejoStatusClient.Unavailable u) {
                            waiting = new Waiting(u.why());
                            count("unavailable");
                            break;
                        }
                        if (outcome instanceof ForgejoStatusClient.Refused r) {
                            LOG.warnf(
                                    "commit statuses: Forgejo refused %s (%s) of deployment %s for %s@%s: %s",
                                    s.context(), state.get(), s.deploymentId(), s.repository(), s.commit(), r.why());
                            record(c, s, state.get(), r.why());
                            count("refused");
                        } else {
                            record(c, s, state.get(), null);
                            count("posted");
                        }
                    }
                    handled++;
                }
                c.commit();
                if (waiting != null) {
                    throw waiting;
                }
                return handled;
            } catch (SQLException | RuntimeException | InterruptedException e) {
                c.rollback();
                throw e;
            }
        }
    }

    private Optional<String> targetUrl(StageStatus s) {
        return config.pageUrl().map(u -> (u.endsWith("/") ? u : u + "/") + "ui/deployments/" + s.deploymentId());
    }

    private static boolean lock(Connection c) throws SQLException {
        try (Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("select pg_try_advisory_xact_lock(" + LOCK + ")")) {
            rs.next();
            return rs.getBoolean(1);
        }
    }

    private List<StageStatus> due(Connection c) throws SQLException {
        List<StageStatus> due = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(DUE)) {
            ps.setObject(1, OffsetDateTime.now(ZoneOffset.UTC).minus(config.window()));
            ps.setInt(2, ROUND);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    due.add(new StageStatus(
                            rs.getString(1),
                            rs.getString(2),
                            rs.getString(3),
                            rs.getString(4),
                            rs.getObject(5, OffsetDateTime.class),
                            rs.getString(6),
                            rs.getString(7),
                            rs.getString(8),
                            rs.getString(9)));
                }
            }
        }
        return due;
    }

    private static void record(Connection c, StageStatus s, String state, String error) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(RECORD)) {
            ps.setString(1, s.deploymentId());
            ps.setString(2, s.stage());
            ps.setString(3, state);
            ps.setObject(4, s.statusTime());
            ps.setString(5, error);
            ps.executeUpdate();
        }
    }

    private void count(String outcome) {
        Counter.builder("handoff.commit.statuses")
                .description("Commit statuses by outcome: posted to Forgejo, refused by it for good, or held back"
                        + " because Forgejo was unavailable")
                .tag("outcome", outcome)
                .register(registry)
                .increment();
    }

    private static Duration longer(Duration d) {
        Duration twice = d.multipliedBy(2);
        return twice.compareTo(LONGEST_BACKOFF) > 0 ? LONGEST_BACKOFF : twice;
    }
}
