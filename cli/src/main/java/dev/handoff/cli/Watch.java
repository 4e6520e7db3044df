package dev.handoff.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.time.Duration;

/**
 * Polls control-service and hands on each answer that differs from the one before, for {@code --watch} and
 * {@code wait}. Once one answer came, an unreachable control-service (a restart) is noted once and polled on.
 */
final class Watch {
    /** How an answer is fetched. */
    interface Fetch {
        JsonNode get() throws CliFailure;
    }

    /** What is done with a changed answer; returns true when watching is over. */
    interface Changed {
        boolean show(JsonNode answer, boolean first) throws CliFailure;
    }

    private Watch() {}

    /**
     * Polls every {@code interval} until {@code changed} says it is over, or the thread is interrupted (both exit
     * 0), or {@code deadlineNanos} ({@link System#nanoTime()}) passes: then it returns false.
     *
     * @param deadlineNanos when to give up, or {@link Long#MAX_VALUE} for never
     * @return whether watching ended (true) rather than timed out
     */
    static boolean until(Duration interval, long deadlineNanos, PrintWriter err, Fetch fetch, Changed changed)
            throws CliFailure {
        JsonNode last = null;
        boolean noted = false;
        while (true) {
            JsonNode answer = null;
            try {
                answer = fetch.get();
                noted = false;
            } catch (CliFailure e) {
                if (last == null
                        || e.exitCode() != ExitCodes.UNREACHABLE
                        || Thread.currentThread().isInterrupted()) {
                    throw e;
                }
                if (!noted) {
                    err.println("handoffctl: " + e.getMessage() + " (trying again every " + Durations.format(interval)
                            + ")");
                    err.flush();
                    noted = true;
                }
            }
            if (answer != null && !answer.equals(last)) {
                boolean first = last == null;
                last = answer;
                if (changed.show(answer, first)) {
                    return true;
                }
            }
            long left = deadlineNanos - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            try {
                Thread.sleep(Math.max(1, Math.min(interval.toMillis(), left / 1_000_000)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return true;
            }
        }
    }
}
