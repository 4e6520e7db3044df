package dev.handoff.lab;

import dev.handoff.lab.forge.LabForge;
import dev.handoff.lab.world.InfraWorld;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Quarkus test resource: infra-service's world from {@link InfraWorld#shared()} (simulated OCI API, stand-in tofu,
 * off-machine archive folder), reset to the lab's defaults, with fresh work and state folders and a fresh database for
 * tofu's {@code pg} backend for each start.
 *
 * <p>infra-service clones only the URLs of handoff.yaml: the resource makes a forge folder for each start
 * ({@link #FORGE_PROPERTY}, where tests push) and gives the service a copy of the module's test inventory
 * ({@code src/test/resources/handoff.yaml}) whose {@code https://forge.test/} URLs point into that forge.
 */
public class InfraWorldTestResource implements QuarkusTestResourceLifecycleManager {
    /** The system property naming the forge folder of the running test application ({@code forge/}, {@code work/}). */
    public static final String FORGE_PROPERTY = "dev.handoff.lab.infra-forge";

    /** The placeholder of the test inventory's repository URLs. */
    public static final String PLACEHOLDER = "https://forge.test/";

    private LabDatabase tofuState;

    @Override
    public Map<String, String> start() {
        InfraWorld world = InfraWorld.shared();
        world.reset();
        try {
            // a database of its own for stacks whose backend is "pg" (PG_CONN_STR in the tofu env file)
            tofuState = LabPostgres.shared().createDatabase("handoff_test_tofu_state");
            Map<String, String> config = new java.util.HashMap<>(
                    world.configuration(Files.createTempDirectory("handoff-infra-service"), tofuState));
            Path forgeRoot = Files.createTempDirectory("handoff-infra-forge");
            String forgeUrl = new LabForge(forgeRoot.resolve("forge"), forgeRoot.resolve("work")).forgeUrl() + "/";
            Path source = Path.of("src/test/resources/handoff.yaml");
            if (Files.isRegularFile(source)) {
                Path inventory = forgeRoot.resolve("handoff.yaml");
                Files.writeString(inventory, Files.readString(source).replace(PLACEHOLDER, forgeUrl));
                config.put("handoff.inventory", inventory.toString());
            }
            System.setProperty(FORGE_PROPERTY, forgeRoot.toString());
            return config;
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
