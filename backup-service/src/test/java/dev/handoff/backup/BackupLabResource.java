package dev.handoff.backup;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/** Quarkus test resource: a {@link BackupLab} for the service under test, shared through {@link #lab()}. */
public final class BackupLabResource implements QuarkusTestResourceLifecycleManager {
    private static volatile BackupLab lab;

    /** The lab of the running test application. */
    public static synchronized BackupLab lab() {
        if (lab == null) {
            lab = BackupLab.create();
        }
        return lab;
    }

    @Override
    public Map<String, String> start() {
        Map<String, String> config = new HashMap<>(lab().serviceConfig());
        config.put("handoff.backup.consumer-group", "handoff-backup-test-" + UUID.randomUUID());
        return config;
    }

    @Override
    public void stop() {}
}
