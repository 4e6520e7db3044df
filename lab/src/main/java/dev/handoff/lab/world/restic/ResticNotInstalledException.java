package dev.handoff.lab.world.restic;

/** The {@code restic} executable is missing: the lab's backup world and backup-service cannot work without it. */
public final class ResticNotInstalledException extends IllegalStateException {
    public ResticNotInstalledException(String executable, String why) {
        super("restic is not installed ('" + executable + "' " + why + "): the lab's backup world and backup-service"
                + " run the real restic CLI. Install it with `sudo apt-get install restic` (Debian and Ubuntu ship"
                + " 0.14 or newer), then start the lab again.");
    }
}
