package dev.handoff.control.ui;

import io.agroal.api.AgroalDataSource;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Tells open pages when the ledger has new events for them. Whichever replica's consumer wrote an event, it is in
 * PostgreSQL: once a second, while any page listens, this replica reads the ledger's newest offset of every topic
 * partition (one walk of the {@code event_by_position} index), and for the partitions that moved, which deployments
 * and hosts the new events belong to; each stream whose deployment or host is among them gets a {@code changed}
 * event. No stream, no query. Streams are bounded ({@link #MAX_STREAMS} per replica); a closed connection is dropped
 * at the next tick, and a heartbeat finds connections that died silently and sessions that ended.
 */
@ApplicationScoped
public class LedgerWatch {
    private static final Logger LOG = Logger.getLogger(LedgerWatch.class);
    /** How often the ledger is looked at while pages listen. */
    static final Duration TICK = Duration.ofSeconds(1);
    /** Open streams per replica; a page beyond this gets 503 and tries again later. */
    static final int MAX_STREAMS = 200;
    /** Open streams of one session (its tabs), so that one person cannot take a replica's every stream. */
    static final int MAX_STREAMS_PER_SESSION = 20;
    /** Ticks between heartbeats (an SSE comment) and session checks. */
    static final int HEARTBEAT_TICKS = 15;
    /** More new events than this in one tick: every stream is told, rather than reading them all. */
    static final int MAX_CHANGED_ROWS = 2000;
    /** How long a browser waits before it reconnects a dropped stream. */
    static final long RECONNECT_MILLIS = 3000;

    /**
     * What a page follows.
     *
     * @param deployment one deployment's events, or null
     * @param host one host's events, or null; both null = every event (the unfiltered list)
     */
    public record Interest(String deployment, String host) {
        boolean matches(Changes c) {
            if (c.all()) {
                return true;
            }
            if (deployment != null) {
                return c.deployments().contains(deployment);
            }
            return host == null || c.hosts().contains(host);
        }
    }

    /** The deployments and hosts that have new events; {@code all} when there were too many to read. */
    record Changes(boolean all, Set<String> deployments, Set<String> hosts) {
        boolean any() {
            return all || !deployments.isEmpty() || !hosts.isEmpty();
        }
    }

    private record Partition(String topic, int partition) {}

    private record Stream(Interest interest, SseEventSink sink, Sse sse, String sessionId) {}

    private static final String POSITIONS = """
            with recursive p(topic, kafka_partition) as (
                (select topic, kafka_partition from event order by topic, kafka_partition limit 1)
              union all
                select n.topic, n.kafka_partition from p cross join lateral (
                    select e.topic, e.kafka_partition from event e
                     where (e.topic, e.kafka_partition) > (p.topic, p.kafka_partition)
                     order by e.topic, e.kafka_partition limit 1) n
            )
            select p.topic, p.kafka_partition, (select max(e.kafka_offset) from event e
                                                 where e.topic = p.topic and e.kafka_partition = p.kafka_partition)
              from p
            """;

    private final AgroalDataSource dataSource;
    private final UiSessions sessions;
    private final Set<Stream> streams = ConcurrentHashMap.newKeySet();
    private ScheduledExecutorService ticker;
    /** The positions seen at the last tick; null while nobody listens. Only the ticker thread touches it. */
    private Map<Partition, Long> positions;

    private long ticks;

    public LedgerWatch(AgroalDataSource dataSource, UiSessions sessions) {
        this.dataSource = dataSource;
        this.sessions = sessions;
    }

    /**
     * Starts following {@code interest} for an open stream: it gets a {@code ready} event at once and a
     * {@code changed} event whenever the ledger has new events for it after that. Refused (nothing sent), with the
     * reason, when this replica has its {@link #MAX_STREAMS} or the session its {@link #MAX_STREAMS_PER_SESSION}.
     */
    public synchronized Optional<String> follow(Interest interest, SseEventSink sink, Sse sse, String sessionId) {
        streams.removeIf(x -> x.sink().isClosed());
        if (streams.size() >= MAX_STREAMS) {
            return Optional.of("this control-service follows " + MAX_STREAMS + " pages already");
        }
        if (streams.stream().filter(x -> x.sessionId().equals(sessionId)).count() >= MAX_STREAMS_PER_SESSION) {
            return Optional.of("your session follows " + MAX_STREAMS_PER_SESSION + " pages already; close some tabs");
        }
        Stream s = new Stream(interest, sink, sse, sessionId);
        streams.add(s);
        if (ticker == null) {
            ticker = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "ui-ledger-watch");
                t.setDaemon(true);
                return t;
            });
            ticker.scheduleWithFixedDelay(this::tick, TICK.toMillis(), TICK.toMillis(), TimeUnit.MILLISECONDS);
        }
        // "ready" only once the positions it is compared against are read: an event after it is never missed
        ticker.execute(() -> {
            try {
                if (positions == null) {
                    positions = positions();
                }
            } catch (SQLException | RuntimeException e) {
                LOG.warnf("cannot read the ledger for the pages' live updates: %s", e.getMessage());
            }
            send(
                    s,
                    sse.newEventBuilder()
                            .name("ready")
                            .data("following the ledger")
                            .reconnectDelay(RECONNECT_MILLIS)
                            .build());
        });
        return Optional.empty();
    }

    /** How many streams are open on this replica. */
    public int streams() {
        return streams.size();
    }

    private void tick() {
        try {
            streams.removeIf(s -> s.sink().isClosed());
            if (streams.isEmpty()) {
                positions = null;
                return;
            }
            Map<Partition, Long> now = positions();
            Changes changes = positions == null ? new Changes(false, Set.of(), Set.of()) : changes(positions, now);
            positions = now;
            if (changes.any()) {
                for (Stream s : streams) {
                    if (s.interest().matches(changes)) {
                        send(
                                s,
                                s.sse()
                                        .newEventBuilder()
                                        .name("changed")
                                        .data("ledger")
                                        .build());
                    }
                }
            }
            if (++ticks % HEARTBEAT_TICKS == 0) {
                heartbeat();
            }
        } catch (SQLException | RuntimeException e) {
            // the next tick tries again; a page keeps what it shows meanwhile
            LOG.warnf("cannot read the ledger for the pages' live updates: %s", e.getMessage());
        }
    }

    private void heartbeat() {
        for (Stream s : streams) {
            if (sessions.peek(s.sessionId()).isEmpty()) {
                close(s);
            } else {
                send(s, s.sse().newEventBuilder().comment("heartbeat").build());
            }
        }
    }

    private void send(Stream s, OutboundSseEvent event) {
        if (s.sink().isClosed()) {
            streams.remove(s);
            return;
        }
        try {
            s.sink().send(event).whenComplete((ok, failed) -> {
                if (failed != null) {
                    close(s);
                }
            });
        } catch (IllegalStateException e) {
            close(s);
        }
    }

    private void close(Stream s) {
        streams.remove(s);
        try {
            s.sink().close();
        } catch (RuntimeException e) {
            LOG.debugf("closing a page's stream: %s", e.getMessage());
        }
    }

    private Map<Partition, Long> positions() throws SQLException {
        Map<Partition, Long> out = new HashMap<>();
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(POSITIONS);
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.put(new Partition(rs.getString(1), rs.getInt(2)), rs.getLong(3));
            }
        }
        return out;
    }

    private Changes changes(Map<Partition, Long> before, Map<Partition, Long> now) throws SQLException {
        Set<String> deployments = new HashSet<>();
        Set<String> hosts = new HashSet<>();
        int rows = 0;
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("select deployment_id, subject from event where topic = ?"
                        + " and kafka_partition = ? and kafka_offset > ? and kafka_offset <= ? limit ?")) {
            for (Map.Entry<Partition, Long> p : now.entrySet()) {
                long from = before.getOrDefault(p.getKey(), -1L);
                if (p.getValue() <= from) {
                    continue;
                }
                ps.setString(1, p.getKey().topic());
                ps.setInt(2, p.getKey().partition());
                ps.setLong(3, from);
                ps.setLong(4, p.getValue());
                ps.setInt(5, MAX_CHANGED_ROWS + 1 - rows);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        if (++rows > MAX_CHANGED_ROWS) {
                            return new Changes(true, Set.of(), Set.of());
                        }
                        if (rs.getString(1) != null) {
                            deployments.add(rs.getString(1));
                        }
                        hosts.add(rs.getString(2));
                    }
                }
            }
        }
        return new Changes(false, deployments, hosts);
    }

    @PreDestroy
    synchronized void stop() {
        if (ticker != null) {
            ticker.shutdownNow();
        }
        streams.forEach(this::close);
    }
}
