package dev.handoff.backup.stage;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The decisions of a restic contract, without I/O: freshness, coverage, whether a check is due, the rehearsal's comparison. */
public final class ContractChecks {
    private ContractChecks() {}

    /** The snapshot's age at {@code now} (0 for a snapshot stamped in the future: clocks differ). */
    public static Duration age(Instant taken, Instant now) {
        Duration age = Duration.between(taken, now);
        return age.isNegative() ? Duration.ZERO : age;
    }

    /** A {@code stale} finding when the newest snapshot is older than {@code maxAge}. */
    public static Optional<Finding> freshness(
            String host, String contract, String snapshot, Instant taken, Instant now, Duration maxAge) {
        Duration age = age(taken, now);
        if (age.compareTo(maxAge) <= 0) {
            return Optional.empty();
        }
        return Optional.of(new Finding(
                "stale",
                contract,
                "snapshot " + shortId(snapshot),
                host + ": the newest " + contract + " snapshot (" + shortId(snapshot) + ", taken " + taken + ") is "
                        + human(age) + " old, more than the maximum age " + human(maxAge)
                        + "; check the host's backup job (systemctl status restic-backups-" + contract + ")",
                false));
    }

    /** A {@code missing-path} finding per required path the snapshot does not hold. */
    public static List<Finding> coverage(
            String host, String contract, String snapshot, List<String> required, List<String> covered) {
        List<Finding> findings = new ArrayList<>();
        for (String path : required) {
            if (!covered.contains(path)) {
                findings.add(new Finding(
                        "missing-path",
                        contract,
                        path,
                        host + ": the newest " + contract + " snapshot (" + shortId(snapshot) + ") does not contain "
                                + path + "; add it to the host's backup job's paths, or check that it exists",
                        false));
            }
        }
        return findings;
    }

    /** Whether {@code restic check} runs now: never passed, or its last pass is older than {@code every}. */
    public static boolean checkDue(Optional<Instant> lastPassed, Instant now, Duration every) {
        return lastPassed.isEmpty() || !lastPassed.get().plus(every).isAfter(now);
    }

    /**
     * The rehearsal's comparison: each file to verify must have been restored and its sha256 must equal the live
     * host's. Only digests are compared; contents never leave the scratch folder.
     *
     * @param verify the files to compare
     * @param restored sha256 of each restored file (absent: not in the snapshot)
     * @param live sha256 of each live file (absent: not on the host)
     */
    public static List<Finding> compare(
            String host,
            String contract,
            String snapshot,
            List<String> verify,
            Map<String, String> restored,
            Map<String, String> live) {
        List<Finding> findings = new ArrayList<>();
        for (String path : verify) {
            String r = restored.get(path);
            String l = live.get(path);
            if (r == null) {
                findings.add(new Finding(
                        "rehearsal-mismatch",
                        contract,
                        path,
                        host + ": restoring snapshot " + shortId(snapshot) + " gave no " + path
                                + "; the backup does not hold it, so a recovery would lose it",
                        false));
            } else if (l == null) {
                findings.add(new Finding(
                        "rehearsal-mismatch",
                        contract,
                        path,
                        host + ": " + path + " is in snapshot " + shortId(snapshot) + " but not on the live host;"
                                + " check the host before relying on either",
                        false));
            } else if (!r.equals(l)) {
                findings.add(new Finding(
                        "rehearsal-mismatch",
                        contract,
                        path,
                        host + ": the restored " + path + " (sha256 " + r.substring(0, 12) + "…) differs from the live"
                                + " one (sha256 " + l.substring(0, 12) + "…): it changed after snapshot "
                                + shortId(snapshot) + "; a recovery now would bring back the old one. Run the host's"
                                + " backup job now",
                        false));
            }
        }
        return findings;
    }

    static String shortId(String id) {
        return id == null ? "?" : id.substring(0, Math.min(8, id.length()));
    }

    /** {@code 2d 3h}, {@code 26h}, {@code 5m 3s}: a duration for a person. */
    public static String human(Duration d) {
        long s = d.getSeconds();
        if (s >= 86400) {
            return (s / 86400) + "d" + (s % 86400 / 3600 > 0 ? " " + (s % 86400 / 3600) + "h" : "");
        }
        if (s >= 3600) {
            return (s / 3600) + "h" + (s % 3600 / 60 > 0 ? " " + (s % 3600 / 60) + "m" : "");
        }
        if (s >= 60) {
            return (s / 60) + "m" + (s % 60 > 0 ? " " + (s % 60) + "s" : "");
        }
        return s + "s";
    }
}
