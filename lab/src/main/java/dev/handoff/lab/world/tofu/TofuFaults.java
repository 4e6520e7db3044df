package dev.handoff.lab.world.tofu;

import dev.handoff.lab.world.FaultsFile;
import java.nio.file.Path;

/**
 * Failures the stand-in {@code tofu} produces on demand, kept in {@code <world>/tofu-faults.properties} so a test or
 * a person can switch them while the lab runs. Each fault names the stack (the stack folder's name, e.g.
 * {@code compute}) it applies to, or {@code *} for every stack.
 */
public final class TofuFaults {
    /** The fault kinds. */
    public enum Fault {
        /** {@code tofu plan} fails with exit 1 and a provider error. */
        FAIL_PLAN("fail-plan"),
        /** {@code tofu apply} fails half-way with exit 1 and an OCI error. */
        FAIL_APPLY("fail-apply"),
        /** The plan replaces the instance and deletes the data volume. */
        DESTRUCTIVE_PLAN("destructive-plan"),
        /** {@code tofu apply} starts a child process and never ends (a hung provider). */
        HANG_APPLY("hang-apply");

        private final String key;

        Fault(String key) {
            this.key = key;
        }

        /** The key in the faults file. */
        public String key() {
            return key;
        }
    }

    private final FaultsFile file;

    public TofuFaults(Path worldDir) {
        this.file = new FaultsFile(
                worldDir.resolve("tofu-faults.properties"),
                "stand-in tofu faults: fail-plan, fail-apply, destructive-plan, hang-apply = <stack>|*");
    }

    /** Switches {@code fault} on for {@code stack} ({@code *} for every stack). */
    public void set(Fault fault, String stack) {
        file.set(fault.key(), stack);
    }

    /** Switches {@code fault} off. */
    public void clear(Fault fault) {
        file.clear(fault.key());
    }

    /** Switches every fault off. */
    public void clearAll() {
        file.update(java.util.Properties::clear);
    }

    /** Whether {@code fault} is on for {@code stack}. */
    public boolean active(Fault fault, String stack) {
        return file.activeFor(fault.key(), stack);
    }
}
