package dev.handoff.converge.stage;

import java.time.Duration;

/**
 * The host-side rollback guard, in the style of deploy-rs' magic rollback: armed on the host before the switch, a
 * transient systemd timer rolls the host back to the previous generation by itself unless converge-service confirms
 * the new one (reconnects, checks pass) and disarms it in time. It holds when an activation breaks every SSH path,
 * where no rollback from outside can. A timer armed by an earlier run that never disarmed it is stopped first, so an
 * old guard cannot roll back a newer confirmed generation. Transient units do not survive a reboot.
 */
public final class RollbackGuard {
    /** The unit name prefix of the guard's timers and services. */
    public static final String PREFIX = "handoff-rollback-";

    private RollbackGuard() {}

    /** The guard's unit name for a run that may fall back to {@code generation}. */
    public static String unit(long generation, String run) {
        if (!run.matches("[a-z0-9]{1,16}")) {
            throw new IllegalArgumentException("run tag must be 1-16 lower-case letters or digits: " + run);
        }
        return PREFIX + generation + "-" + run;
    }

    /** The command that rolls the system profile back to {@code generation} and activates it. */
    public static String rollbackCommand(long generation) {
        return "/run/current-system/sw/bin/nix-env -p /nix/var/nix/profiles/system --switch-generation " + generation
                + " && /nix/var/nix/profiles/system/bin/switch-to-configuration switch";
    }

    /**
     * The command that stops earlier guards and arms this one: {@code systemd-run} with {@code --on-active}, the
     * rollback as the service's command.
     *
     * @param sudo whether the SSH user needs {@code sudo -n} (not root)
     */
    public static String arm(String unit, long generation, Duration after, boolean sudo) {
        String prefix = sudo ? "sudo -n " : "";
        return prefix + "systemctl stop '" + PREFIX + "*.timer'; " + prefix + "systemd-run --unit=" + unit
                + " --description='Handoff rollback guard: back to generation " + generation + " unless confirmed'"
                + " --on-active=" + Math.max(1, after.toSeconds()) + "s --timer-property=AccuracySec=1s"
                + " /bin/sh -c '" + rollbackCommand(generation) + "'";
    }

    /** The command that disarms the guard once the new generation is confirmed. */
    public static String disarm(String unit, boolean sudo) {
        return (sudo ? "sudo -n " : "") + "systemctl stop " + unit + ".timer";
    }
}
