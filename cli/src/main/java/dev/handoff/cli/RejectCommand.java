package dev.handoff.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code handoffctl reject}: stop a deployment that waits for approval. */
@Command(
        name = "reject",
        mixinStandardHelpOptions = true,
        description = "Reject a deployment that waits for approval; it ends as failed. Needs an operator token.")
final class RejectCommand extends DecisionCommand implements Callable<Integer> {
    @Override
    public Integer call() throws CliFailure {
        return decide("reject");
    }
}
