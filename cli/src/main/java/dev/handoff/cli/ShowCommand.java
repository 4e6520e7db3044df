package dev.handoff.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code handoffctl show}: one deployment as a timeline of its stages, with its replay links. */
@Command(
        name = "show",
        mixinStandardHelpOptions = true,
        description = "Show a deployment: its stages in chain order with times, durations and failure reasons, the"
                + " deployment it replays and the replays of it (-o wide: and its events with their topic positions)."
                + " --watch follows it until it is no longer running.")
final class ShowCommand implements Callable<Integer> {
    /** The chain's steps in order, as the ledger names them. */
    static final List<String> CHAIN = List.of("commit", "infra", "secrets", "converge", "workload", "backup");

    @ParentCommand
    HandoffCtl parent;

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "DEPLOYMENT", description = "the deployment id (handoffctl deployments lists them)")
    String id;

    @Option(
            names = {"-w", "--watch"},
            description = "print the deployment again whenever it changes, until it is no longer running")
    boolean watch;

    @Option(
            names = "--interval",
            paramLabel = "DURATION",
            defaultValue = "2s",
            converter = Durations.class,
            description = "with --watch: how often to ask (default ${DEFAULT-VALUE})")
    Duration interval;

    @Override
    public Integer call() throws CliFailure {
        ControlApi api = parent.api();
        PrintWriter out = spec.commandLine().getOut();
        Watch.Fetch fetch = () -> api.get("/api/deployments/" + ControlApi.segment(id), Map.of());
        if (!watch) {
            print(out, fetch.get(), true);
            return ExitCodes.OK;
        }
        WatchOptions.check(spec, interval);
        Watch.until(interval, Long.MAX_VALUE, spec.commandLine().getErr(), fetch, (d, first) -> {
            print(out, d, first);
            return !d.path("status").asText().equals("running");
        });
        return ExitCodes.OK;
    }

    private void print(PrintWriter out, JsonNode d, boolean first) {
        if (parent.output.isData()) {
            parent.printData(out, d);
            return;
        }
        if (!first) {
            out.println();
            out.println("— " + WatchOptions.now() + " —");
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
        if (parent.output == Output.wide && !d.path("events").isEmpty()) {
            out.println();
            Table events = new Table("TIME", "TYPE", "TOPIC", "PARTITION", "OFFSET", "EVENT", "REPLAY OF");
            for (JsonNode e : d.path("events")) {
                events.row(
                        e.path("time").asText(),
                        e.path("type").asText(),
                        e.path("topic").asText(),
                        e.path("partition").asText(),
                        e.path("offset").asText(),
                        e.path("id").asText(),
                        e.path("replayOf").asText(""));
            }
            events.print(out);
        }
        out.flush();
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
