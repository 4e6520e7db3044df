package dev.handoff.bench.fleet;

import dev.handoff.bench.Latencies;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The table {@code bench/run-fleet} prints: the figures of the measured push with the targets beside them, whether
 * each is met, and what the machine was doing. It never fails on a missed target.
 *
 * @param title the first line (what was measured, when)
 * @param settings hosts, activation, concurrency
 * @param figures the push's figures
 * @param rawHop a raw Kafka produce → consume hop on the lab's broker, measured in the same run (instant runs)
 * @param memory the peak RSS of the six services and the launcher
 * @param cpu where the CPU went during the measured push
 * @param notes further lines printed below the table (machine, load average, …)
 */
public record FleetReport(
        String title,
        FleetSettings settings,
        FleetFigures figures,
        Optional<Latencies> rawHop,
        List<PeakRss> memory,
        String cpu,
        List<String> notes) {

    static final Duration TARGET_TOTAL = Duration.ofMinutes(6);
    static final int TARGET_TOTAL_HOSTS = 1000;
    static final Duration TARGET_TOTAL_ACTIVATION = Duration.ofSeconds(5);
    static final double TARGET_PER_MINUTE = 6000;
    static final long TARGET_SERVICE_KIB = 200 * 1024;
    static final long TARGET_LAB_KIB = 1536 * 1024;

    private static final String ROW = "%-44s %-42s %-34s %s%n";

    /** The table as text, ending with a newline. */
    public String render() {
        StringBuilder out = new StringBuilder();
        out.append(title).append("\n");
        out.append(String.format(
                Locale.ROOT,
                "%d hosts, activation %s, concurrency %d per stage; ideal = hosts × activation ÷ concurrency%n%n",
                settings.hosts(),
                settings.activationArgument(),
                settings.concurrency()));
        row(out, "figure", "measured", "target", "met");
        boolean targetRun =
                settings.hosts() == TARGET_TOTAL_HOSTS && settings.activation().equals(TARGET_TOTAL_ACTIVATION);
        Optional<Duration> verified = figures.untilAllVerified();
        row(
                out,
                "push → every host's backup verified",
                verified.map(FleetReport::duration)
                        .orElse("not all verified (" + (figures.deployments() - figures.succeeded()) + " hosts)"),
                "< 6 min at 1,000 hosts × 5 s",
                targetRun ? met(verified.map(d -> d.compareTo(TARGET_TOTAL) < 0)) : "—");
        if (verified.isEmpty()) {
            row(
                    out,
                    "push → every deployment final",
                    figures.untilAllFinal().map(FleetReport::duration).orElse(figures.notFinal() + " still running"),
                    "",
                    "");
        }
        row(out, "ideal N × activation ÷ K", duration(settings.ideal()), "", "");
        Optional<Double> perMinute = figures.perMinute();
        row(
                out,
                settings.instant() ? "deployments per minute (final)" : "hosts per minute (final)",
                perMinute.map(r -> String.format(Locale.ROOT, "%,.0f", r)).orElse("—"),
                settings.instant() ? "≥ 6,000 (instant activation)" : "",
                settings.instant() ? met(perMinute.map(r -> r >= TARGET_PER_MINUTE)) : "");
        row(
                out,
                "deployments",
                String.format(
                        Locale.ROOT,
                        "%d succeeded, %d failed, %d superseded, %d not final",
                        figures.succeeded(),
                        figures.failed(),
                        figures.superseded(),
                        figures.notFinal()),
                "",
                "");
        rawHop.ifPresent(raw -> row(out, "raw Kafka produce → consume (floor)", percentiles(raw), "", ""));
        for (FleetFigures.StageFigures stage : figures.stages()) {
            boolean overhead = settings.instant() && rawHop.isPresent();
            String target = "";
            String met = "";
            if (overhead && stage.queueWait().isPresent()) {
                long limit = 2 * rawHop.get().p50();
                target = "p50 ≤ 2 × raw p50 = " + micros(limit);
                met = met(Optional.of(stage.queueWait().get().p50() <= limit));
            }
            row(
                    out,
                    stage.stage() + (overhead ? " overhead (trigger → started)" : " queue wait (trigger → started)"),
                    stage.queueWait().map(FleetReport::percentiles).orElse("—"),
                    target,
                    met);
            row(
                    out,
                    stage.stage() + " run time (started → end)",
                    stage.runTime().map(FleetReport::percentiles).orElse("—"),
                    "",
                    "");
        }
        long labKib = 0;
        boolean allRead = !memory.isEmpty();
        for (PeakRss rss : memory) {
            if (rss.kib() < 0) {
                allRead = false;
            } else {
                labKib += rss.kib();
            }
            row(
                    out,
                    "peak RSS " + rss.process() + " (pid " + rss.pid() + ")",
                    rss.kib() < 0 ? "not read" : mib(rss.kib()),
                    rss.isService() ? "≤ 200 MiB" : "",
                    rss.isService()
                            ? met(rss.kib() < 0 ? Optional.empty() : Optional.of(rss.kib() <= TARGET_SERVICE_KIB))
                            : "");
        }
        row(
                out,
                "peak RSS, sum (6 services + launcher)",
                allRead ? mib(labKib) : "incomplete (" + mib(labKib) + " read)",
                "≤ 1.5 GiB",
                met(allRead ? Optional.of(labKib <= TARGET_LAB_KIB) : Optional.empty()));
        out.append("\n");
        out.append("CPU during the measured push (shares of all cores): ")
                .append(cpu)
                .append("\n");
        if (!figures.failures().isEmpty()) {
            out.append("First failures:\n");
            figures.failures().forEach(f -> out.append("  ").append(f).append("\n"));
        }
        for (FleetFigures.StageFigures stage : figures.stages()) {
            if (stage.triggersWithoutRecord() > 0) {
                out.append(String.format(
                        Locale.ROOT,
                        "%s: %d waits measured from the trigger event's time (its record was not read)%n",
                        stage.stage(),
                        stage.triggersWithoutRecord()));
            }
        }
        notes.forEach(n -> out.append(n).append("\n"));
        return out.toString();
    }

    private static void row(StringBuilder out, String figure, String measured, String target, String met) {
        out.append(String.format(Locale.ROOT, ROW, figure, measured, target, met)
                        .stripTrailing())
                .append("\n");
    }

    private static String met(Optional<Boolean> met) {
        return met.map(m -> m ? "yes" : "no").orElse("—");
    }

    static String percentiles(Latencies l) {
        return "p50 " + micros(l.p50()) + "  p99 " + micros(l.p99()) + "  max " + micros(l.max());
    }

    /** {@code 12.34 ms} below a second, {@code 12.35 s} below a minute, {@code 5 min 32.1 s} above. */
    static String micros(long micros) {
        if (Math.abs(micros) < 1_000_000) {
            return String.format(Locale.ROOT, "%.2f ms", micros / 1000.0);
        }
        if (Math.abs(micros) < 60_000_000) {
            return String.format(Locale.ROOT, "%.2f s", micros / 1e6);
        }
        long minutes = micros / 60_000_000;
        return String.format(Locale.ROOT, "%d min %.1f s", minutes, (micros - minutes * 60_000_000) / 1e6);
    }

    static String duration(Duration d) {
        return micros(d.toNanos() / 1000);
    }

    static String mib(long kib) {
        return String.format(Locale.ROOT, "%.1f MiB", kib / 1024.0);
    }
}
