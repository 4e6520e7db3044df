package dev.handoff.lab;

import dev.handoff.lab.world.InfraWorld;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.Map;

/**
 * Quarkus test resource: infra-service's world from {@link InfraWorld#shared()} (simulated OCI API, stand-in tofu,
 * off-machine archive folder), reset to the lab's defaults, with fresh work and state folders and a fresh database for
 * tofu's {@code pg} backend for each start.
 */
public class InfraWorldTestResource implements QuarkusTestResourceLifecycleManager {
    private LabDatabase tofuState;

    @Override
    public Map<String, String> start() {
        InfraWorld world = InfraWorld.shared();
        world.reset();
        try {
            // a database of its own for stacks whose backend is "pg" (PG_CONN_STR in the tofu env file)
            tofuState = LabPostgres.shared().createDatabase("handoff_test_tofu_state");
            return world.configuration(Files.createTempDirectory("handoff-infra-service"), tofuState);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create infra-service's folders", e);
        }
    }

    /** The world is shared by every test of the JVM and stops with it; the pg backend's database is dropped. */
    @Override
    public void stop() {
        if (tofuState != null) {
            LabPostgres.shared().dropDatabase(tofuState);
        }
    }
}
