package dev.handoff.bench.fleet;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The lab's processes as Linux's {@code /proc} sees them: their peak resident memory, and where the machine's CPU went
 * between two moments (each process with the children it has waited for — restic, git — PostgreSQL, the bench's own
 * JVM, everything else, idle). Other operating systems get no figures.
 */
final class ProcessFootprint {
    private ProcessFootprint() {}

    /**
     * A reading of the CPU counters, in clock ticks.
     *
     * @param total all cores' time
     * @param idle all cores' idle and iowait time
     * @param processes each named process's time, its waited-for children's included
     * @param postgres every {@code postgres} process's time
     * @param bench the bench JVM's own time
     */
    record CpuSample(long total, long idle, Map<String, Long> processes, long postgres, long bench) {}

    /** {@code VmHWM} of {@code /proc/<pid>/status} in KiB, or -1 when it cannot be read. */
    static long peakRssKib(long pid) {
        try {
            for (String line :
                    Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"), StandardCharsets.UTF_8)) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(
                            line.substring("VmHWM:".length()).trim().split("\\s+")[0]);
                }
            }
            return -1;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** The counters now, for {@code pids} by name; empty without {@code /proc}. */
    static Optional<CpuSample> sample(Map<String, Long> pids) {
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat"), StandardCharsets.UTF_8)
                    .get(0)
                    .trim()
                    .split("\\s+");
            long total = 0;
            // user nice system idle iowait irq softirq steal (guest time is already in user)
            for (int i = 1; i <= Math.min(8, f.length - 1); i++) {
                total += Long.parseLong(f[i]);
            }
            long idle = Long.parseLong(f[4]) + (f.length > 5 ? Long.parseLong(f[5]) : 0);
            Map<String, Long> processes = new LinkedHashMap<>();
            pids.forEach((name, pid) -> processes.put(name, ticks(Long.toString(pid))));
            return Optional.of(new CpuSample(total, idle, processes, postgresTicks(), ticks("self")));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** {@code lab launcher 20%, control-service 5%, …, other processes 3%, idle 10%} between two samples. */
    static String describe(Optional<CpuSample> from, Optional<CpuSample> to) {
        if (from.isEmpty() || to.isEmpty() || to.get().total() <= from.get().total()) {
            return "not measured (no /proc)";
        }
        CpuSample a = from.get();
        CpuSample b = to.get();
        double all = b.total() - a.total();
        StringBuilder out = new StringBuilder();
        double named = 0;
        for (Map.Entry<String, Long> p : b.processes().entrySet()) {
            long before = a.processes().getOrDefault(p.getKey(), 0L);
            double share = Math.max(0, p.getValue() - before) / all;
            named += share;
            out.append(String.format(Locale.ROOT, "%s %.0f%%, ", p.getKey(), 100 * share));
        }
        double postgres = (b.postgres() - a.postgres()) / all;
        double bench = (b.bench() - a.bench()) / all;
        double idle = (b.idle() - a.idle()) / all;
        double rest = Math.max(0, 1 - idle - named - postgres - bench);
        out.append(String.format(
                Locale.ROOT,
                "PostgreSQL %.0f%%, bench JVM %.0f%%, other processes %.0f%%, idle %.0f%%",
                100 * postgres,
                100 * bench,
                100 * rest,
                100 * idle));
        return out.toString();
    }

    private static long postgresTicks() throws IOException {
        long ticks = 0;
        try (Stream<Path> processes = Files.list(Path.of("/proc"))) {
            for (Path p : (Iterable<Path>) processes::iterator) {
                String pid = p.getFileName().toString();
                if (!pid.chars().allMatch(Character::isDigit)) {
                    continue;
                }
                try {
                    if (Files.readString(p.resolve("stat")).contains("(postgres)")) {
                        ticks += ticks(pid);
                    }
                } catch (IOException | RuntimeException gone) {
                    // the process ended meanwhile
                }
            }
        }
        return ticks;
    }

    /** utime + stime + cutime + cstime of {@code /proc/<pid>/stat}; 0 for a process that is gone. */
    private static long ticks(String pid) {
        try {
            String stat = Files.readString(Path.of("/proc", pid, "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split("\\s+");
            // fields after the command: state(0) … utime(11) stime(12) cutime(13) cstime(14)
            return Long.parseLong(f[11]) + Long.parseLong(f[12]) + Long.parseLong(f[13]) + Long.parseLong(f[14]);
        } catch (IOException | RuntimeException gone) {
            return 0;
        }
    }
}
