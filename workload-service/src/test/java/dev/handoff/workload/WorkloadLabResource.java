package dev.handoff.workload;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/** Quarkus test resource: a {@link WorkloadLab} for the service under test, shared through {@link #lab()}. */
public final class WorkloadLabResource implements QuarkusTestResourceLifecycleManager {
    private static volatile WorkloadLab lab;

    /** The lab of the running test application. */
    public static WorkloadLab lab() {
        return lab;
    }

    /** The consumer group of the service under test. */
    public static volatile String group;

    @Override
    public Map<String, String> start() {
        lab = WorkloadLab.create();
        Map<String, String> config = new HashMap<>(lab.serviceConfig());
        group = "handoff-workload-test-" + UUID.randomUUID();
        config.put("handoff.workload.consumer-group", group);
        return config;
    }

    @Override
    public void stop() {}
}
