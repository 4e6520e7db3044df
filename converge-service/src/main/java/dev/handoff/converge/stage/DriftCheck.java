package dev.handoff.converge.stage;

import dev.handoff.common.event.v1.Convergence;
import dev.handoff.common.event.v1.ConvergenceDrifted.Difference;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Whether a host still runs what Handoff last converged there: the system, generation and configuration revision of
 * its last {@code convergence.completed} against what the host shows now, no failed unit (a completed convergence had
 * none), and no reboot pending that the convergence did not leave pending.
 */
public final class DriftCheck {
    private DriftCheck() {}

    /** Every field in which {@code seen} differs from {@code converged}; empty when the host is in sync. */
    public static List<Difference> differences(Convergence converged, HostObservation seen) {
        List<Difference> differences = new ArrayList<>();
        differ(differences, "systemPath", converged.systemPath(), seen.currentSystem());
        differ(differences, "generation", Long.toString(converged.generation()), Long.toString(seen.generation()));
        differ(
                differences,
                "configurationRevision",
                text(converged.configurationRevision()),
                text(seen.configurationRevision()));
        if (!seen.failedUnits().isEmpty()) {
            differences.add(new Difference("failedUnits", "", String.join(",", seen.failedUnits())));
        }
        if (seen.rebootPending() && !converged.rebootPending()) {
            differences.add(new Difference("rebootPending", "false", "true"));
        }
        return List.copyOf(differences);
    }

    /** What identifies one drift: the same differences are reported once. */
    public static String fingerprint(List<Difference> differences) {
        return differences.stream()
                .map(d -> d.field() + "=" + d.expected() + "->" + d.observed())
                .reduce((a, b) -> a + ";" + b)
                .orElse("");
    }

    /** What a person reads: what differs, on which host, against which deployment, and what to do. */
    public static String message(
            String host,
            String convergedDeployment,
            Convergence converged,
            List<Difference> differences,
            String reconvergeDeployment) {
        String fields =
                String.join(", ", differences.stream().map(Difference::field).toList());
        String at = converged.repository() + "@" + shortCommit(converged.commit());
        String what = host + " no longer runs what Handoff converged in deployment " + convergedDeployment + " (" + at
                + "): " + fields + " differ";
        if (reconvergeDeployment != null) {
            return what + "; onDrift is reconverge: deployment " + reconvergeDeployment + " converges it again at "
                    + shortCommit(converged.commit()) + ".";
        }
        return what + "; someone switched or rolled it back by hand, or a unit failed. Push " + converged.repository()
                + " or redeploy the host to converge it again, or set onDrift: reconverge for it in handoff.yaml.";
    }

    private static void differ(List<Difference> differences, String field, String expected, String observed) {
        if (!Objects.equals(expected, observed)) {
            differences.add(new Difference(field, text(expected), text(observed)));
        }
    }

    private static String text(String value) {
        return value == null ? "" : value;
    }

    private static String shortCommit(String commit) {
        return commit == null || commit.length() < 7 ? String.valueOf(commit) : commit.substring(0, 7);
    }
}
