package dev.handoff.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code handoffctl approve}: let a deployment that waits for approval go on. */
@Command(
        name = "approve",
        mixinStandardHelpOptions = true,
        description = "Approve a deployment that waits for approval (e.g. a destructive infra plan). Needs an"
                + " operator token.")
final class ApproveCommand extends DecisionCommand implements Callable<Integer> {
    @Override
    public Integer call() throws CliFailure {
        return decide("approve");
    }
}
