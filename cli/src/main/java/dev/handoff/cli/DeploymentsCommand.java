package dev.handoff.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code handoffctl deployments}: the deployment history, newest first. */
@Command(
        name = "deployments",
        mixinStandardHelpOptions = true,
        description = "List deployments, newest first (one per host per push, and one per replayed deployment).")
final class DeploymentsCommand implements Callable<Integer> {
    /** Statuses a deployment can have. */
    enum Status {
        running,
        succeeded,
        failed,
        /** A re-sent or late push that would have rolled the host back: nothing ran. */
        stale,
        /** A newer trigger of the same kind for the host waited too and ran instead: newest commit wins. */
        superseded
    }

    @ParentCommand
    HandoffCtl parent;

    @Spec
    CommandSpec spec;

    @Option(names = "--host", paramLabel = "HOST", description = "only this host")
    String host;

    @Option(names = "--repository", paramLabel = "OWNER/NAME", description = "only pushes to this repository")
    String repository;

    @Option(
            names = "--status",
            paramLabel = "STATUS",
            description = "only running, succeeded, failed, stale or superseded ones")
    Status status;

    @Option(
            names = "--limit",
            paramLabel = "N",
            defaultValue = "20",
            description = "how many (default ${DEFAULT-VALUE}, at most 500)")
    int limit;

    @Override
    public Integer call() throws CliFailure {
        JsonNode page = parent.api()
                .get(
                        "/api/deployments",
                        HandoffCtl.query(
                                "host", host,
                                "repository", repository,
                                "status", status == null ? null : status.name(),
                                "limit", limit));
        PrintWriter out = spec.commandLine().getOut();
        if (parent.output == HandoffCtl.Output.json) {
            HandoffCtl.printJson(out, page);
            return ExitCodes.OK;
        }
        Table table = new Table("ID", "HOST", "REPOSITORY", "COMMIT", "FIRST STAGE", "STATUS", "STARTED", "RESULT");
        for (JsonNode d : page.path("items")) {
            String id = d.path("id").asText();
            table.row(
                    id + (d.hasNonNull("replayOf") ? " (replay)" : ""),
                    d.path("host").asText(),
                    d.path("repository").asText(""),
                    shortCommit(d.path("commit").asText("")),
                    d.path("firstStage").asText(""),
                    d.path("status").asText(),
                    d.path("startedAt").asText(""),
                    d.path("result").asText(""));
        }
        if (table.isEmpty()) {
            out.println("No deployments"
                    + (host != null || repository != null || status != null
                            ? " match these filters."
                            : " yet. A push to a repository in handoff.yaml starts one per host."));
        } else {
            table.print(out);
            if (page.hasNonNull("next")) {
                out.println("(more: raise --limit, or use --output json and the API's 'next' cursor)");
            }
        }
        out.flush();
        return ExitCodes.OK;
    }

    static String shortCommit(String commit) {
        return commit.length() > 12 ? commit.substring(0, 12) : commit;
    }
}
