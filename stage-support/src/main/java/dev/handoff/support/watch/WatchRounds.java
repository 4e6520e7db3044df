package dev.handoff.support.watch;

import dev.handoff.support.StageMetrics;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * Runs the rounds of every stage's scheduled check, the same way for each: host by host, one host's error never
 * stopping the others, one log line per round, and the round counted in {@code handoff_watch_rounds_total{stage,result}}
 * and {@code handoff_watch_last_round_timestamp_seconds{stage}}.
 *
 * <p>Each stage service schedules its rounds with one Quarkus scheduled method, the same in every service:
 *
 * <pre>{@code
 * @Scheduled(identity = "<stage>-watch", every = "${handoff.<stage>.watch.interval}",
 *         delayed = "${handoff.<stage>.watch.delay}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
 * void scheduled() { rounds.run(watch); }
 * }</pre>
 *
 * {@code handoff.<stage>.watch.interval} ({@code HANDOFF_<STAGE>_WATCH_INTERVAL}) is the period, {@code off} switches
 * the watch off; {@code handoff.<stage>.watch.delay} is the wait before the first round after start.
 */
@ApplicationScoped
public class WatchRounds {
    private static final Logger LOG = Logger.getLogger(WatchRounds.class);

    private final StageMetrics metrics;

    public WatchRounds(StageMetrics metrics) {
        this.metrics = metrics;
    }

    /** Runs one round of {@code watch} now: every host it names, each on its own. */
    public Round run(Watch watch) {
        String stage = watch.stage();
        long started = System.nanoTime();
        Collection<String> hosts;
        try {
            hosts = watch.hosts();
        } catch (Exception e) {
            return ended(stage, 0, List.of(), Map.of("*", describe(e)), started);
        }
        List<String> reported = new ArrayList<>();
        Map<String, String> failed = new LinkedHashMap<>();
        for (String host : hosts) {
            try {
                if (watch.check(host)) {
                    reported.add(host);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failed.put(host, "interrupted (the service is stopping)");
                break;
            } catch (Exception e) {
                failed.put(host, describe(e));
                LOG.warnf(e, "%s watch: cannot check %s: %s", stage, host, describe(e));
            }
        }
        return ended(stage, hosts.size(), reported, failed, started);
    }

    private Round ended(
            String stage, int checked, List<String> reported, Map<String, String> failed, long startedNanos) {
        Round round = new Round(
                stage,
                checked,
                List.copyOf(reported),
                Map.copyOf(failed),
                Duration.ofNanos(System.nanoTime() - startedNanos));
        metrics.watchRound(stage, round.result());
        String line = String.format(
                "%s watch: round %s, %d host(s) checked in %d ms%s%s",
                stage,
                round.result(),
                checked,
                round.took().toMillis(),
                reported.isEmpty() ? "" : "; reported: " + String.join(", ", reported),
                failed.isEmpty() ? "" : "; could not check: " + failed);
        if (failed.isEmpty()) {
            LOG.info(line);
        } else {
            LOG.warn(line);
        }
        return round;
    }

    private static String describe(Throwable e) {
        String message = e.getMessage();
        return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
    }
}
