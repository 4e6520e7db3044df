package dev.handoff.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code handoffctl events}: events from the ledger with their topic positions, to choose a replay from. */
@Command(
        name = "events",
        mixinStandardHelpOptions = true,
        description = "List events with their topic, partition and offset: by position within a topic, or a"
                + " deployment's in time order. Pick the offsets of a replay here.")
final class EventsCommand implements Callable<Integer> {
    @ParentCommand
    HandoffCtl parent;

    @Spec
    CommandSpec spec;

    @Option(names = "--topic", paramLabel = "TOPIC", description = "e.g. handoff.secret-facts")
    String topic;

    @Option(names = "--partition", paramLabel = "N", description = "the partition (with --topic)")
    Integer partition;

    @Option(names = "--from", paramLabel = "OFFSET", description = "first offset (needs --topic and --partition)")
    Long from;

    @Option(names = "--deployment", paramLabel = "ID", description = "only this deployment's events")
    String deployment;

    @Option(names = "--type", paramLabel = "TYPE", description = "only this type, e.g. handoff.commit.pushed")
    String type;

    @Option(
            names = "--limit",
            paramLabel = "N",
            defaultValue = "50",
            description = "how many (default ${DEFAULT-VALUE}, at most 500)")
    int limit;

    @Override
    public Integer call() throws CliFailure {
        if (from != null && (topic == null || partition == null)) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(),
                    "--from is an offset within one partition: give --topic and --partition with it");
        }
        JsonNode page = parent.api()
                .get(
                        "/api/events",
                        HandoffCtl.query(
                                "topic", topic,
                                "partition", partition,
                                "fromOffset", from,
                                "deployment", deployment,
                                "type", type,
                                "limit", limit));
        PrintWriter out = spec.commandLine().getOut();
        if (parent.output.isData()) {
            parent.printData(out, page);
            return ExitCodes.OK;
        }
        boolean wide = parent.output == Output.wide;
        Table table = wide
                ? new Table(
                        "TOPIC",
                        "PARTITION",
                        "OFFSET",
                        "TIME",
                        "TYPE",
                        "HOST",
                        "DEPLOYMENT",
                        "REPLAY OF",
                        "EVENT",
                        "CAUSED BY",
                        "SOURCE")
                : new Table("TOPIC", "PARTITION", "OFFSET", "TIME", "TYPE", "HOST", "DEPLOYMENT", "REPLAY OF");
        for (JsonNode e : page.path("items")) {
            String[] cells = {
                e.path("topic").asText(),
                e.path("partition").asText(),
                e.path("offset").asText(),
                e.path("time").asText(),
                e.path("type").asText(),
                e.path("subject").asText(),
                e.path("deploymentId").asText(""),
                e.path("replayOf").asText("")
            };
            if (wide) {
                table.row(
                        cells[0],
                        cells[1],
                        cells[2],
                        cells[3],
                        cells[4],
                        cells[5],
                        cells[6],
                        cells[7],
                        e.path("id").asText(),
                        e.path("causationId").asText(""),
                        e.path("source").asText(""));
            } else {
                table.row(cells);
            }
        }
        if (table.isEmpty()) {
            out.println("No events match.");
        } else {
            table.print(out);
        }
        out.flush();
        return ExitCodes.OK;
    }
}
