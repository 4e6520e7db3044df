package dev.handoff.cli;

import java.time.Duration;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/** What {@code --watch}, {@code wait} and their {@code --interval} share. */
final class WatchOptions {
    /** Asking more often than this gains nothing: the ledger takes about that long to store an event. */
    static final Duration SHORTEST_INTERVAL = Duration.ofMillis(100);

    private WatchOptions() {}

    static void check(CommandSpec spec, Duration interval) {
        if (interval.compareTo(SHORTEST_INTERVAL) < 0) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(),
                    "--interval " + Durations.format(interval) + " is too short: give 100ms or more (default 2s)");
        }
    }

    /** The local time of day, to the second, for progress lines. */
    static String now() {
        return LocalTime.now().truncatedTo(ChronoUnit.SECONDS).format(DateTimeFormatter.ISO_LOCAL_TIME);
    }
}
