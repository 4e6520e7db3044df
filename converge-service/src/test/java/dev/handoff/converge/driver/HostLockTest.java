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
}
