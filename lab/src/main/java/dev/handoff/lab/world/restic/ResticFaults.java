package dev.handoff.lab.world.restic;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

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
        /** The next snapshot leaves {@code /var/lib/rustdesk} out. */
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

    private final Path file;

    public ResticFaults(Path worldDir) {
        this.file = worldDir.resolve("restic-faults.properties");
    }

    /** The faults file. */
    public Path file() {
        return file;
    }

    /** Switches {@code fault} on for {@code contract} ({@code *} for every contract). */
    public synchronized void set(Fault fault, String contract) {
        Properties p = load();
        p.setProperty(fault.key(), contract);
        store(p);
    }

    /** Switches {@code fault} off. */
    public synchronized void clear(Fault fault) {
        Properties p = load();
        p.remove(fault.key());
        store(p);
    }

    /** Switches every fault off. */
    public synchronized void clearAll() {
        store(new Properties());
    }

    /** Whether {@code fault} is on for {@code contract}. */
    public boolean active(Fault fault, String contract) {
        String value = load().getProperty(fault.key());
        return value != null && (value.trim().equals("*") || value.trim().equals(contract));
    }

    private Properties load() {
        Properties p = new Properties();
        if (!Files.exists(file)) {
            return p;
        }
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(in);
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    private void store(Properties p) {
        try {
            Files.createDirectories(file.getParent());
            try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
                p.store(out, "restic world faults: stale, missing-path, wrong-password, damaged-pack = <contract>|*");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
