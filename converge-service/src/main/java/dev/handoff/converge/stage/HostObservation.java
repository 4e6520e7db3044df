package dev.handoff.converge.stage;

import java.util.List;
import java.util.Map;

/**
 * What the runner read on a host over SSH: before and after activation, and between runs (the watch).
 *
 * @param currentSystem {@code readlink -f /run/current-system}
 * @param configurationRevision {@code nixos-version --json} configurationRevision, or null
 * @param generation the current system profile generation
 * @param systemState {@code systemctl is-system-running}
 * @param failedUnits {@code systemctl --failed}
 * @param units {@code systemctl is-active} of the units the host's role requires, in that order
 * @param secretsPresent whether {@code /run/secrets} exists
 * @param currentKernel {@code /run/current-system/kernel}
 * @param bootedKernel {@code /run/booted-system/kernel}
 * @param bootId {@code /proc/sys/kernel/random/boot_id}
 */
public record HostObservation(
        String currentSystem,
        String configurationRevision,
        long generation,
        String systemState,
        List<String> failedUnits,
        Map<String, String> units,
        boolean secretsPresent,
        String currentKernel,
        String bootedKernel,
        String bootId) {

    /** Booted kernel differs from the current system's: a reboot is pending. */
    public boolean rebootPending() {
        return !currentKernel.equals(bootedKernel);
    }
}
