package dev.handoff.converge;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/** Quarkus test resource: a {@link ConvergeLab} for the service under test, shared through {@link #lab()}. */
public final class ConvergeLabResource implements QuarkusTestResourceLifecycleManager {
    private static volatile ConvergeLab lab;

    /** The lab of the running test application. */
    public static ConvergeLab lab() {
        return lab;
    }

    @Override
    public Map<String, String> start() {
        lab = ConvergeLab.create();
        Map<String, String> config = new HashMap<>(lab.serviceConfig());
        config.put("handoff.converge.consumer-group", "handoff-converge-test-" + UUID.randomUUID());
        config.put("handoff.converge.facts-consumer-group", "handoff-converge-facts-test-" + UUID.randomUUID());
        return config;
    }

    @Override
    public void stop() {}
}
