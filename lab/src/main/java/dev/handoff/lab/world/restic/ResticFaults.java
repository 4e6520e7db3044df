package dev.handoff.lab.world.restic;

import dev.handoff.lab.world.FaultsFile;
import java.nio.file.Path;

/**
 * Failures of the lab's restic world on demand, kept in {@code <world>/restic-faults.properties} so a test or a person
 * can switch them while the lab runs. Each names the contract it applies to ({@code runtime}, {@code control-plane})
 * or {@code *}. {@code stale} and {@code missing-path} shape the next snapshot; {@code wrong-password} and
 * {@code damaged-pack} change the repository's files and are applied by {@link ResticWorld#applyFaults()} (after
 * every snapshot, and at start).
 */
public final class ResticFaults {
    /** The fault kinds. */
    public enum Fault {
        /** The next snapshot is taken with {@code --time} 30 days in the past. */
        STALE("stale"),
        /**
         * The next snapshot leaves one path out: {@code /var/lib/rustdesk} (runtime), {@code /var/lib/forgejo/dump}
         * (control-plane).
         */
        MISSING_PATH("missing-path"),
        /** The password file the service reads holds a wrong password (the repository's key is unchanged). */
        WRONG_PASSWORD("wrong-password"),
        /** A data pack of the repository is really corrupted (bytes overwritten in place; put back when cleared). */
        DAMAGED_PACK("damaged-pack");

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

    public ResticFaults(Path worldDir) {
        this.file = new FaultsFile(
                worldDir.resolve("restic-faults.properties"),
                "restic world faults: stale, missing-path, wrong-password, damaged-pack = <contract>|*");
    }

    /** The faults file. */
    public Path file() {
        return file.file();
    }

    /** Switches {@code fault} on for {@code contract} ({@code *} for every contract). */
    public void set(Fault fault, String contract) {
        file.set(fault.key(), contract);
    }

    /** Switches {@code fault} off. */
    public void clear(Fault fault) {
        file.clear(fault.key());
    }

    /** Switches every fault off. */
    public void clearAll() {
        file.update(java.util.Properties::clear);
    }

    /** Whether {@code fault} is on for {@code contract}. */
    public boolean active(Fault fault, String contract) {
        return file.activeFor(fault.key(), contract);
    }
}
