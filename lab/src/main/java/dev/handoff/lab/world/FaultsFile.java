package dev.handoff.lab.world;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Properties;
import java.util.function.Consumer;

/**
 * A world's faults on demand: a properties file ({@code <fault>=<target>}) that a test or a person edits while the
 * lab runs, and the world reads whenever it acts. Writes replace the file atomically, so a reader never sees half a
 * file; a missing file means no fault.
 */
public final class FaultsFile {
    private final Path file;
    private final String header;

    /**
     * @param file the properties file
     * @param header the comment written at its top: which faults it takes and what their values mean
     */
    public FaultsFile(Path file, String header) {
        this.file = file;
        this.header = header;
    }

    /** The file. */
    public Path file() {
        return file;
    }

    /** The faults as they are now (one read of the file). */
    public synchronized Properties read() {
        Properties p = new Properties();
        if (!Files.exists(file)) {
            return p;
        }
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(in);
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the faults file " + file, e);
        }
    }

    /** The value of {@code key}, trimmed, or null when the fault is off. */
    public String get(String key) {
        String value = read().getProperty(key);
        return value == null ? null : value.trim();
    }

    /** Switches {@code key} on with {@code value}. */
    public void set(String key, String value) {
        update(p -> p.setProperty(key, value));
    }

    /** Switches {@code key} off. */
    public void clear(String key) {
        update(p -> p.remove(key));
    }

    /** Reads, changes and writes the faults in one step. */
    public synchronized void update(Consumer<Properties> change) {
        Properties p = read();
        change.accept(p);
        try {
            Files.createDirectories(file.getParent());
            Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
            try (Writer out = Files.newBufferedWriter(temporary, StandardCharsets.UTF_8)) {
                p.store(out, header);
            }
            Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the faults file " + file, e);
        }
    }

    /** Whether {@code key} is on for {@code target}: its value is {@code *} or {@code target}. */
    public boolean activeFor(String key, String target) {
        String value = get(key);
        return value != null && (value.equals("*") || value.equals(target));
    }
}
