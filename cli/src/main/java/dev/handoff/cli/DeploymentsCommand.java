package dev.handoff.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code handoffctl deployments}: the deployment history, newest first; {@code --watch} follows it. */
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

    @Option(
            names = {"-w", "--watch"},
            description = "keep listing: print the list again whenever it changes (Ctrl-C to stop)")
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
        Watch.Fetch fetch = () -> api.get(
                "/api/deployments",
                HandoffCtl.query(
                        "host", host,
                        "repository", repository,
                        "status", status == null ? null : status.name(),
                        "limit", limit));
        if (!watch) {
            print(out, fetch.get(), true);
            return ExitCodes.OK;
        }
        WatchOptions.check(spec, interval);
        Watch.until(interval, Long.MAX_VALUE, spec.commandLine().getErr(), fetch, (page, first) -> {
            print(out, page, first);
            return false;
        });
        return ExitCodes.OK;
    }

    private void print(PrintWriter out, JsonNode page, boolean first) {
        if (parent.output.isData()) {
            parent.printData(out, page);
            return;
        }
        if (!first) {
            out.println();
            out.println("— " + WatchOptions.now() + " —");
        }
        boolean wide = parent.output == Output.wide;
        Table table = wide
                ? new Table(
                        "ID",
                        "HOST",
                        "REPOSITORY",
                        "COMMIT",
                        "FIRST STAGE",
                        "STAGES",
                        "STATUS",
                        "STARTED",
                        "UPDATED",
                        "FINISHED",
                        "REPLAY OF",
                        "RESULT")
                : new Table("ID", "HOST", "REPOSITORY", "COMMIT", "FIRST STAGE", "STATUS", "STARTED", "RESULT");
        for (JsonNode d : page.path("items")) {
            String id = d.path("id").asText();
            if (wide) {
                table.row(
                        id,
                        d.path("host").asText(),
                        d.path("repository").asText(""),
                        d.path("commit").asText(""),
                        d.path("firstStage").asText(""),
                        stages(d),
                        d.path("status").asText(),
                        d.path("startedAt").asText(""),
                        d.path("updatedAt").asText(""),
                        d.path("finishedAt").asText(""),
                        d.path("replayOf").path("deploymentId").asText(""),
                        d.path("result").asText(""));
            } else {
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
        }
        if (table.isEmpty()) {
            out.println("No deployments"
                    + (host != null || repository != null || status != null
                            ? " match these filters."
                            : " yet. A push to a repository in handoff.yaml starts one per host."));
        } else {
            table.print(out);
            if (page.hasNonNull("next") && !watch) {
                out.println("(more: raise --limit, or use --output json and the API's 'next' cursor)");
            }
        }
        out.flush();
    }

    /** Each stage with its status, in chain order: {@code infra=completed secrets=started}. */
    private static String stages(JsonNode d) {
        StringBuilder s = new StringBuilder();
        for (JsonNode stage : d.path("stages")) {
            if (!s.isEmpty()) {
                s.append(' ');
            }
            s.append(stage.path("stage").asText())
                    .append('=')
                    .append(stage.path("status").asText());
        }
        return s.toString();
    }

    static String shortCommit(String commit) {
        return commit.length() > 12 ? commit.substring(0, 12) : commit;
    }
}
