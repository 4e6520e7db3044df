package dev.handoff.lab.launcher;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * {@code run/lab.state}: what a starting or running lab's launcher records about itself from its first moment to its
 * last, for {@code ./handoff status}, {@code ./handoff down} and a {@code push} that waits for a starting lab. No
 * credentials (those are in {@code lab.env}, written once the lab is up).
 *
 * @param pid the launcher's process id
 * @param processStarted when that process started, so that a recycled pid is never taken for the launcher
 * @param phase where the lab is in its life
 * @param since when the launcher began to start the lab
 * @param kafka the broker's bootstrap address, empty until it runs
 * @param postgres which PostgreSQL server, empty until chosen
 * @param services the service processes started so far, in start order
 * @param versions what runs, by component ({@code Handoff}, {@code Java}, {@code Kafka}, …), in print order
 * @param drills what the drills changed and is not undone yet, by thing ({@code kafka}, {@code postgres}, a service or
 *     a host): e.g. {@code kafka → stopped}, {@code converge-service → killed}, {@code cloud-edge-1 → partitioned}
 */
public record LabState(
        long pid,
        Instant processStarted,
        Phase phase,
        Instant since,
        String kafka,
        String postgres,
        List<Service> services,
        Map<String, String> versions,
        Map<String, String> drills) {

    /** Where a lab is in its life. */
    public enum Phase {
        /** Starting the broker, the databases, the worlds and the services; {@code lab.env} is not written yet. */
        STARTING,
        /** Every service is ready and {@code lab.env} is written. */
        UP,
        /** Stopping (Ctrl-C, SIGTERM, {@code ./handoff down}). */
        STOPPING
    }

    /**
     * One service process of the lab.
     *
     * @param name the module, e.g. {@code control-service}
     * @param port its HTTP port
     * @param pid its process id
     * @param started when its process started
     */
    public record Service(String name, int port, long pid, Instant started) {
        /** Whether this very process still runs. */
        public boolean alive() {
            return sameProcess(pid, started);
        }
    }

    public LabState {
        services = List.copyOf(services);
        versions = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(versions));
        drills = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(drills));
    }

    /** A state no drill has changed. */
    public LabState(
            long pid,
            Instant processStarted,
            Phase phase,
            Instant since,
            String kafka,
            String postgres,
            List<Service> services,
            Map<String, String> versions) {
        this(pid, processStarted, phase, since, kafka, postgres, services, versions, Map.of());
    }

    /** This state with another phase. */
    public LabState in(Phase newPhase) {
        return new LabState(pid, processStarted, newPhase, since, kafka, postgres, services, versions, drills);
    }

    /** Whether the launcher that wrote this state still runs. */
    public boolean alive() {
        return sameProcess(pid, processStarted);
    }

    /** The launcher's process, if it still runs. */
    public Optional<ProcessHandle> process() {
        return alive() ? ProcessHandle.of(pid) : Optional.empty();
    }

    /** Writes the state, replacing the file atomically (a reader never sees half of it). */
    public void write(Path file) {
        StringBuilder text =
                new StringBuilder("# The Handoff lab's launcher (./handoff up): read by ./handoff status.\n");
        line(text, "pid", Long.toString(pid));
        line(text, "process.started", processStarted.toString());
        line(text, "phase", phase.name().toLowerCase(Locale.ROOT));
        line(text, "since", since.toString());
        line(text, "kafka", kafka);
        line(text, "postgres", postgres);
        for (Service s : services) {
            line(text, "service." + s.name(), s.port() + " " + s.pid() + " " + s.started());
        }
        versions.forEach((what, version) -> line(text, "version." + what, version));
        drills.forEach((what, done) -> line(text, "drill." + what, done));
        try {
            Files.createDirectories(file.getParent());
            Path temp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.writeString(temp, text, StandardCharsets.UTF_8);
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    /** Reads the state, if the file exists and is whole. */
    public static Optional<LabState> read(Path file) {
        List<String> lines;
        try {
            if (!Files.isRegularFile(file)) {
                return Optional.empty();
            }
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (java.nio.file.NoSuchFileException gone) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        Map<String, String> values = new LinkedHashMap<>();
        List<Service> services = new ArrayList<>();
        Map<String, String> versions = new LinkedHashMap<>();
        Map<String, String> drills = new LinkedHashMap<>();
        for (String line : lines) {
            int eq = line.indexOf('=');
            if (line.startsWith("#") || eq < 1) {
                continue;
            }
            String key = line.substring(0, eq);
            String value = line.substring(eq + 1);
            if (key.startsWith("service.")) {
                String[] parts = value.split(" ");
                if (parts.length == 3) {
                    try {
                        services.add(new Service(
                                key.substring("service.".length()),
                                Integer.parseInt(parts[0]),
                                Long.parseLong(parts[1]),
                                Instant.parse(parts[2])));
                    } catch (NumberFormatException | DateTimeParseException ignored) {
                        // a line this launcher did not write: the rest of the state still tells what runs
                    }
                }
            } else if (key.startsWith("version.")) {
                versions.put(key.substring("version.".length()), value);
            } else if (key.startsWith("drill.")) {
                drills.put(key.substring("drill.".length()), value);
            } else {
                values.put(key, value);
            }
        }
        try {
            return Optional.of(new LabState(
                    Long.parseLong(values.getOrDefault("pid", "")),
                    Instant.parse(values.getOrDefault("process.started", "")),
                    Phase.valueOf(values.getOrDefault("phase", "").toUpperCase(Locale.ROOT)),
                    Instant.parse(values.getOrDefault("since", "")),
                    values.getOrDefault("kafka", ""),
                    values.getOrDefault("postgres", ""),
                    services,
                    versions,
                    drills));
        } catch (NumberFormatException | DateTimeParseException e) {
            return Optional.empty();
        } catch (IllegalArgumentException unknownPhase) {
            return Optional.empty();
        }
    }

    /** When this process started, as the operating system says (the same value any process reads for it). */
    public static Instant startOf(ProcessHandle process) {
        return process.info().startInstant().orElse(Instant.EPOCH);
    }

    private static boolean sameProcess(long pid, Instant started) {
        return ProcessHandle.of(pid)
                .filter(ProcessHandle::isAlive)
                .filter(p -> started.equals(Instant.EPOCH)
                        || p.info()
                                .startInstant()
                                .map(s -> Duration.between(s, started).abs().toMillis() < 1000)
                                .orElse(true))
                .isPresent();
    }

    private static void line(StringBuilder text, String key, String value) {
        text.append(key).append('=').append(value.replace('\n', ' ')).append('\n');
    }
}
