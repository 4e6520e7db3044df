package dev.handoff.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code handoffctl wait}: block until a deployment (or one of its stages) is done, for scripts. */
@Command(
        name = "wait",
        mixinStandardHelpOptions = true,
        description = {
            "Wait until a deployment succeeded (--for all, the default) or one of its stages completed (--for STAGE),"
                    + " printing a line whenever a stage changes. Exits 0 when done, 1 when a stage failed or was"
                    + " rejected or the deployment is stale or superseded, 2 when the timeout passed.",
            "A deployment the ledger does not hold yet (just pushed) is waited for up to 30 s before it counts as"
                    + " unknown. With -o json|yaml the progress goes to standard error and the final deployment to"
                    + " standard output."
        })
final class WaitCommand implements Callable<Integer> {
    /** How long a deployment id the ledger does not know is waited for: the ledger stores a push within seconds. */
    static final Duration UNKNOWN_GRACE = Duration.ofSeconds(30);

    private static final Set<String> ENDED_BADLY = Set.of("failed", "stale", "superseded");
    private static final Set<String> STAGE_ENDED_BADLY = Set.of("failed", "rejected", "stale", "superseded");

    @ParentCommand
    HandoffCtl parent;

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "DEPLOYMENT", description = "the deployment id (push, redeploy and replay print it)")
    String id;

    @Option(
            names = "--for",
            paramLabel = "STAGE|all",
            defaultValue = "all",
            completionCandidates = Stages.class,
            description = "all (the deployment succeeded: backup completed; default) or a stage: infra, secrets,"
                    + " converge, workload, backup (that stage completed)")
    String target;

    @Option(
            names = "--timeout",
            paramLabel = "DURATION",
            defaultValue = "10m",
            converter = Durations.class,
            description = "give up after this long, exit 2 (default ${DEFAULT-VALUE}; e.g. 30s, 5m, 1h)")
    Duration timeout;

    @Option(
            names = "--interval",
            paramLabel = "DURATION",
            defaultValue = "2s",
            converter = Durations.class,
            description = "how often to ask control-service (default ${DEFAULT-VALUE})")
    Duration interval;

    /** The stages {@code --for} takes, for completion. */
    static final class Stages implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return List.of("all", "infra", "secrets", "converge", "workload", "backup")
                    .iterator();
        }
    }

    @Override
    public Integer call() throws CliFailure {
        if (!target.equals("all") && (!ShowCommand.CHAIN.contains(target) || target.equals("commit"))) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(),
                    "--for " + target + ": give all, or a stage: infra, secrets, converge, workload or backup");
        }
        WatchOptions.check(spec, interval);
        ControlApi api = parent.api();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter progress = parent.output.isData() ? spec.commandLine().getErr() : out;
        long started = System.nanoTime();
        long deadline = started + timeout.toNanos();
        Map<String, String> seen = new HashMap<>();
        JsonNode[] last = {null};
        Outcome[] ended = {null};
        String path = "/api/deployments/" + ControlApi.segment(id);
        boolean done = Watch.until(
                interval,
                deadline,
                spec.commandLine().getErr(),
                () -> {
                    Optional<JsonNode> found = api.find(path);
                    if (found.isPresent()) {
                        return found.get();
                    }
                    Duration waited = Duration.ofNanos(System.nanoTime() - started);
                    if (waited.compareTo(UNKNOWN_GRACE) >= 0) {
                        throw new CliFailure(
                                ExitCodes.REFUSED,
                                "no deployment " + id + " (the ledger did not record it within "
                                        + Durations.format(UNKNOWN_GRACE) + "); list deployments with handoffctl"
                                        + " deployments");
                    }
                    return ControlApi.JSON.createObjectNode().put("unknown", true);
                },
                (d, first) -> {
                    if (d.path("unknown").asBoolean()) {
                        progress.println(WatchOptions.now() + "  deployment " + id + " is not in the ledger yet;"
                                + " waiting for it");
                        progress.flush();
                        return false;
                    }
                    last[0] = d;
                    report(progress, d, seen);
                    ended[0] = outcome(d);
                    return ended[0] != null;
                });
        if (last[0] != null && parent.output.isData()) {
            parent.printData(out, last[0]);
        }
        if (!done) {
            throw new CliFailure(
                    ExitCodes.TIMED_OUT,
                    "deployment " + id + " is not done after " + Durations.format(timeout)
                            + (last[0] == null ? "" : " (" + where(last[0]) + ")")
                            + "; wait longer with --timeout, or look at it with handoffctl show " + id);
        }
        if (ended[0] == null) {
            return ExitCodes.OK; // interrupted
        }
        if (ended[0].exitCode() != ExitCodes.OK) {
            throw new CliFailure(ended[0].exitCode(), ended[0].message());
        }
        progress.println(ended[0].message());
        progress.flush();
        return ExitCodes.OK;
    }

    /** Prints a line for each stage whose status changed since the last answer. */
    private void report(PrintWriter progress, JsonNode d, Map<String, String> seen) {
        for (String stage : ShowCommand.CHAIN) {
            JsonNode s = stage(d, stage);
            if (s == null) {
                continue;
            }
            String status = s.path("status").asText();
            if (status.equals(seen.put(stage, status))) {
                continue;
            }
            String reason = s.path("reason").asText("");
            String line = String.format(
                    java.util.Locale.ROOT,
                    "%s  %-9s %s%s",
                    WatchOptions.now(),
                    stage,
                    status,
                    reason.isEmpty() ? "" : "  " + reason);
            if (status.equals("waiting-approval")) {
                line += "  (approve with: handoffctl approve " + id + ")";
            }
            progress.println(line);
        }
        progress.flush();
    }

    /**
     * How a wait ended.
     *
     * @param exitCode {@link ExitCodes#OK} or {@link ExitCodes#DEPLOYMENT_FAILED}
     * @param message the last line: what happened, and for a failure where to look
     */
    private record Outcome(int exitCode, String message) {}

    /** How the wait ends for this answer, or null while the deployment goes on. */
    private Outcome outcome(JsonNode d) {
        String status = d.path("status").asText();
        String result = d.path("result").asText("");
        String firstStage = d.path("firstStage").asText("");
        if (!target.equals("all")) {
            JsonNode s = stage(d, target);
            String stageStatus = s == null ? "" : s.path("status").asText();
            if (stageStatus.equals("completed")) {
                return new Outcome(ExitCodes.OK, "Deployment " + id + ": " + target + " completed");
            }
            if (STAGE_ENDED_BADLY.contains(stageStatus)) {
                return new Outcome(
                        ExitCodes.DEPLOYMENT_FAILED,
                        "deployment " + id + ": " + target + " " + stageStatus
                                + (s.path("reason").asText("").isEmpty()
                                        ? ""
                                        : ": " + s.path("reason").asText())
                                + "; see handoffctl show " + id);
            }
            int wanted = ShowCommand.CHAIN.indexOf(target);
            int first = ShowCommand.CHAIN.indexOf(firstStage);
            if (first > wanted) {
                return new Outcome(
                        ExitCodes.DEPLOYMENT_FAILED,
                        "deployment " + id + " starts at " + firstStage + ": " + target + " does not run in it; wait"
                                + " --for " + firstStage + " or a later stage, or --for all");
            }
            if (status.equals("succeeded")) {
                return new Outcome(
                        ExitCodes.DEPLOYMENT_FAILED,
                        "deployment " + id + " succeeded without running " + target + "; see handoffctl show " + id);
            }
        }
        if (ENDED_BADLY.contains(status)) {
            return new Outcome(
                    ExitCodes.DEPLOYMENT_FAILED,
                    "deployment " + id + " " + status + (result.isEmpty() ? "" : ": " + result) + "; see handoffctl"
                            + " show " + id);
        }
        if (target.equals("all") && status.equals("succeeded")) {
            return new Outcome(
                    ExitCodes.OK, "Deployment " + id + " succeeded" + (result.isEmpty() ? "" : ": " + result));
        }
        return null;
    }

    /** Where a running deployment is: its latest stage and that stage's status. */
    private static String where(JsonNode d) {
        String at = "status " + d.path("status").asText();
        for (String stage : ShowCommand.CHAIN) {
            JsonNode s = stage(d, stage);
            if (s != null) {
                at = stage + " " + s.path("status").asText();
            }
        }
        return at;
    }

    private static JsonNode stage(JsonNode d, String stage) {
        for (JsonNode s : d.path("stages")) {
            if (s.path("stage").asText().equals(stage)) {
                return s;
            }
        }
        return null;
    }
}
