package dev.handoff.converge.stage;

import dev.handoff.common.event.v1.CloudFacts;
import dev.handoff.common.event.v1.Convergence.AccessPhase;
import dev.handoff.common.inventory.Inventory;
import java.util.Optional;

/**
 * The access phase of a host and the SSH endpoint for it. Bootstrap (the configured bootstrap user on an address that
 * may come from cloud facts) until the host has converged once and answered on its steady-state address; steady only
 * from then on, with the bootstrap endpoint kept as the fallback path for a rollback.
 *
 * @param phase the phase of this run
 * @param primary where this run connects
 * @param fallback the other access path, for a rollback when the primary broke
 */
public record AccessPlan(AccessPhase phase, Target primary, Optional<Target> fallback) {

    /**
     * A resolved SSH endpoint.
     *
     * @param user SSH user
     * @param address host name or IP (before the runner's address map)
     * @param phase the access path it belongs to
     */
    public record Target(String user, String address, AccessPhase phase) {}

    /**
     * Chooses the phase and resolves the endpoints.
     *
     * @param steadyReached whether the host has converged and answered on its steady address before
     * @throws IllegalArgumentException naming host and field when an endpoint cannot be resolved
     */
    public static AccessPlan choose(Inventory.Host host, Optional<CloudFacts> cloud, boolean steadyReached) {
        Inventory.Access access = host.access()
                .orElseThrow(() -> new IllegalArgumentException(host.name() + " has no hosts." + host.name()
                        + ".access in handoff.yaml; add access.steady (and access.bootstrap for a new host)"));
        Target steady = resolve(host.name(), access.steady(), cloud, AccessPhase.STEADY);
        if (access.bootstrap() == null) {
            return new AccessPlan(AccessPhase.STEADY, steady, Optional.empty());
        }
        Target bootstrap = resolve(host.name(), access.bootstrap(), cloud, AccessPhase.BOOTSTRAP);
        return steadyReached
                ? new AccessPlan(AccessPhase.STEADY, steady, Optional.of(bootstrap))
                : new AccessPlan(AccessPhase.BOOTSTRAP, bootstrap, Optional.of(steady));
    }

    /** The steady endpoint (primary in steady phase, fallback in bootstrap phase). */
    public Optional<Target> steady() {
        return phase == AccessPhase.STEADY ? Optional.of(primary) : fallback;
    }

    private static Target resolve(
            String host, Inventory.Endpoint endpoint, Optional<CloudFacts> cloud, AccessPhase phase) {
        String address = endpoint.address();
        String field = "hosts." + host + ".access." + phase.name().toLowerCase();
        if (address.startsWith("cloud:")) {
            CloudFacts facts = cloud.orElseThrow(
                    () -> new IllegalArgumentException(field + " is " + address + " but there are no cloud facts of "
                            + host + " yet; run the infra stage first (push ops/edge-cluster-infra)"));
            String resolved = switch (address) {
                case "cloud:publicIp" -> facts.publicIp();
                case "cloud:privateIp" -> facts.privateIp();
                default -> throw new IllegalArgumentException(field + ": unknown address " + address);
            };
            if (resolved == null || resolved.isBlank()) {
                throw new IllegalArgumentException(field + " is " + address + " but the cloud facts of " + host
                        + " have none; give the instance a public IP or use a steady address");
            }
            return new Target(endpoint.user(), resolved, phase);
        }
        return new Target(endpoint.user(), address, phase);
    }
}
