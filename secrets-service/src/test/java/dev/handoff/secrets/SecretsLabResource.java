package dev.handoff.secrets;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/** Quarkus test resource: a {@link SecretsLab} for the service under test, shared through {@link #lab()}. */
public final class SecretsLabResource implements QuarkusTestResourceLifecycleManager {
    private static volatile SecretsLab lab;

    /** The lab of the running test application. */
    public static SecretsLab lab() {
        return lab;
    }

    @Override
    public Map<String, String> start() {
        lab = SecretsLab.create("secrets-lab");
        Map<String, String> config = new HashMap<>(lab.serviceConfig());
        config.put("handoff.secrets.consumer-group", "handoff-secrets-test-" + UUID.randomUUID());
        return config;
    }

    @Override
    public void stop() {}
}
