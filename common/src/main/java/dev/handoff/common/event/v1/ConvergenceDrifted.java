package dev.handoff.common.event.v1;

import java.time.Instant;
import java.util.List;

/**
 * A host no longer runs what Handoff last converged there (converge-service's watch): published once per distinct
 * difference, until the host matches again or a new convergence completes.
 *
 * @param host the host
 * @param repository the runtime repository of the last convergence
 * @param commit the commit of the last convergence: what the host should run
 * @param convergedDeployment the deployment whose {@code convergence.completed} the host no longer matches
 * @param observedAt when the watch read the host
 * @param differences every field that differs, expected against observed
 * @param onDrift what handoff.yaml's {@code onDrift} tells converge-service to do: {@code report} or {@code reconverge}
 * @param reconvergeDeployment with {@code reconverge}: the deployment that converges the host back
 * @param message what differs and what to do, for a person
 */
public record ConvergenceDrifted(
        String host,
        String repository,
        String commit,
        String convergedDeployment,
        Instant observedAt,
        List<Difference> differences,
        String onDrift,
        String reconvergeDeployment,
        String message) {

    /**
     * One field that differs.
     *
     * @param field {@code systemPath}, {@code generation}, {@code configurationRevision}, {@code failedUnits} or
     *     {@code rebootPending}
     * @param expected what the last convergence left, as text
     * @param observed what the host shows now, as text
     */
    public record Difference(String field, String expected, String observed) {}
}
