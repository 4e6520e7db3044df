package dev.handoff.lab.launcher;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A Handoff service module the lab can run: {@code <module>/target/quarkus-app/quarkus-run.jar} once built. A
 * module joins the lab as soon as that jar exists.
 *
 * @param name the module folder and service name, e.g. {@code control-service}
 * @param portOffset its HTTP port is the lab's base port plus this
 * @param database the PostgreSQL database the lab gives it; each service owns its own schema history
 */
public record ServiceModule(String name, int portOffset, String database) {

    /** Every service of the chain, in chain order; control-service serves the base port. */
    public static final List<ServiceModule> ALL = List.of(
            new ServiceModule("control-service", 0, "handoff_lab"),
            new ServiceModule("infra-service", 1, "handoff_lab_infra"),
            new ServiceModule("secrets-service", 2, "handoff_lab_secrets"),
            new ServiceModule("converge-service", 3, "handoff_lab_converge"),
            new ServiceModule("workload-service", 4, "handoff_lab_workload"),
            new ServiceModule("backup-service", 5, "handoff_lab_backup"));

    /** Environment variable that replaces the {@code handoff_lab} prefix of every lab database name. */
    public static final String DATABASE_PREFIX_VARIABLE = "HANDOFF_LAB_DATABASE_PREFIX";

    private static final String DEFAULT_PREFIX = "handoff_lab";

    /**
     * This service's lab database name: {@link #database()}, with {@code handoff_lab} replaced by
     * {@code HANDOFF_LAB_DATABASE_PREFIX} when it is set (so a second lab on one PostgreSQL server, e.g. a test's,
     * never touches the first one's databases).
     */
    public String database(java.util.Map<String, String> env) {
        String prefix = env.get(DATABASE_PREFIX_VARIABLE);
        if (prefix == null || prefix.isBlank()) {
            return database;
        }
        if (!prefix.matches("[a-z_][a-z0-9_]{0,40}")) {
            throw new IllegalArgumentException(DATABASE_PREFIX_VARIABLE + "='" + prefix
                    + "' is not a usable database name prefix: use lower-case letters, digits and _ (at most 41)");
        }
        return prefix + database.substring(DEFAULT_PREFIX.length());
    }

    /** The runnable jar of this service in {@code projectDir}. */
    public Path runJar(Path projectDir) {
        return projectDir.resolve(name).resolve("target").resolve("quarkus-app").resolve("quarkus-run.jar");
    }

    /** {@code true} for control-service, which receives webhooks and holds the operator API. */
    public boolean isControl() {
        return portOffset == 0;
    }

    /** The services whose jar exists in {@code projectDir}, in chain order. */
    public static List<ServiceModule> built(Path projectDir) {
        return ALL.stream()
                .filter(s -> Files.isRegularFile(s.runJar(projectDir)))
                .toList();
    }
}
