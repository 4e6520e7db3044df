package dev.handoff.backup.stage;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The decisions of a restic contract, without I/O: freshness, coverage, whether a check is due, whether the rehearsal
 * can compare anything, and its comparison.
 */
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

    /** Whether the rehearsal can ask the live host for the sha256 of its files. */
    public enum LiveHost {
        /** It can: the host has {@code access} and the service an SSH key. */
        ASKABLE,
        /** handoff.yaml gives the host no {@code access}. */
        NO_ACCESS,
        /** backup-service has no {@code handoff.backup.ssh-identity}. */
        NO_SSH_IDENTITY
    }

    /** The files of {@code verify} that lie under a path the snapshot holds: the only ones a restore can bring back. */
    public static List<String> comparable(List<String> verify, List<String> covered) {
        return verify.stream()
                .filter(v -> covered.stream().anyMatch(p -> v.equals(p) || v.startsWith(p + "/")))
                .toList();
    }

    /**
     * A {@code rehearsal-not-compared} finding when the rehearsal will compare no file with the live host, whatever
     * the host says: a restore alone proves the snapshot readable, not that it holds what the host holds, so such a
     * rehearsal does not pass. Empty when the live host can be asked for the sha256 of at least one restored file.
     *
     * @param paths the contract's paths
     * @param verify the contract's files to compare
     * @param comparable those of {@code verify} under a path the snapshot holds
     * @param restoredFiles how many files the restore wrote (restic exits 0 having restored none)
     */
    public static Optional<Finding> notCompared(
            String host,
            String contract,
            String snapshot,
            List<String> paths,
            List<String> verify,
            List<String> comparable,
            int restoredFiles,
            LiveHost live) {
        String nothing = host + ": the " + contract + " rehearsal of snapshot " + shortId(snapshot)
                + " compared no file with the live host (not-compared): ";
        if (verify.isEmpty()) {
            return Optional.of(new Finding(
                    "rehearsal-not-compared",
                    contract,
                    "verify",
                    nothing + "hosts." + host + ".backups." + contract + ".verify lists no file; list the files under "
                            + paths + " whose restored copy must equal the live one (docs/backup-service.md)",
                    false));
        }
        if (comparable.isEmpty()) {
            return Optional.of(new Finding(
                    "rehearsal-not-compared",
                    contract,
                    "verify",
                    nothing + "none of its verify files " + verify + " is under a path the snapshot holds, so none"
                            + " was restored; see the missing-path findings and the host's backup job",
                    false));
        }
        if (restoredFiles == 0) {
            return Optional.of(new Finding(
                    "rehearsal-not-compared",
                    contract,
                    "snapshot " + shortId(snapshot),
                    nothing + "restic restore exited 0 but restored no file of " + comparable + " (the snapshot"
                            + " holds their folders without files, or the restore matched nothing); list the snapshot"
                            + " (restic ls " + shortId(snapshot) + ") and check that the host's backup job saves"
                            + " those files",
                    false));
        }
        return switch (live) {
            case ASKABLE -> Optional.empty();
            case NO_ACCESS ->
                Optional.of(new Finding(
                        "rehearsal-not-compared",
                        contract,
                        "access",
                        nothing + restoredFiles + " files were restored, but handoff.yaml gives the host no access,"
                                + " so " + comparable + " could not be asked for; write hosts." + host
                                + ".access.steady { user, address } for the runner's SSH key",
                        false));
            case NO_SSH_IDENTITY ->
                Optional.of(new Finding(
                        "rehearsal-not-compared",
                        contract,
                        "handoff.backup.ssh-identity",
                        nothing + restoredFiles + " files were restored, but backup-service has no SSH key, so "
                                + comparable + " could not be asked for; set handoff.backup.ssh-identity"
                                + " (HANDOFF_BACKUP_SSH_IDENTITY) to the runner's private key file",
                        false));
        };
    }

    /**
     * The rehearsal's comparison: each file to verify must have been restored and its sha256 must equal the live
     * host's. Only digests are compared; contents never leave the scratch folder. A file on neither side is not
     * compared at all: {@code rehearsal-not-compared}, not a difference and not a pass.
     *
     * @param verify the files to compare
     * @param restored sha256 of each restored file (absent: not in the snapshot)
     * @param live sha256 of each live file (absent: not a readable file on the host)
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
            if (r == null && l == null) {
                findings.add(new Finding(
                        "rehearsal-not-compared",
                        contract,
                        path,
                        host + ": " + path + " is neither in snapshot " + shortId(snapshot) + " nor a readable file on"
                                + " the live host, so the rehearsal compared nothing for it (not-compared); fix hosts."
                                + host + ".backups." + contract + ".verify, or check why the host lacks it",
                        false));
            } else if (r == null) {
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
