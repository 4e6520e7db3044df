package dev.handoff.converge.stage;

import dev.handoff.common.event.v1.Convergence.Check;
import dev.handoff.common.inventory.Inventory;
import java.util.ArrayList;
import java.util.List;

/** Turns what was observed on a host into the named checks of a convergence. */
public final class HealthChecks {
    /** Units that must be active on a converged edge host: K3s runs its workloads, Tailscale is its steady access. */
    public static final List<String> EDGE_UNITS = List.of("k3s", "tailscaled");

    /** Units that must be active on a converged control host (the Forgejo host runs no K3s). */
    public static final List<String> CONTROL_UNITS = List.of("tailscaled");

    private HealthChecks() {}

    /** The units a host of {@code role} must have active after converging. */
    public static List<String> requiredUnits(Inventory.Role role) {
        return role == Inventory.Role.EDGE ? EDGE_UNITS : CONTROL_UNITS;
    }

    /**
     * @param expectedSystem the system path the activator built (null when it did not say: the check fails, for
     *     nothing proves the host runs what was built)
     * @param expectedRevision the commit the system must report
     */
    public static List<Check> evaluate(HostObservation seen, String expectedSystem, String expectedRevision) {
        List<Check> checks = new ArrayList<>();
        boolean systemMatches = expectedSystem != null && expectedSystem.equals(seen.currentSystem());
        checks.add(new Check(
                "current-system",
                systemMatches,
                systemMatches
                        ? "/run/current-system is " + seen.currentSystem()
                        : expectedSystem == null
                                ? "/run/current-system is " + seen.currentSystem()
                                        + "; the activator did not say which system it built, so nothing proves it"
                                : "/run/current-system is " + seen.currentSystem() + ", expected " + expectedSystem));
        boolean revision = expectedRevision.equals(seen.configurationRevision());
        checks.add(new Check(
                "configuration-revision",
                revision,
                "nixos-version reports "
                        + (seen.configurationRevision() == null ? "no revision" : seen.configurationRevision())
                        + (revision ? "" : ", expected " + expectedRevision)));
        boolean running = "running".equals(seen.systemState());
        checks.add(new Check(
                "system-running",
                running,
                running
                        ? "systemctl is-system-running: running"
                        : "systemctl is-system-running: " + seen.systemState()
                                + (seen.failedUnits().isEmpty()
                                        ? ""
                                        : "; failed units: " + String.join(", ", seen.failedUnits()))));
        // the units the host's role requires, as observed (HostObservation keeps them in the order they were asked)
        seen.units()
                .forEach((unit, state) ->
                        checks.add(new Check(unit + "-active", "active".equals(state), unit + ".service is " + state)));
        checks.add(new Check(
                "run-secrets",
                seen.secretsPresent(),
                seen.secretsPresent() ? "/run/secrets is present" : "/run/secrets is missing (sops-nix did not run)"));
        return checks;
    }

    /** Whether every check passed. */
    public static boolean allPassed(List<Check> checks) {
        return checks.stream().allMatch(Check::passed);
    }
}
