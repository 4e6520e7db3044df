package dev.handoff.converge.driver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.handoff.common.lock.HostLock;
import dev.handoff.lab.LabDatabase;
import dev.handoff.lab.LabPostgres;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

/** The per-host lock as converge-service takes it, on a real PostgreSQL database: later runs wait, others go on. */
class HostLockTest {
    private LabDatabase database;
    private HostLock lock;

    @BeforeEach
    void database() {
        database = LabPostgres.shared().createDatabase("handoff_converge_lock");
        PGSimpleDataSource dataSource = new PGSimpleDataSource();
        dataSource.setUrl(database.jdbcUrl());
        dataSource.setUser(database.username());
        dataSource.setPassword(database.password());
        lock = new HostLock(dataSource, "converge");
    }

    @AfterEach
    void drop() {
        LabPostgres.shared().dropDatabase(database);
    }

    @Test
    void aSecondRunForTheSameHostWaitsUntilTheFirstReleasesAndOtherHostsGoOn() throws Exception {
        // Given
        HostLock.Held first = lock.acquire("cloud-edge-1");

        // When
        CompletableFuture<HostLock.Held> second = CompletableFuture.supplyAsync(() -> {
            try {
                return lock.acquire("cloud-edge-1");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        HostLock.Held other = lock.acquire("forgejo-pi");

        // Then
        assertThat(other).isNotNull();
        other.close();
        assertThat(second)
                .as("the second run waits while the first holds the host")
                .isNotDone();
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2)).until(() -> !second.isDone());
        first.close();
        HostLock.Held later = second.get(10, TimeUnit.SECONDS);
        later.close();
    }

    @Test
    void aLockWhoseReleaseFailedIsNotLentOutAgainByThePoolStillHeld() throws Exception {
        // Given: a pool (as the services have) whose session fails to run the unlock once, while it holds the host
        try (io.agroal.api.AgroalDataSource pool = pool(1);
                io.agroal.api.AgroalDataSource otherReplica = pool(1)) {
            boolean[] failUnlock = {true};
            javax.sql.DataSource failing = (javax.sql.DataSource) java.lang.reflect.Proxy.newProxyInstance(
                    getClass().getClassLoader(), new Class<?>[] {javax.sql.DataSource.class}, (proxy, m, args) -> {
                        Object result = m.invoke(pool, args);
                        return m.getName().equals("getConnection")
                                ? failingUnlock((java.sql.Connection) result, failUnlock)
                                : result;
                    });
            HostLock.Held held = new HostLock(failing, "converge").acquire("cloud-edge-1");

            // When: the run ends and the release fails
            held.close();

            // Then: the session was ended, so the host is free for another replica at once
            assertThat(new HostLock(otherReplica, "converge").tryAcquire("cloud-edge-1"))
                    .as("the lock died with its session")
                    .isPresent()
                    .get()
                    .satisfies(HostLock.Held::close);
        }
    }

    private io.agroal.api.AgroalDataSource pool(int size) throws java.sql.SQLException {
        return io.agroal.api.AgroalDataSource.from(
                new io.agroal.api.configuration.supplier.AgroalDataSourceConfigurationSupplier()
                        .connectionPoolConfiguration(cp -> cp.maxSize(size)
                                .connectionFactoryConfiguration(cf -> cf.jdbcUrl(database.jdbcUrl())
                                        .principal(new io.agroal.api.security.NamePrincipal(database.username()))
                                        .credential(new io.agroal.api.security.SimplePassword(database.password())))));
    }

    /** A connection whose first {@code pg_advisory_unlock} fails, the session staying up (and the lock held). */
    private static java.sql.Connection failingUnlock(java.sql.Connection real, boolean[] failUnlock) {
        return (java.sql.Connection) java.lang.reflect.Proxy.newProxyInstance(
                HostLockTest.class.getClassLoader(), new Class<?>[] {java.sql.Connection.class}, (proxy, m, args) -> {
                    if (m.getName().equals("prepareStatement")
                            && String.valueOf(args[0]).contains("pg_advisory_unlock")
                            && failUnlock[0]) {
                        failUnlock[0] = false;
                        throw new java.sql.SQLException("canceling statement due to statement timeout", "57014");
                    }
                    try {
                        return m.invoke(real, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }
}
