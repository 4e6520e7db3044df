package dev.handoff.support;

import dev.handoff.common.inventory.Inventory;
import dev.handoff.common.inventory.InventoryLoader;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.nio.file.Path;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Loads and validates {@code handoff.yaml} ({@code handoff.inventory}, env {@code HANDOFF_INVENTORY}) at start; an
 * invalid inventory stops the service with every problem, each naming its line and field.
 */
@ApplicationScoped
public class InventoryProducer {
    private static final Logger LOG = Logger.getLogger(InventoryProducer.class);

    @Produces
    @Singleton
    @Startup
    Inventory inventory(@ConfigProperty(name = "handoff.inventory") String inventory) {
        Path path = Path.of(inventory).toAbsolutePath();
        Inventory loaded = InventoryLoader.load(path);
        LOG.infof(
                "inventory %s: %d repositories, %d hosts",
                path, loaded.repositories().size(), loaded.hosts().size());
        return loaded;
    }
}
