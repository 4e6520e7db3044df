package dev.handoff.control.security;

import dev.handoff.control.config.HandoffConfig;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.microprofile.config.Config;

/**
 * Stops control-service at start when a secret it reads is an example value or too short ({@link SecretPolicy}),
 * naming every such variable at once. Values are never logged.
 */
@ApplicationScoped
public class StartupSecretCheck {
    private final HandoffConfig handoff;
    private final Config config;

    public StartupSecretCheck(HandoffConfig handoff, Config config) {
        this.handoff = handoff;
        this.config = config;
    }

    void onStart(@Observes @Priority(1) StartupEvent event) {
        List<String> problems = problems();
        if (!problems.isEmpty()) {
            throw new IllegalStateException(
                    "control-service refuses to start with weak secrets:\n  - " + String.join("\n  - ", problems));
        }
    }

    /** Every problem of the configured secrets; empty when control-service may start. */
    List<String> problems() {
        Map<String, String> secrets = new LinkedHashMap<>();
        secrets.put("HANDOFF_WEBHOOK_SECRET", handoff.webhook().secret().orElse(""));
        secrets.put(
                "QUARKUS_DATASOURCE_PASSWORD (HANDOFF_DB_PASSWORD in deploy/handoff.env)",
                optional("quarkus.datasource.password").orElse(""));
        List<String> problems = new ArrayList<>(SecretPolicy.problems(secrets));
        problems.addAll(SecretPolicy.tokenProblems(
                "HANDOFF_AUTH_TOKENS", handoff.auth().tokens().orElse("")));
        return problems;
    }

    private Optional<String> optional(String property) {
        return config.getOptionalValue(property, String.class);
    }
}
