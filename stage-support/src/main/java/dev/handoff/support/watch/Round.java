package dev.handoff.support.watch;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What one round of a {@link Watch} did.
 *
 * @param stage the watching stage
 * @param checked how many hosts were checked (failed ones included)
 * @param reported the hosts whose check published something
 * @param failed the hosts that could not be checked, with why (the host {@code *}: the round itself failed)
 * @param took how long the round took
 */
public record Round(String stage, int checked, List<String> reported, Map<String, String> failed, Duration took) {
    /** How many checks published something. */
    public int published() {
        return reported.size();
    }

    /** The round's result as the metrics count it: {@code failed}, {@code reported} or {@code quiet}. */
    public String result() {
        if (!failed.isEmpty()) {
            return "failed";
        }
        return reported.isEmpty() ? "quiet" : "reported";
    }
}
