package dev.handoff.bench.fleet;

import dev.handoff.bench.Latencies;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What one push did to the fleet, from its deployments' events and the Kafka timestamps of their trigger records.
 *
 * <p>A stage's <em>queue wait</em> is its {@code started} event's time − the timestamp of the record that triggered
 * it (the started event's causation): time spent on Kafka and waiting for one of the stage's K slots. Its <em>run
 * time</em> is its {@code completed} or {@code failed} event's time − its {@code started} event's time. When the
 * trigger's record timestamp is unknown the trigger event's own time stands in (both are set by its producer at the
 * same moment); {@link StageFigures#triggersWithoutRecord()} counts those.
 *
 * @param deployments how many deployments the push made on the measured hosts
 * @param succeeded how many succeeded
 * @param failed how many failed
 * @param superseded how many were superseded (or stale)
 * @param notFinal how many were still running when the bench stopped waiting
 * @param failures the first few failures, {@code host: reason}
 * @param pushedAt the push: the earliest {@code commit.pushed} record of the push (control-service accepted the
 *     webhook)
 * @param lastVerified the last {@code backup.completed} event of the push
 * @param lastFinal the last event that made a deployment final
 * @param stages per stage (converge, workload, backup), in chain order
 */
public record FleetFigures(
        int deployments,
        int succeeded,
        int failed,
        int superseded,
        int notFinal,
        List<String> failures,
        Optional<Instant> pushedAt,
        Optional<Instant> lastVerified,
        Optional<Instant> lastFinal,
        List<StageFigures> stages) {

    /** How many failures {@link #failures()} lists. */
    static final int FAILURES_SHOWN = 5;

    /** The measured stages in chain order: the stage, and the word of its event types. */
    static final List<MeasuredStage> STAGES = List.of(
            new MeasuredStage("converge", "convergence"),
            new MeasuredStage("workload", "workload"),
            new MeasuredStage("backup", "backup"));

    /**
     * A stage whose events are {@code handoff.<word>.started}, {@code .completed} and {@code .failed}.
     *
     * @param stage the stage id
     * @param word the word in its event types
     */
    record MeasuredStage(String stage, String word) {}

    private static final String PUSHED = "handoff.commit.pushed";
    private static final String VERIFIED = "handoff.backup.completed";

    /**
     * One stage's waits and runs over the push's deployments.
     *
     * @param stage {@code converge}, {@code workload} or {@code backup}
     * @param queueWait queue waits in microseconds, if any deployment reached the stage
     * @param runTime run times in microseconds, if any deployment finished the stage
     * @param triggersWithoutRecord how many waits were measured from the trigger event's time, not its record's
     */
    public record StageFigures(
            String stage, Optional<Latencies> queueWait, Optional<Latencies> runTime, int triggersWithoutRecord) {}

    /**
     * The figures of {@code deployments}.
     *
     * @param recordTimestamps the Kafka record timestamp of each event id read from the topics
     */
    public static FleetFigures of(List<HostDeployment> deployments, Map<String, Instant> recordTimestamps) {
        int succeeded = 0;
        int failed = 0;
        int superseded = 0;
        int notFinal = 0;
        List<String> failures = new ArrayList<>();
        Instant pushedAt = null;
        Instant lastVerified = null;
        Instant lastFinal = null;
        for (HostDeployment d : deployments) {
            switch (d.status()) {
                case "succeeded" -> succeeded++;
                case "failed" -> {
                    failed++;
                    if (failures.size() < FAILURES_SHOWN) {
                        failures.add(d.host() + ": " + (d.failure() == null ? "(no reason given)" : d.failure()));
                    }
                }
                case "superseded", "stale" -> superseded++;
                default -> notFinal++;
            }
            for (LedgerEvent e : d.events()) {
                if (PUSHED.equals(e.type())) {
                    pushedAt = earlier(pushedAt, recordTimestamps.getOrDefault(e.id(), e.time()));
                }
                if (VERIFIED.equals(e.type())) {
                    lastVerified = later(lastVerified, e.time());
                }
            }
            if (d.isFinal() && !d.events().isEmpty()) {
                lastFinal = later(
                        lastFinal,
                        d.events().stream()
                                .map(LedgerEvent::time)
                                .max(Comparator.naturalOrder())
                                .orElseThrow());
            }
        }
        List<StageFigures> stages = new ArrayList<>();
        STAGES.forEach(s -> stages.add(stage(s.stage(), s.word(), deployments, recordTimestamps)));
        return new FleetFigures(
                deployments.size(),
                succeeded,
                failed,
                superseded,
                notFinal,
                List.copyOf(failures),
                Optional.ofNullable(pushedAt),
                Optional.ofNullable(lastVerified),
                Optional.ofNullable(lastFinal),
                List.copyOf(stages));
    }

    /** Push → every deployment verified by backup; empty unless every deployment succeeded. */
    public Optional<Duration> untilAllVerified() {
        if (deployments == 0 || succeeded != deployments || pushedAt.isEmpty() || lastVerified.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(Duration.between(pushedAt.get(), lastVerified.get()));
    }

    /** Push → the last deployment final (succeeded, failed or superseded); empty while any is running. */
    public Optional<Duration> untilAllFinal() {
        if (deployments == 0 || notFinal > 0 || pushedAt.isEmpty() || lastFinal.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(Duration.between(pushedAt.get(), lastFinal.get()));
    }

    /** Deployments made final per minute, over {@link #untilAllFinal()}. */
    public Optional<Double> perMinute() {
        return untilAllFinal()
                .filter(d -> !d.isZero())
                .map(d -> (deployments - notFinal) * 60_000_000.0 / (d.toNanos() / 1000.0));
    }

    private static StageFigures stage(
            String stage, String word, List<HostDeployment> deployments, Map<String, Instant> recordTimestamps) {
        String started = "handoff." + word + ".started";
        String completed = "handoff." + word + ".completed";
        String failed = "handoff." + word + ".failed";
        List<Long> waits = new ArrayList<>();
        List<Long> runs = new ArrayList<>();
        int withoutRecord = 0;
        for (HostDeployment d : deployments) {
            Map<String, LedgerEvent> byId = new LinkedHashMap<>();
            d.events().forEach(e -> byId.put(e.id(), e));
            LedgerEvent start = first(d, started);
            if (start == null) {
                continue;
            }
            Instant triggered = start.causationId() == null ? null : recordTimestamps.get(start.causationId());
            if (triggered == null && start.causationId() != null && byId.containsKey(start.causationId())) {
                triggered = byId.get(start.causationId()).time();
                withoutRecord++;
            }
            if (triggered != null) {
                waits.add(micros(triggered, start.time()));
            }
            LedgerEvent end = d.events().stream()
                    .filter(e -> completed.equals(e.type()) || failed.equals(e.type()))
                    .filter(e -> !e.time().isBefore(start.time()))
                    .reduce((a, b) -> b)
                    .orElse(null);
            if (end != null) {
                runs.add(micros(start.time(), end.time()));
            }
        }
        return new StageFigures(
                stage,
                waits.isEmpty() ? Optional.empty() : Optional.of(Latencies.of(waits)),
                runs.isEmpty() ? Optional.empty() : Optional.of(Latencies.of(runs)),
                withoutRecord);
    }

    private static LedgerEvent first(HostDeployment d, String type) {
        return d.events().stream()
                .filter(e -> type.equals(e.type()))
                .findFirst()
                .orElse(null);
    }

    private static long micros(Instant from, Instant to) {
        Duration d = Duration.between(from, to);
        return d.getSeconds() * 1_000_000L + d.getNano() / 1000;
    }

    private static Instant earlier(Instant a, Instant b) {
        return a == null || b.isBefore(a) ? b : a;
    }

    private static Instant later(Instant a, Instant b) {
        return a == null || b.isAfter(a) ? b : a;
    }
}
