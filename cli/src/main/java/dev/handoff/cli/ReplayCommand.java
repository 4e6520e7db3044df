package dev.handoff.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code handoffctl replay}: run a stage again from records of one of its input topics. */
@Command(
        name = "replay",
        mixinStandardHelpOptions = true,
        description = {
            "Run STAGE again from offsets --from..--to of one partition of one of its input topics. Each pushed"
                    + " commit or facts event among them is re-published to handoff.replay.<stage> as a new"
                    + " deployment linked to the original; the chain continues from STAGE. Needs an operator token.",
            "Inputs: infra <- handoff.commits; secrets <- handoff.cloud-facts, handoff.commits; converge <-"
                    + " handoff.secret-facts, handoff.commits; workload <- handoff.convergence; backup <-"
                    + " handoff.workload. Find offsets with: handoffctl events --topic T --partition P."
        })
final class ReplayCommand implements Callable<Integer> {
    @ParentCommand
    HandoffCtl parent;

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "STAGE", description = "infra, secrets, converge, workload or backup")
    String stage;

    @Option(names = "--topic", required = true, paramLabel = "TOPIC", description = "an input topic of STAGE")
    String topic;

    @Option(names = "--partition", required = true, paramLabel = "N", description = "the partition")
    int partition;

    @Option(names = "--from", required = true, paramLabel = "OFFSET", description = "first offset, inclusive")
    long from;

    @Option(
            names = "--to",
            paramLabel = "OFFSET",
            description = "last offset, inclusive (default: the partition's last record)")
    Long to;

    @Option(names = "--host", paramLabel = "HOST", description = "only records of this host (default: every host)")
    String host;

    @Option(
            names = "--idempotency-key",
            paramLabel = "KEY",
            description = "repeat an earlier replay whose answer was lost, without doing it twice (default: new)")
    String idempotencyKey;

    @Override
    public Integer call() throws CliFailure {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("stage", stage);
        body.put("topic", topic);
        body.put("partition", partition);
        body.put("fromOffset", from);
        if (to != null) {
            body.put("toOffset", to);
        }
        if (host != null) {
            body.put("host", host);
        }
        String key = idempotencyKey != null ? idempotencyKey : UUID.randomUUID().toString();
        JsonNode replay = parent.api()
                .post("/api/replays", body, Map.of("Idempotency-Key", key))
                .body();
        PrintWriter out = spec.commandLine().getOut();
        if (parent.output.isData()) {
            parent.printData(out, replay);
            return ExitCodes.OK;
        }
        out.println("Replay " + replay.path("id").asText() + ": "
                + replay.path("stage").asText() + " runs again from "
                + replay.path("topic").asText() + " partition "
                + replay.path("partition").asText() + " offsets "
                + replay.path("fromOffset").asText() + ".."
                + replay.path("toOffset").asText() + ", "
                + replay.path("recordCount").asText() + " record(s) re-published"
                + (replay.path("skipped").isEmpty() ? "" : ", skipped " + replay.path("skipped")));
        Table table = new Table("OFFSET", "TYPE", "ORIGINAL DEPLOYMENT", "NEW DEPLOYMENT");
        for (JsonNode r : replay.path("records")) {
            table.row(
                    r.path("originalOffset").asText(""),
                    r.path("type").asText(""),
                    r.path("originalDeploymentId").asText(""),
                    r.path("deploymentId").asText());
        }
        table.print(out);
        out.println("Follow a new deployment with: handoffctl show <NEW DEPLOYMENT>");
        out.flush();
        return ExitCodes.OK;
    }
}
