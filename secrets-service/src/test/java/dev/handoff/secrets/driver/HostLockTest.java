package dev.handoff.secrets.driver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.handoff.common.lock.HostLock;
import dev.handoff.lab.LabDatabase;
import dev.handoff.lab.LabPostgres;
import dev.handoff.secrets.messaging.TriggerConsumer;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The per-host lock of secrets-service against the lab's PostgreSQL: two instances (each with its own connections,
 * as two service instances in one consumer group) never hold one host at once — the second queues until the first
 * releases — while checks of different hosts proceed at the same time.
 */
class HostLockTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    private static LabDatabase database;
    private final ExecutorService pool = Executors.newFixedThreadPool(6);

    @BeforeAll
    static void database() {
        database = LabPostgres.shared().createDatabase("secrets_lock_test");
    }

    @AfterAll
    static void drop() {
        LabPostgres.shared().dropDatabase(database);
    }

    @AfterEach
    void stopPool() throws Exception {
        pool.shutdownNow();
        assertThat(pool.awaitTermination(20, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void aSecondCheckOfTheSameHostQueuesUntilTheFirstReleasesWhileAnotherHostProceeds() throws Exception {
        // Given: instance one checks cloud-edge-1
        HostLock one = new HostLock(dataSource(), TriggerConsumer.HOST_LOCK_STAGE);
        HostLock two = new HostLock(dataSource(), TriggerConsumer.HOST_LOCK_STAGE);
        HostLock.Held first = one.acquire("cloud-edge-1");

        // When: instance two wants cloud-edge-1, and forgejo-pi
        Future<HostLock.Held> sameHost = pool.submit(() -> two.acquire("cloud-edge-1"));
        await().atMost(WAIT).until(() -> waitingAdvisoryLocks() == 1);
        Future<HostLock.Held> otherHost = pool.submit(() -> two.acquire("forgejo-pi"));

        // Then: the other host is checked while cloud-edge-1 is still held; cloud-edge-1 waits in PostgreSQL
        HostLock.Held forgejo = otherHost.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(forgejo.host()).isEqualTo("forgejo-pi");
        assertThat(sameHost).isNotDone();
        assertThat(waitingAdvisoryLocks()).isEqualTo(1);

        // and once the first check releases, the queued one runs
        first.close();
        HostLock.Held second = sameHost.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(second.host()).isEqualTo("cloud-edge-1");
        second.close();
        forgejo.close();
        assertThat(heldAdvisoryLocks()).as("every lock released").isZero();
    }

    @Test
    void concurrentChecksOfOneHostNeverOverlapAndChecksOfTwoHostsDo() throws Exception {
        // Given: two instances, three workers each, all released at once
        List<HostLock> instances = List.of(
                new HostLock(dataSource(), TriggerConsumer.HOST_LOCK_STAGE),
                new HostLock(dataSource(), TriggerConsumer.HOST_LOCK_STAGE));
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger mostInside = new AtomicInteger();
        CyclicBarrier start = new CyclicBarrier(6);

        // When: each worker checks cloud-edge-1 five times
        List<Future<?>> workers = new ArrayList<>();
        for (int w = 0; w < 6; w++) {
            HostLock lock = instances.get(w % 2);
            workers.add(pool.submit(() -> {
                start.await(WAIT.toSeconds(), TimeUnit.SECONDS);
                for (int round = 0; round < 5; round++) {
                    try (HostLock.Held held = lock.acquire("cloud-edge-1")) {
                        mostInside.accumulateAndGet(inside.incrementAndGet(), Math::max);
                        // a check's work: a round trip to the database while holding the host
                        assertThat(heldAdvisoryLocks()).isGreaterThanOrEqualTo(1);
                        inside.decrementAndGet();
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : workers) {
            f.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        }

        // Then
        assertThat(mostInside.get()).as("checks of one host inside at once").isEqualTo(1);

        // and two hosts are held at the same time: both holders meet inside their locked sections
        CyclicBarrier bothInside = new CyclicBarrier(2);
        Future<?> edge = pool.submit(() -> {
            try (HostLock.Held held = instances.get(0).acquire("cloud-edge-1")) {
                bothInside.await(WAIT.toSeconds(), TimeUnit.SECONDS);
            }
            return null;
        });
        Future<?> pi = pool.submit(() -> {
            try (HostLock.Held held = instances.get(1).acquire("forgejo-pi")) {
                bothInside.await(WAIT.toSeconds(), TimeUnit.SECONDS);
            }
            return null;
        });
        edge.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        pi.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(heldAdvisoryLocks()).isZero();
    }

    private static DataSource dataSource() {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setURL(database.jdbcUrl());
        ds.setUser(database.username());
        ds.setPassword(database.password());
        return ds;
    }

    private static int waitingAdvisoryLocks() throws Exception {
        return count("select count(*) from pg_locks where locktype = 'advisory' and not granted");
    }

    private static int heldAdvisoryLocks() throws Exception {
        return count("select count(*) from pg_locks where locktype = 'advisory' and granted"
                + " and database = (select oid from pg_database where datname = current_database())");
    }

    private static int count(String sql) throws Exception {
        try (Connection c = database.connect();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
