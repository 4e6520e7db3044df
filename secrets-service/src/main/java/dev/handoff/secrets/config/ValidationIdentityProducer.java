package dev.handoff.secrets.config;

import dev.handoff.sops.AgeIdentity;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import org.jboss.logging.Logger;

/** Reads the optional validation identity once at start; a configured but unreadable file stops the service. */
@ApplicationScoped
public class ValidationIdentityProducer {
    private static final Logger LOG = Logger.getLogger(ValidationIdentityProducer.class);

    /** The identity, or empty when none is configured (MACs are then not checked). */
    @Produces
    @Singleton
    Optional<AgeIdentity> validationIdentity(SecretsConfig config) {
        Optional<String> path = config.secrets().validationIdentity().filter(p -> !p.isBlank());
        if (path.isEmpty()) {
            LOG.info("no validation identity (handoff.secrets.validation-identity): values and MACs are not checked");
            return Optional.empty();
        }
        try {
            AgeIdentity identity = AgeIdentity.read(Path.of(path.get()));
            LOG.infof("validation identity %s: recipients %s", path.get(), identity.recipients());
            return Optional.of(identity);
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalStateException(
                    "cannot read the validation identity " + path.get() + " (HANDOFF_SECRETS_VALIDATION_IDENTITY): "
                            + e.getMessage() + "; point it at an age key file or unset it",
                    e);
        }
    }
}
