package dev.handoff.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** What {@code approve} and {@code reject} share: {@code POST /api/approvals/{deployment}} with a decision. */
abstract class DecisionCommand {
    @ParentCommand
    HandoffCtl parent;

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "DEPLOYMENT", description = "the deployment waiting for approval")
    String deployment;

    @Option(names = "--comment", paramLabel = "TEXT", description = "why; recorded with the decision")
    String comment;

    int decide(String decision) throws CliFailure {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("decision", decision);
        if (comment != null) {
            body.put("comment", comment);
        }
        JsonNode answer = parent.api()
                .post("/api/approvals/" + ControlApi.segment(deployment), body, Map.of())
                .body();
        PrintWriter out = spec.commandLine().getOut();
        if (parent.output.isData()) {
            parent.printData(out, answer);
        } else {
            out.println((decision.equals("approve") ? "Approved " : "Rejected ")
                    + deployment
                    + (comment == null ? "" : ": " + comment));
            out.flush();
        }
        return ExitCodes.OK;
    }
}
