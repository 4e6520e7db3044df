package dev.handoff.converge.stage;

import dev.handoff.common.event.v1.Convergence.Check;
import dev.handoff.common.event.v1.StageFailed.Detail;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Confirm or roll back ("magic rollback"): after activation a new SSH connection must succeed within the confirm
 * timeout and every health check must pass; otherwise the host goes back to the previous generation.
 */
public final class ConfirmDecision {
    private ConfirmDecision() {}

    /**
     * Why a rollback is needed.
     *
     * @param reason stable code: {@code confirm-timeout} or {@code check-failed}
     * @param message for a person
     * @param details the failed checks
     */
    public record RollBack(String reason, String message, List<Detail> details) {}

    /**
     * @param reconnected whether a new SSH connection succeeded within the timeout
     * @param checks the health checks (empty when there was no connection)
     * @return empty to confirm, else why to roll back
     */
    public static Optional<RollBack> decide(
            String host, long generation, boolean reconnected, Duration timeout, List<Check> checks) {
        if (!reconnected) {
            return Optional.of(new RollBack(
                    "confirm-timeout",
                    host + " did not answer a new SSH connection within " + timeout.toSeconds()
                            + " s after activating generation " + generation,
                    List.of(new Detail(
                            "confirm-timeout",
                            "generation " + generation,
                            "no new SSH connection within " + timeout.toSeconds() + " s"))));
        }
        List<Detail> failed = new ArrayList<>();
        for (Check check : checks) {
            if (!check.passed()) {
                failed.add(new Detail("check-failed", check.name(), check.detail()));
            }
        }
        if (failed.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new RollBack(
                "check-failed",
                host + " answered after activating generation " + generation + " but "
                        + failed.stream().map(Detail::subject).toList() + " failed",
                failed));
    }
}
