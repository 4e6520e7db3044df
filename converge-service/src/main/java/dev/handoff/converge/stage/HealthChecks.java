package dev.handoff.converge.stage;

import dev.handoff.common.event.v1.Convergence.Check;
import java.util.ArrayList;
import java.util.List;

/** Turns what was observed on a host into the named checks of a convergence. */
public final class HealthChecks {
    /** Units that must be active on every converged host. */
    public static final List<String> REQUIRED_UNITS = List.of("k3s", "tailscaled");

    private HealthChecks() {}

    /**
     * @param expectedSystem the system path the activator built (null when it did not say: then any new system)
     * @param expectedRevision the commit the system must report
     */
    public static List<Check> evaluate(HostObservation seen, String expectedSystem, String expectedRevision) {
        List<Check> checks = new ArrayList<>();
        boolean systemMatches = expectedSystem == null || expectedSystem.equals(seen.currentSystem());
        checks.add(new Check(
                "current-system",
                systemMatches,
                systemMatches
                        ? "/run/current-system is " + seen.currentSystem()
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
        for (String unit : REQUIRED_UNITS) {
            String state = seen.units().getOrDefault(unit, "unknown");
            checks.add(new Check(unit + "-active", "active".equals(state), unit + ".service is " + state));
        }
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
