package dev.handoff.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code handoffctl hosts}: each host desired against actual (the fleet view), and the SSH host keys every service
 * checks a host against.
 */
@Command(
        name = "hosts",
        mixinStandardHelpOptions = true,
        description = "Each host of handoff.yaml against Git: per repository the branch head in Git, the commit"
                + " deployed and whether the host is in-sync, deploying or behind; drift a stage reported; -o wide adds"
                + " the newest backup of each contract. Subcommands: trust a host's SSH key (operator token), list a"
                + " host's key decisions.",
        subcommands = {HostsCommand.Trust.class, HostsCommand.Keys.class})
final class HostsCommand implements Callable<Integer> {
    @ParentCommand
    HandoffCtl parent;

    @Spec
    CommandSpec spec;

    @Parameters(
            index = "0",
            arity = "0..1",
            paramLabel = "HOST",
            description = "only this host, as handoff.yaml names it")
    String host;

    @Override
    public Integer call() throws CliFailure {
        JsonNode answer = parent.api()
                .get(
                        host == null
                                ? "/api/hosts?limit=500"
                                : "/api/hosts/"
                                        + java.net.URLEncoder.encode(host, java.nio.charset.StandardCharsets.UTF_8),
                        Map.of());
        PrintWriter out = spec.commandLine().getOut();
        if (parent.output.isData()) {
            parent.printData(out, answer);
            return ExitCodes.OK;
        }
        boolean wide = parent.output == Output.wide;
        Table table = wide
                ? new Table("HOST", "STATE", "REPOSITORY", "GIT HEAD", "DEPLOYED", "REPO STATE", "DRIFT", "BACKUPS")
                : new Table("HOST", "STATE", "REPOSITORY", "GIT HEAD", "DEPLOYED", "REPO STATE", "DRIFT");
        int behind = 0;
        for (JsonNode h : host == null ? answer.path("items") : java.util.List.of(answer)) {
            String drift = drift(h.path("drift"));
            String backups = backups(h.path("backups"));
            if (h.path("state").asText().equals("behind")) {
                behind++;
            }
            boolean first = true;
            for (JsonNode r : h.path("repositories")) {
                String head = r.hasNonNull("gitHead")
                        ? DeploymentsCommand.shortCommit(r.path("gitHead").asText())
                        : "? " + r.path("gitError").asText("");
                String cells0 = first ? h.path("host").asText() : "";
                String cells1 = first ? h.path("state").asText() : "";
                String deployed =
                        DeploymentsCommand.shortCommit(r.path("deployed").asText(""))
                                + (r.hasNonNull("deploying")
                                        ? " (deploying "
                                                + DeploymentsCommand.shortCommit(
                                                        r.path("deploying").asText()) + ")"
                                        : "");
                if (wide) {
                    table.row(
                            cells0,
                            cells1,
                            r.path("repository").asText(),
                            head,
                            deployed,
                            r.path("state").asText(),
                            first ? drift : "",
                            first ? backups : "");
                } else {
                    table.row(
                            cells0,
                            cells1,
                            r.path("repository").asText(),
                            head,
                            deployed,
                            r.path("state").asText(),
                            first ? drift : "");
                }
                first = false;
            }
        }
        if (table.isEmpty()) {
            out.println("handoff.yaml lists no host.");
        } else {
            table.print(out);
            if (host == null && answer.hasNonNull("next")) {
                out.println("(more than 500 hosts: use --output json and the API's 'next')");
            }
            if (behind > 0) {
                out.println(behind + " host(s) behind Git: a push's deployment is missing (reconciliation publishes it"
                        + " within HANDOFF_RECONCILE_INTERVAL), or redeploy with handoffctl redeploy <host>");
            }
        }
        out.flush();
        return ExitCodes.OK;
    }

    /** "runtime 2026-12-07T03:00Z, infra-state …": the newest verified backup of each contract. */
    /**
     * The drift cell: the stage and, for a convergence drift, what differs ({@code converge: generation 12→11,
     * systemPath x48gzfj→0n3w8bq}); else the stage and the report's message.
     */
    static String drift(JsonNode drift) {
        if (drift.isMissingNode() || drift.isNull()) {
            return "";
        }
        String stage = drift.path("stage").asText();
        if (!drift.path("differences").isEmpty()) {
            java.util.List<String> fields = new java.util.ArrayList<>();
            for (JsonNode d : drift.path("differences")) {
                fields.add(d.path("field").asText() + " "
                        + brief(d.path("expected").asText()) + "→"
                        + brief(d.path("observed").asText()));
            }
            return stage + ": " + String.join(", ", fields);
        }
        return stage + ": " + drift.path("message").asText("");
    }

    /** A store path by the first 7 characters of its hash, a commit by its first 7; other values as they are. */
    private static String brief(String value) {
        if (value.isEmpty()) {
            return "none";
        }
        if (value.startsWith("/nix/store/") && value.length() > 18) {
            return value.substring(11, 18);
        }
        return value.matches("[0-9a-f]{40}|[0-9a-f]{64}") ? value.substring(0, 7) : value;
    }

    private static String backups(JsonNode backups) {
        java.util.List<String> parts = new java.util.ArrayList<>();
        for (JsonNode b : backups) {
            parts.add(b.path("contract").asText() + " " + b.path("verifiedAt").asText(""));
        }
        return String.join(", ", parts);
    }

    /** {@code handoffctl hosts trust <host> <fingerprint>}: an operator's decision, recorded in the ledger. */
    @Command(
            name = "trust",
            mixinStandardHelpOptions = true,
            description = "Trust a host's SSH host key: every service then accepts exactly this key for the host"
                    + " (unless handoff.yaml gives access.hostKey). Read the fingerprint on the host's console with"
                    + " ssh-keygen -l -f /etc/ssh/ssh_host_ed25519_key.pub. Needs an operator token.")
    static final class Trust implements Callable<Integer> {
        @ParentCommand
        HostsCommand hosts;

        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "HOST", description = "the host, as handoff.yaml names it")
        String host;

        @Parameters(index = "1", paramLabel = "FINGERPRINT", description = "SHA256:…, as ssh-keygen -l prints it")
        String fingerprint;

        @Option(names = "--reason", paramLabel = "TEXT", description = "why; recorded with the decision")
        String reason;

        @Override
        public Integer call() throws CliFailure {
            if (!fingerprint.matches("SHA256:[A-Za-z0-9+/]{43}")) {
                throw new CliFailure(
                        ExitCodes.USAGE,
                        "'" + fingerprint + "' is not an SSH host key fingerprint: give SHA256: and 43 base64"
                                + " characters, as ssh-keygen -l -f /etc/ssh/ssh_host_ed25519_key.pub prints it");
            }
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("fingerprint", fingerprint);
            if (reason != null) {
                body.put("reason", reason);
            }
            HandoffCtl ctl = hosts.parent;
            JsonNode answer = ctl.api()
                    .post("/api/hosts/" + ControlApi.segment(host) + "/trust", body, Map.of())
                    .body();
            PrintWriter out = spec.commandLine().getOut();
            if (ctl.output.isData()) {
                ctl.printData(out, answer);
                return ExitCodes.OK;
            }
            out.println("Trusted " + fingerprint + " for " + host + (reason == null ? "" : ": " + reason));
            String overriddenBy = answer.path("overriddenBy").asText("");
            if (!overriddenBy.isEmpty()) {
                out.println("Note: handoff.yaml requires " + overriddenBy + " for " + host
                        + " (access.hostKey), which wins over this decision");
            }
            out.flush();
            return ExitCodes.OK;
        }
    }

    /** {@code handoffctl hosts keys <host>}: the host's key decisions, oldest first. */
    @Command(
            name = "keys",
            mixinStandardHelpOptions = true,
            description = "List a host's SSH host key decisions (first-bootstrap pins and operators' decisions),"
                    + " oldest first, with the one in effect marked.")
    static final class Keys implements Callable<Integer> {
        @ParentCommand
        HostsCommand hosts;

        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "HOST", description = "the host, as handoff.yaml names it")
        String host;

        @Override
        public Integer call() throws CliFailure {
            HandoffCtl ctl = hosts.parent;
            JsonNode answer = ctl.api().get("/api/hosts/" + ControlApi.segment(host) + "/keys", Map.of());
            PrintWriter out = spec.commandLine().getOut();
            if (ctl.output.isData()) {
                ctl.printData(out, answer);
                return ExitCodes.OK;
            }
            String required = answer.path("required").asText("");
            if (!required.isEmpty()) {
                out.println("handoff.yaml requires " + required + " (access.hostKey): it wins over every decision");
            }
            Table table = new Table("IN EFFECT", "FINGERPRINT", "SOURCE", "DECIDED BY", "DECIDED AT", "REASON");
            for (JsonNode d : answer.path("decisions")) {
                table.row(
                        d.path("inEffect").asBoolean() && required.isEmpty() ? "*" : "",
                        d.path("fingerprint").asText(),
                        d.path("source").asText(),
                        d.path("decidedBy").asText(""),
                        d.path("decidedAt").asText(""),
                        d.path("reason").asText(""));
            }
            table.print(out);
            out.flush();
            return ExitCodes.OK;
        }
    }
}
