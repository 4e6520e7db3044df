package dev.handoff.lab;

import dev.handoff.lab.world.InfraWorld;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.Map;

/**
 * Quarkus test resource: infra-service's world from {@link InfraWorld#shared()} (simulated OCI API, stand-in tofu,
 * off-machine archive folder), reset to the lab's defaults, with fresh work and state folders for each start.
 */
public class InfraWorldTestResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        InfraWorld world = InfraWorld.shared();
        world.reset();
        try {
            return world.configuration(Files.createTempDirectory("handoff-infra-service"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create infra-service's folders", e);
        }
    }

    /** The world is shared by every test of the JVM and stops with it. */
    @Override
    public void stop() {
        // Nothing to release per test: see the class comment.
    }
}
