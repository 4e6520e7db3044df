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

/** {@code handoffctl redeploy}: run a host's chain again from a stage, from what last triggered that stage. */
@Command(
        name = "redeploy",
        mixinStandardHelpOptions = true,
        description = {
            "Run a host's chain again from STAGE: control-service finds the host's last trigger of the stage in the"
                    + " ledger (a pushed commit of a repository the stage owns, or the previous stage's facts), with"
                    + " its topic, partition and offset, and replays exactly that record for this host. The new"
                    + " deployment is linked to the original, like a replay's. Needs an operator token.",
            "Without --stage: the stage the host's newest deployment started at. Follow the new deployment with"
                    + " handoffctl wait <DEPLOYMENT>."
        })
final class RedeployCommand implements Callable<Integer> {
    @ParentCommand
    HandoffCtl parent;

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "HOST", description = "the host, as handoff.yaml names it")
    String host;

    @Option(
            names = "--stage",
            paramLabel = "STAGE",
            completionCandidates = ChainStages.class,
            description = "infra, secrets, converge, workload or backup (default: where the host's newest deployment"
                    + " started)")
    String stage;

    @Option(
            names = "--idempotency-key",
            paramLabel = "KEY",
            description = "repeat an earlier redeploy whose answer was lost, without doing it twice (default: new)")
    String idempotencyKey;

    /** The stages of the chain, for completion. */
    static final class ChainStages implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return java.util.List.of("infra", "secrets", "converge", "workload", "backup")
                    .iterator();
        }
    }

    @Override
    public Integer call() throws CliFailure {
        Map<String, Object> body = new LinkedHashMap<>();
        if (stage != null) {
            body.put("stage", stage);
        }
        String key = idempotencyKey != null ? idempotencyKey : UUID.randomUUID().toString();
        JsonNode answer = parent.api()
                .post("/api/hosts/" + ControlApi.segment(host) + "/redeploy", body, Map.of("Idempotency-Key", key))
                .body();
        PrintWriter out = spec.commandLine().getOut();
        if (parent.output.isData()) {
            parent.printData(out, answer);
            return ExitCodes.OK;
        }
        JsonNode t = answer.path("trigger");
        out.println("Redeploying " + answer.path("host").asText() + " from "
                + answer.path("stage").asText() + ": deployment "
                + answer.path("deploymentId").asText());
        out.println("  replayed " + t.path("type").asText() + " at "
                + t.path("topic").asText() + " partition "
                + t.path("partition").asText() + " offset " + t.path("offset").asText()
                + (t.hasNonNull("deploymentId")
                        ? " (of deployment " + t.path("deploymentId").asText() + ")"
                        : "")
                + ", replay " + answer.path("replay").path("id").asText());
        out.println(
                "Follow it with: handoffctl wait " + answer.path("deploymentId").asText());
        out.flush();
        return ExitCodes.OK;
    }
}
