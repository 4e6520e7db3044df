package dev.handoff.lab.world.tofu;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

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

    private final Path file;

    public TofuFaults(Path worldDir) {
        this.file = worldDir.resolve("tofu-faults.properties");
    }

    /** Switches {@code fault} on for {@code stack} ({@code *} for every stack). */
    public synchronized void set(Fault fault, String stack) {
        Properties p = load();
        p.setProperty(fault.key(), stack);
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

    /** Whether {@code fault} is on for {@code stack}. */
    public boolean active(Fault fault, String stack) {
        String value = load().getProperty(fault.key());
        return value != null && (value.equals("*") || value.equals(stack));
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
                p.store(out, "stand-in tofu faults: fail-plan, fail-apply, destructive-plan, hang-apply = <stack>|*");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
