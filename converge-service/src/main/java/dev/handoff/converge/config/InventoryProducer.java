package dev.handoff.converge.config;

import dev.handoff.common.inventory.Inventory;
import dev.handoff.common.inventory.InventoryLoader;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.nio.file.Path;
import org.jboss.logging.Logger;

/** Loads and validates {@code handoff.yaml} at start; an invalid inventory stops the service with every problem. */
@ApplicationScoped
public class InventoryProducer {
    private static final Logger LOG = Logger.getLogger(InventoryProducer.class);

    @Produces
    @Singleton
    @Startup
    Inventory inventory(ConvergeConfig config) {
        Path path = Path.of(config.inventory()).toAbsolutePath();
        Inventory inventory = InventoryLoader.load(path);
        LOG.infof(
                "inventory %s: %d repositories, %d hosts",
                path, inventory.repositories().size(), inventory.hosts().size());
        return inventory;
    }
}
