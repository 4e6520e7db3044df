package dev.handoff.backup.stage;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The {@code infra-state} contract without I/O: for each live OpenTofu state there is an archive, its sha256 equals
 * its {@code .sha256} file, the archived state has the live state's {@code lineage} and a {@code serial} the live
 * state is not behind, and the newest archive is younger than the maximum age.
 *
 * <p>Serial reading: infra-service archives a stack's state before and after each apply, so the live state's serial is
 * equal to the newest archive's (nothing changed since) or greater (an apply whose after-archive was lost). A live
 * serial below the archive's means the live state was lost or rolled back after the archive was taken:
 * {@code serial-behind}. An empty archive (earlier releases wrote one before a stack's first apply) has no lineage to
 * compare; when every stack's newest archive is empty, nothing was compared at all: {@code rehearsal-not-compared}.
 */
public final class InfraStateCheck {
    private InfraStateCheck() {}

    /** {@code lineage} and {@code serial} of a v4 state. */
    public record StateHeader(String lineage, long serial) {}

    /**
     * The newest archive of a stack, as read.
     *
     * @param name file name
     * @param taken the time in its name
     * @param checksumProblem why its sha256 does not match its {@code .sha256} file, if it does not
     * @param state the archived state's header; empty for an empty archive (before the first apply)
     */
    public record Archive(String name, Instant taken, Optional<String> checksumProblem, Optional<StateHeader> state) {}

    /**
     * One live state and its newest archive.
     *
     * @param stack {@code <owner>_<repo>/<stack, / as _>}, as in infra-service's folders
     * @param live the live state's header
     * @param newest the newest archive of the stack, if there is one
     */
    public record Stack(String stack, StateHeader live, Optional<Archive> newest) {}

    /** What was checked: the archives, the newest time, and every finding. */
    public record Result(List<String> archives, Optional<Instant> newest, List<Finding> findings) {}

    public static Result evaluate(String host, String contract, List<Stack> stacks, Instant now, Duration maxAge) {
        List<Finding> findings = new ArrayList<>();
        List<String> archives = new ArrayList<>();
        List<String> empty = new ArrayList<>();
        int compared = 0;
        for (Stack s : stacks) {
            if (s.newest().isEmpty()) {
                findings.add(new Finding(
                        "archive-missing",
                        contract,
                        s.stack(),
                        host + ": the live state of " + s.stack()
                                + " has no archive; infra-service archives before and after"
                                + " every apply, so the last apply's archive was lost or never copied off the machine",
                        false));
                continue;
            }
            Archive a = s.newest().get();
            archives.add(a.name());
            if (a.checksumProblem().isPresent()) {
                findings.add(new Finding(
                        "archive-checksum",
                        contract,
                        a.name(),
                        host + ": the archive " + a.name() + " "
                                + a.checksumProblem().get()
                                + "; it is damaged or was altered, so it cannot be trusted for a restore",
                        false));
                continue;
            }
            if (a.state().isEmpty()) {
                empty.add(s.stack());
                continue;
            }
            compared++;
            StateHeader archived = a.state().get();
            if (!archived.lineage().equals(s.live().lineage())) {
                findings.add(new Finding(
                        "lineage-mismatch",
                        contract,
                        s.stack(),
                        host + ": the archive " + a.name() + " has lineage " + archived.lineage()
                                + " but the live state of " + s.stack() + " has "
                                + s.live().lineage()
                                + "; the archive belongs to another state, so restoring it would not restore this one",
                        false));
            } else if (s.live().serial() < archived.serial()) {
                findings.add(new Finding(
                        "serial-behind",
                        contract,
                        s.stack(),
                        host + ": the live state of " + s.stack() + " has serial "
                                + s.live().serial()
                                + ", behind the archive " + a.name() + " (serial " + archived.serial()
                                + "); the live state was lost or rolled back after the archive was taken",
                        false));
            }
        }
        Optional<Instant> newest = stacks.stream()
                .flatMap(s -> s.newest().stream())
                .map(Archive::taken)
                .max(Comparator.naturalOrder());
        if (compared == 0 && !empty.isEmpty()) {
            findings.add(new Finding(
                    "rehearsal-not-compared",
                    contract,
                    "",
                    host + ": the newest archive of " + String.join(", ", empty) + " is empty (taken before a first"
                            + " apply), so no archive's lineage or serial was compared with a live state"
                            + " (not-compared) and none of them would bring the live state back; the archives taken"
                            + " after the applies are missing: check " + contract + ".archives in handoff.yaml and"
                            + " run the infra stage (push the infra repository) so that infra-service archives the"
                            + " applied state",
                    false));
        }
        if (stacks.isEmpty()) {
            findings.add(new Finding(
                    "no-state",
                    contract,
                    "",
                    host + ": there is no live OpenTofu state for the host's infra repositories; run the infra stage"
                            + " (push the infra repository) or fix backups." + contract + ".states in handoff.yaml",
                    true));
        } else if (newest.isPresent()) {
            Duration age = ContractChecks.age(newest.get(), now);
            if (age.compareTo(maxAge) > 0) {
                findings.add(new Finding(
                        "stale",
                        contract,
                        "",
                        host + ": the newest state archive (taken " + newest.get() + ") is "
                                + ContractChecks.human(age) + " old, more than the maximum age "
                                + ContractChecks.human(maxAge) + "; archives are taken before and after each apply",
                        false));
            }
        }
        return new Result(List.copyOf(archives), newest, List.copyOf(findings));
    }
}
