package dev.handoff.bench.hostile;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The counts of one entry point: inputs tried, accepted, refused per reason, escaped, and any broken invariant
 * ("problems": a blank reason, the planted secret in a message, a file outside its base, a record not dead-lettered).
 */
public final class EntryPoint {
    private static final int SAMPLES = 8;

    private final String name;
    private int tried;
    private int accepted;
    private int escaped;
    private final Map<String, Integer> refused = new TreeMap<>();
    private final List<String> escapes = new ArrayList<>();
    private final List<String> problems = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();

    public EntryPoint(String name) {
        this.name = name;
    }

    /**
     * Feeds every input to {@code probe}, each on a worker thread with a time limit (a hang is an escape too).
     *
     * @param perInput how long one input may take
     */
    public static <T> EntryPoint run(String name, List<Hostile<T>> inputs, Probe<T> probe, Duration perInput) {
        EntryPoint tally = new EntryPoint(name);
        ExecutorService worker = worker(name);
        try {
            for (Hostile<T> input : inputs) {
                Future<Verdict> verdict = worker.submit(() -> probe.probe(input.value()));
                try {
                    tally.record(input.label(), verdict.get(perInput.toMillis(), TimeUnit.MILLISECONDS));
                } catch (ExecutionException e) {
                    tally.record(input.label(), Verdict.escaped(e.getCause()));
                } catch (TimeoutException e) {
                    verdict.cancel(true);
                    tally.record(input.label(), Verdict.escaped("timeout", "no answer within " + perInput));
                    worker.shutdownNow();
                    worker = worker(name);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while probing " + name, e);
                }
            }
        } finally {
            worker.shutdownNow();
        }
        return tally;
    }

    private static ExecutorService worker(String name) {
        return Executors.newSingleThreadExecutor(r -> {
            // a daemon with the default stack: a hung input must not keep the JVM alive, and a deep one gets no more
            // stack than a service's thread has
            Thread t = new Thread(r, "hostile-" + name);
            t.setDaemon(true);
            return t;
        });
    }

    /** Counts one verdict and checks the invariants every refusal must keep. */
    public synchronized void record(String label, Verdict verdict) {
        tried++;
        switch (verdict.outcome()) {
            case ACCEPTED -> accepted++;
            case REFUSED -> {
                if (verdict.reason().isBlank()) {
                    problem(label + ": refused without a named reason: " + LogCapture.shorten(verdict.message()));
                }
                refused.merge(verdict.reason().isBlank() ? "(no reason)" : verdict.reason(), 1, Integer::sum);
            }
            case ESCAPED -> {
                escaped++;
                if (escapes.size() < SAMPLES) {
                    escapes.add(label + ": " + verdict.reason() + ": " + LogCapture.shorten(verdict.message()));
                }
            }
        }
        if (PlantedSecret.leaksIn(verdict.message())) {
            problem(label + ": the planted secret is in the "
                    + verdict.outcome().name().toLowerCase() + " message");
        }
    }

    /** A broken invariant. */
    public synchronized void problem(String what) {
        if (problems.size() < 50) {
            problems.add(what);
        }
    }

    /** A figure printed with the counts that is not a verdict (e.g. records dead-lettered). */
    public synchronized void note(String what) {
        notes.add(what);
    }

    public String name() {
        return name;
    }

    public synchronized int tried() {
        return tried;
    }

    public synchronized int accepted() {
        return accepted;
    }

    public synchronized int escaped() {
        return escaped;
    }

    public synchronized int refusedTotal() {
        return refused.values().stream().mapToInt(Integer::intValue).sum();
    }

    /** Refusals per reason, sorted by reason. */
    public synchronized Map<String, Integer> refused() {
        return new TreeMap<>(refused);
    }

    public synchronized List<String> escapes() {
        return List.copyOf(escapes);
    }

    public synchronized List<String> problems() {
        return List.copyOf(problems);
    }

    /** Nothing escaped and no invariant broke. */
    public synchronized boolean clean() {
        return escaped == 0 && problems.isEmpty();
    }

    /** The entry point's block of the report. */
    public synchronized String report() {
        StringBuilder out = new StringBuilder();
        out.append(String.format(
                "%-34s tried %6d   refused %6d   accepted %5d   escaped %d%n",
                name, tried, refusedTotal(), accepted, escaped));
        refused.forEach((reason, count) -> out.append(String.format("      %7d  %s%n", count, reason)));
        for (String note : notes) {
            out.append("      ").append(note).append('\n');
        }
        for (String e : escapes) {
            out.append("    ESCAPED ").append(e).append('\n');
        }
        for (String p : problems) {
            out.append("    PROBLEM ").append(p).append('\n');
        }
        return out.toString();
    }
}
