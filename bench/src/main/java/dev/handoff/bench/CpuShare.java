package dev.handoff.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Where the machine's CPU went during a phase, from Linux's {@code /proc}: the bench's JVM (broker, producers,
 * consumer, sender), control-service, PostgreSQL (every {@code postgres} process, other databases' included), every
 * other process, and idle, each as a share of all cores. Other operating systems get no figure.
 */
final class CpuShare {
    private final long controlPid;

    /** A reading of the counters, in clock ticks. */
    record Sample(long total, long idle, long bench, long control, long postgres) {}

    CpuShare(long controlPid) {
        this.controlPid = controlPid;
    }

    /** The counters now, if this is Linux. */
    Optional<Sample> sample() {
        try {
            String cpu = Files.readAllLines(Path.of("/proc/stat")).get(0);
            String[] f = cpu.trim().split("\\s+");
            long total = 0;
            // user nice system idle iowait irq softirq steal (guest time is already in user)
            for (int i = 1; i <= Math.min(8, f.length - 1); i++) {
                total += Long.parseLong(f[i]);
            }
            long idle = Long.parseLong(f[4]) + (f.length > 5 ? Long.parseLong(f[5]) : 0);
            return Optional.of(new Sample(
                    total, idle, processTicks("self"), processTicks(Long.toString(controlPid)), postgresTicks()));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** {@code bench JVM 20%, control-service 40%, PostgreSQL 15%, …} of all cores between two samples. */
    static String describe(Optional<Sample> from, Optional<Sample> to) {
        if (from.isEmpty() || to.isEmpty() || to.get().total() <= from.get().total()) {
            return "not measured (no /proc)";
        }
        Sample a = from.get();
        Sample b = to.get();
        double all = b.total() - a.total();
        double bench = (b.bench() - a.bench()) / all;
        double control = (b.control() - a.control()) / all;
        double postgres = (b.postgres() - a.postgres()) / all;
        double idle = (b.idle() - a.idle()) / all;
        double rest = Math.max(0, 1 - idle - bench - control - postgres);
        return String.format(
                Locale.ROOT,
                "bench JVM %.0f%%, control-service %.0f%%, PostgreSQL %.0f%%, other processes %.0f%%, idle %.0f%%",
                100 * bench,
                100 * control,
                100 * postgres,
                100 * rest,
                100 * idle);
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
                    String stat = Files.readString(p.resolve("stat"));
                    if (stat.contains("(postgres)")) {
                        ticks += processTicks(pid);
                    }
                } catch (IOException | RuntimeException gone) {
                    // the process ended meanwhile
                }
            }
        }
        return ticks;
    }

    private static long processTicks(String pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", pid, "stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split("\\s+");
        // fields after the command: state(0) ... utime(11) stime(12)
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }
}
