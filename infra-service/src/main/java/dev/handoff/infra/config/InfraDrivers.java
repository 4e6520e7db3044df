package dev.handoff.infra.config;

import dev.handoff.common.event.v1.StageFailed;
import dev.handoff.common.inventory.Inventory;
import dev.handoff.common.inventory.InventoryLoader;
import dev.handoff.infra.driver.CloudReader;
import dev.handoff.infra.driver.FactsStore;
import dev.handoff.infra.driver.LastCheckouts;
import dev.handoff.infra.driver.OciCloudReader;
import dev.handoff.infra.driver.ProcessRunner;
import dev.handoff.infra.driver.ProcessTofu;
import dev.handoff.infra.driver.StateArchive;
import dev.handoff.infra.driver.StateStore;
import dev.handoff.infra.driver.Tofu;
import dev.handoff.infra.driver.TofuEnvironment;
import dev.handoff.infra.stage.ObservedInstance;
import dev.handoff.infra.stage.StageFailure;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.jboss.logging.Logger;

/** Creates infra-service's drivers from its configuration; the OCI clients are made on first use. */
@ApplicationScoped
public class InfraDrivers {
    private static final Logger LOG = Logger.getLogger(InfraDrivers.class);

    @Produces
    @Singleton
    @Startup
    Inventory inventory(InfraConfig config) {
        Path path = Path.of(config.inventory()).toAbsolutePath();
        Inventory inventory = InventoryLoader.load(path);
        LOG.infof(
                "inventory %s: %d repositories, %d hosts",
                path, inventory.repositories().size(), inventory.hosts().size());
        return inventory;
    }

    @Produces
    @Singleton
    ProcessRunner processRunner(InfraConfig config) {
        return new ProcessRunner(config.infra().tofu().tailLines());
    }

    @Produces
    @Singleton
    Tofu tofu(InfraConfig config, ProcessRunner runner) {
        InfraConfig.Tofu settings = config.infra().tofu();
        TofuEnvironment environment = TofuEnvironment.of(
                System.getenv(),
                settings.inheritEnv().orElse(List.of()),
                settings.envFile().map(TofuEnvironment::readFile).orElse(java.util.Map.of()));
        LOG.infof(
                "tofu runs with only these environment variables: %s",
                String.join(", ", environment.variables().keySet()));
        return new ProcessTofu(
                settings.binary(),
                settings.timeout(),
                settings.lockTimeout(),
                runner,
                environment,
                OciKeySecrets.of(
                        config.infra().oci().configFile(), config.infra().oci().profile()));
    }

    @Produces
    @Singleton
    StateStore stateStore(InfraConfig config) {
        return new StateStore(config.infra().stateDir());
    }

    @Produces
    @Singleton
    LastCheckouts lastCheckouts(InfraConfig config) {
        return new LastCheckouts(config.infra().stateDir());
    }

    @Produces
    @Singleton
    FactsStore factsStore(InfraConfig config) {
        return new FactsStore(config.infra().stateDir());
    }

    @Produces
    @Singleton
    StateArchive stateArchive(InfraConfig config, ProcessRunner runner) {
        InfraConfig.Archive archive = config.infra().archive();
        if (archive.destination().isEmpty() && archive.command().isEmpty()) {
            LOG.warn("no off-machine destination for state archives: set handoff.infra.archive.destination or"
                    + " handoff.infra.archive.command; archives stay on this machine only");
        }
        return new StateArchive(
                config.infra().stateDir().resolve("archives"),
                archive.destination(),
                archive.command(),
                runner,
                Clock.systemUTC());
    }

    @Produces
    @Singleton
    CloudReader cloudReader(InfraConfig config) {
        return new LazyOciReader(config.infra().oci());
    }

    /** Creates the OCI clients when first needed, so a missing OCI config fails a stage with its fix, not the start. */
    static final class LazyOciReader implements CloudReader {
        private final InfraConfig.Oci oci;
        private OciCloudReader reader;

        LazyOciReader(InfraConfig.Oci oci) {
            this.oci = oci;
        }

        @Override
        public ObservedInstance read(String instanceId) throws StageFailure {
            return reader().read(instanceId);
        }

        private synchronized OciCloudReader reader() throws StageFailure {
            if (reader == null) {
                try {
                    reader = OciCloudReader.create(oci.configFile(), oci.profile(), oci.endpoint(), oci.timeout());
                } catch (IOException | RuntimeException e) {
                    throw new StageFailure(
                            "provider-config",
                            "cannot use the OCI config file " + oci.configFile() + " (profile " + oci.profile() + "): "
                                    + e.getMessage() + "; set handoff.infra.oci.config-file to a valid OCI config",
                            false,
                            List.of(new StageFailed.Detail(
                                    "oci-config", oci.configFile(), String.valueOf(e.getMessage()))));
                }
            }
            return reader;
        }
    }
}
