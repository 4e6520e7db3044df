package dev.handoff.backup.stage;

import dev.handoff.common.event.v1.Backup;
import dev.handoff.common.event.v1.StageFailed;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The events one run of a host's contracts ends with, in publishing order: one {@code backup.completed} per contract
 * that holds, then — when any contract is broken — one {@code backup.failed} whose reason is the first broken
 * contract's first finding and whose details list every finding of every broken contract. The ledger takes a stage's
 * latest event as its status, so a run with any broken contract ends failed.
 */
public final class RunReport {
    private RunReport() {}

    /**
     * The failure of a run.
     *
     * @param reason the first finding's code
     * @param message every broken contract, for a person
     * @param retryable whether every finding may go away by running again
     * @param details every finding
     */
    public record Failure(String reason, String message, boolean retryable, List<StageFailed.Detail> details) {}

    /** The facts of the contracts that hold, in the host's contract order. */
    public static List<Backup> completed(List<ContractOutcome> outcomes) {
        return outcomes.stream()
                .filter(o -> o instanceof ContractOutcome.Holds)
                .map(o -> ((ContractOutcome.Holds) o).facts())
                .toList();
    }

    /** The run's failure, when a contract is broken. */
    public static Optional<Failure> failure(String host, List<ContractOutcome> outcomes) {
        List<ContractOutcome.Broken> broken = outcomes.stream()
                .filter(o -> o instanceof ContractOutcome.Broken)
                .map(o -> (ContractOutcome.Broken) o)
                .toList();
        if (broken.isEmpty()) {
            return Optional.empty();
        }
        List<Finding> all = new ArrayList<>();
        broken.forEach(b -> all.addAll(b.findings()));
        String message = host + ": " + broken.size() + " of " + outcomes.size() + " recovery contract"
                + (outcomes.size() == 1 ? "" : "s") + " broken — "
                + broken.stream()
                        .map(b -> b.contract() + " ("
                                + b.findings().stream()
                                        .map(Finding::code)
                                        .distinct()
                                        .collect(Collectors.joining(", "))
                                + "): " + b.findings().get(0).message())
                        .collect(Collectors.joining("; "));
        return Optional.of(new Failure(
                all.get(0).code(),
                message,
                all.stream().allMatch(Finding::retryable),
                all.stream().map(Finding::detail).toList()));
    }
}
