package dev.handoff.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code handoffctl approvals}: the stages that asked an operator before a destructive change, newest first. */
@Command(
        name = "approvals",
        mixinStandardHelpOptions = true,
        description = "List approval requests, newest first: the deployment, host and stage that hold a destructive"
                + " change, the stage's status now and the decision once made. --pending keeps those still waiting for"
                + " handoffctl approve or reject.")
final class ApprovalsCommand implements Callable<Integer> {
    @ParentCommand
    HandoffCtl parent;

    @Spec
    CommandSpec spec;

    @Option(names = "--pending", description = "only those waiting for a decision")
    boolean pending;

    @Option(
            names = "--limit",
            paramLabel = "N",
            defaultValue = "20",
            description = "how many (default ${DEFAULT-VALUE}, at most 500)")
    int limit;

    @Override
    public Integer call() throws CliFailure {
        JsonNode page = parent.api()
                .get("/api/approvals", HandoffCtl.query("pending", pending ? "true" : null, "limit", limit));
        PrintWriter out = spec.commandLine().getOut();
        if (parent.output.isData()) {
            parent.printData(out, page);
            return ExitCodes.OK;
        }
        boolean wide = parent.output == Output.wide;
        Table table = wide
                ? new Table(
                        "DEPLOYMENT",
                        "HOST",
                        "STAGE",
                        "REPOSITORY",
                        "COMMIT",
                        "STATUS",
                        "CHANGES",
                        "REQUESTED",
                        "EXPIRES",
                        "DECISION",
                        "DECIDED AT",
                        "COMMENT",
                        "REQUEST")
                : new Table("DEPLOYMENT", "HOST", "STAGE", "COMMIT", "STATUS", "CHANGES", "EXPIRES", "DECISION");
        for (JsonNode a : page.path("items")) {
            String decision = a.hasNonNull("decision")
                    ? a.path("decision").asText() + " by " + a.path("decidedBy").asText("?")
                    : a.path("pending").asBoolean() ? "pending" : "";
            if (wide) {
                table.row(
                        a.path("deploymentId").asText(),
                        a.path("host").asText(),
                        a.path("stage").asText(),
                        a.path("repository").asText(""),
                        a.path("commit").asText(""),
                        a.path("status").asText(""),
                        a.path("changes").asText(),
                        a.path("requestedAt").asText(""),
                        a.path("expiresAt").asText(""),
                        decision,
                        a.path("decidedAt").asText(""),
                        a.path("comment").asText(""),
                        a.path("requestId").asText());
            } else {
                table.row(
                        a.path("deploymentId").asText(),
                        a.path("host").asText(),
                        a.path("stage").asText(),
                        DeploymentsCommand.shortCommit(a.path("commit").asText("")),
                        a.path("status").asText(""),
                        a.path("changes").asText(),
                        a.path("expiresAt").asText(""),
                        decision);
            }
        }
        if (table.isEmpty()) {
            out.println(pending ? "No approval request waits for a decision." : "No stage has asked for approval yet.");
        } else {
            table.print(out);
            if (pending) {
                out.println("Decide with: handoffctl approve|reject <DEPLOYMENT> --comment \"why\"");
            }
            if (page.hasNonNull("next")) {
                out.println("(more: raise --limit, or use --output json and the API's 'next' cursor)");
            }
        }
        out.flush();
        return ExitCodes.OK;
    }
}
