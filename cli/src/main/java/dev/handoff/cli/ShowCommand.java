package dev.handoff.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code handoffctl show}: one deployment as a timeline of its stages, with its replay links. */
@Command(
        name = "show",
        mixinStandardHelpOptions = true,
        description = "Show a deployment: its stages in chain order with times, durations and failure reasons, the"
                + " deployment it replays and the replays of it.")
final class ShowCommand implements Callable<Integer> {
    private static final List<String> CHAIN = List.of("commit", "infra", "secrets", "converge", "workload", "backup");

    @ParentCommand
    HandoffCtl parent;

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "DEPLOYMENT", description = "the deployment id (handoffctl deployments lists them)")
    String id;

    @Override
    public Integer call() throws CliFailure {
        JsonNode d = parent.api().get("/api/deployments/" + ControlApi.segment(id), java.util.Map.of());
        PrintWriter out = spec.commandLine().getOut();
        if (parent.output == HandoffCtl.Output.json) {
            HandoffCtl.printJson(out, d);
            return ExitCodes.OK;
        }
        out.println("Deployment  " + d.path("id").asText());
        out.println("Host        " + d.path("host").asText());
        field(out, "Repository  ", d.path("repository").asText(""));
        field(out, "Commit      ", d.path("commit").asText(""));
        field(out, "First stage ", d.path("firstStage").asText(""));
        out.println("Status      " + d.path("status").asText());
        field(out, "Result      ", d.path("result").asText(""));
        field(out, "Started     ", d.path("startedAt").asText(""));
        field(out, "Finished    ", d.path("finishedAt").asText(""));
        if (d.hasNonNull("replayOf")) {
            out.println("Replay of   " + d.path("replayOf").path("deploymentId").asText("?") + "  (replay "
                    + d.path("replayOf").path("replayId").asText() + ")");
        }
        for (JsonNode r : d.path("replays")) {
            out.println("Replayed as " + r.path("deploymentId").asText() + "  (replay "
                    + r.path("replayId").asText() + ")");
        }
        out.println();
        Table timeline = new Table("STAGE", "STATUS", "STARTED", "FINISHED", "DURATION", "REASON");
        for (String stage : CHAIN) {
            JsonNode s = null;
            for (JsonNode candidate : d.path("stages")) {
                if (candidate.path("stage").asText().equals(stage)) {
                    s = candidate;
                }
            }
            if (s == null) {
                timeline.row(stage, "-", "", "", "", "");
            } else {
                timeline.row(
                        stage,
                        s.path("status").asText(),
                        s.path("startedAt").asText(""),
                        s.path("finishedAt").asText(""),
                        s.hasNonNull("durationMillis")
                                ? duration(s.path("durationMillis").asLong())
                                : "",
                        s.path("reason").asText(""));
            }
        }
        timeline.print(out);
        out.flush();
        return ExitCodes.OK;
    }

    private static void field(PrintWriter out, String label, String value) {
        if (!value.isEmpty()) {
            out.println(label + value);
        }
    }

    static String duration(long millis) {
        if (millis < 1000) {
            return millis + " ms";
        }
        Duration d = Duration.ofMillis(millis);
        if (d.toMinutes() == 0) {
            return String.format(java.util.Locale.ROOT, "%.1f s", millis / 1000.0);
        }
        return d.toMinutes() + " min " + d.toSecondsPart() + " s";
    }
}
