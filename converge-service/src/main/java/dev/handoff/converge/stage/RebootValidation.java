package dev.handoff.converge.stage;

import dev.handoff.common.event.v1.Convergence.Check;
import java.util.List;

/** When to reboot after a confirmed activation, and whether the reboot held. */
public final class RebootValidation {
    private RebootValidation() {}

    /** A reboot is validated when one is pending (kernel/initrd changed) or the host's configuration asks for it. */
    public static boolean needed(boolean rebootPending, boolean requested) {
        return rebootPending || requested;
    }

    /** The reboot check: a new boot id, and nothing pending any more. */
    public static Check check(String bootIdBefore, HostObservation after) {
        boolean newBoot = !bootIdBefore.equals(after.bootId());
        boolean passed = newBoot && !after.rebootPending();
        String detail = newBoot
                ? "rebooted: boot id " + bootIdBefore + " -> " + after.bootId()
                        + (after.rebootPending() ? ", but the booted kernel still differs" : "")
                : "boot id unchanged (" + bootIdBefore + "): the host did not reboot";
        return new Check("reboot", passed, detail);
    }

    /** Every check of the re-run after the reboot, plus the reboot check. */
    public static List<Check> withReboot(List<Check> checks, Check reboot) {
        return java.util.stream.Stream.concat(checks.stream(), java.util.stream.Stream.of(reboot))
                .toList();
    }
}
