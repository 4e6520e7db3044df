package dev.handoff.control.ui;

import com.fasterxml.jackson.databind.JsonNode;
import dev.handoff.control.ledger.HostStateQueries.HostEvent;
import dev.handoff.control.ledger.HostStateQueries.StageRun;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What a host's page shows, shaped from the ledger's answers with no I/O: plain values, so the template holds no
 * logic. Drift comes from the {@link #DRIFT_SOURCES}: a new kind of drift report is one more entry there.
 */
public final class HostState {
    private HostState() {}

    /**
     * A kind of drift report in the ledger.
     *
     * @param label what drifted, for people
     * @param type the event type that reports it
     * @param reason the payload's {@code reason} it carries, or null when the type alone says drift
     * @param clearedBy the event type whose newer facts mean the drift was reconciled
     */
    public record DriftSource(String label, String type, String reason, String clearedBy) {}

    /**
     * Where drift is reported: infra-service's drift watch fails the infra stage with reason {@code drift}; issue #21's
     * {@code convergence.drifted} reports a host whose running system left its last convergence; workload-service's
     * scheduled check fails the workload stage with reason {@code drift} when declared workloads no longer hold.
     */
    public static final List<DriftSource> DRIFT_SOURCES = List.of(
            new DriftSource(
                    "Cloud instance (infra drift watch)",
                    "handoff.cloud-facts.failed",
                    "drift",
                    "handoff.cloud-facts.completed"),
            new DriftSource(
                    "Host system (converge)", "handoff.convergence.drifted", null, "handoff.convergence.completed"),
            new DriftSource(
                    "Declared workloads (workload scheduled check)",
                    "handoff.workload.failed",
                    "drift",
                    "handoff.workload.completed"));

    /**
     * A stage's newest run: its status as the ledger has it ({@code not-run} when the host never ran it), and the
     * status the page colours it by.
     */
    public record StageLine(
            String stage,
            String status,
            String shown,
            String time,
            String reason,
            String deploymentId,
            String deploymentStatus,
            String repository,
            String commit) {}

    /**
     * The commit a host runs from one of its repositories (empty when none was deployed), against the head of its
     * branch in Git ({@link dev.handoff.control.fleet.Fleet}): {@code state} in-sync, deploying, behind, never-deployed
     * or unknown (with {@code gitError}).
     */
    public record RepositoryLine(
            String repository, String commit, String since, String gitHead, String state, String gitError) {}

    /** The host's newest convergence: its NixOS generation and what it was built from. */
    public record Generation(
            String generation, String commit, String repository, String systemPath, String time, String deploymentId) {}

    /**
     * One kind of drift.
     *
     * @param label what drifted
     * @param reportedAt when drift was last reported
     * @param message what the report says
     * @param reconciledAt when newer facts came after it, or empty while it stands
     * @param deploymentId the report's deployment, if any
     * @param differences what differs, each as {@code field: expected → observed} (a convergence drift)
     */
    public record DriftLine(
            String label,
            String reportedAt,
            String message,
            String reconciledAt,
            String deploymentId,
            List<String> differences) {
        public boolean standing() {
            return reconciledAt.isEmpty();
        }
    }

    /**
     * A recovery contract's newest verdict.
     *
     * @param contract its name in handoff.yaml
     * @param status {@code verified}, {@code failed} or {@code never-checked}
     * @param checkedAt when the newest verdict came
     * @param snapshot the newest snapshot's time (of the newest verified check)
     * @param age that snapshot's age at the check, and the contract's maximum
     * @param rehearsal the restore rehearsal's outcome, or empty
     * @param failure what the newest failure says of the contract, when it failed
     * @param deploymentId the verdict's deployment
     */
    public record BackupLine(
            String contract,
            String status,
            String checkedAt,
            String snapshot,
            String age,
            String rehearsal,
            String failure,
            String deploymentId) {}

    static StageLine stage(String stage, StageRun run) {
        if (run == null) {
            return new StageLine(stage, "not-run", "not-run", "", "", "", "", "", "");
        }
        return new StageLine(
                stage,
                run.status(),
                Timeline.shown(run.status()),
                Timeline.time(run.finishedAt() != null ? run.finishedAt() : run.startedAt()),
                orEmpty(run.reason()),
                run.deploymentId(),
                run.deploymentStatus(),
                orEmpty(run.repository()),
                shortCommit(run.commit()));
    }

    static Optional<Generation> generation(Optional<HostEvent> converged) {
        return converged.map(e -> new Generation(
                e.data().path("generation").asText(""),
                shortCommit(e.data().path("commit").asText(null)),
                e.data().path("repository").asText(""),
                e.data().path("systemPath").asText(""),
                Timeline.time(e.time()),
                orEmpty(e.deploymentId())));
    }

    static Optional<DriftLine> drift(DriftSource source, Optional<HostEvent> report, Optional<HostEvent> facts) {
        if (report.isEmpty()) {
            return Optional.empty();
        }
        HostEvent r = report.get();
        String reconciled = facts.filter(f -> f.time().isAfter(r.time()))
                .map(f -> Timeline.time(f.time()))
                .orElse("");
        String message = r.data().path("message").asText(r.data().path("reason").asText(""));
        List<String> differences = new java.util.ArrayList<>();
        for (var d : r.data().path("differences")) {
            differences.add(
                    d.path("field").asText() + ": " + shown(d.path("expected").asText()) + " → "
                            + shown(d.path("observed").asText()));
        }
        return Optional.of(new DriftLine(
                source.label(),
                Timeline.time(r.time()),
                message,
                reconciled,
                orEmpty(r.deploymentId()),
                List.copyOf(differences)));
    }

    private static String shown(String value) {
        return value.isEmpty() ? "(none)" : value;
    }

    static BackupLine backup(String contract, Optional<HostEvent> verified, Optional<HostEvent> failed) {
        Optional<HostEvent> failure = failed.filter(f -> mentions(f.data(), contract))
                .filter(f ->
                        verified.isEmpty() || f.time().isAfter(verified.get().time()));
        if (verified.isEmpty() && failure.isEmpty()) {
            return new BackupLine(contract, "never-checked", "", "", "", "", "", "");
        }
        String snapshot = "";
        String age = "";
        String rehearsal = "";
        if (verified.isPresent()) {
            JsonNode d = verified.get().data();
            snapshot = d.path("newestSnapshotTime").asText("");
            age = d.has("ageSeconds")
                    ? Timeline.duration(d.path("ageSeconds").asLong() * 1000) + " (maximum "
                            + Timeline.duration(d.path("maxAgeSeconds").asLong() * 1000) + ")"
                    : "";
            JsonNode r = d.path("rehearsal");
            rehearsal = r.isMissingNode() || r.isNull()
                    ? ""
                    : (r.path("passed").asBoolean() ? "passed: " : "failed: ")
                            + r.path("detail").asText("");
        }
        HostEvent newest = failure.orElseGet(verified::get);
        return new BackupLine(
                contract,
                failure.isPresent() ? "failed" : "verified",
                Timeline.time(newest.time()),
                snapshot,
                age,
                rehearsal,
                failure.map(f -> failureOf(f.data(), contract)).orElse(""),
                orEmpty(newest.deploymentId()));
    }

    static RepositoryLine repository(
            String repository,
            String commit,
            java.time.OffsetDateTime at,
            dev.handoff.control.fleet.HostView.RepositoryState git) {
        return new RepositoryLine(
                repository,
                shortCommit(commit),
                Timeline.time(at),
                git == null ? null : shortCommit(git.gitHead()),
                git == null ? "unknown" : git.state(),
                git == null ? null : git.gitError());
    }

    /** Whether a backup failure names the contract among its details. */
    private static boolean mentions(JsonNode failure, String contract) {
        for (JsonNode d : failure.path("details")) {
            if (ofContract(d, contract)) {
                return true;
            }
        }
        return false;
    }

    private static String failureOf(JsonNode failure, String contract) {
        List<String> lines = new ArrayList<>();
        for (JsonNode d : failure.path("details")) {
            if (ofContract(d, contract)) {
                lines.add(d.path("code").asText() + ": " + d.path("message").asText());
            }
        }
        return lines.isEmpty() ? failure.path("message").asText("") : String.join("; ", lines);
    }

    /** backup-service names a finding's contract as its subject: {@code <contract>} or {@code <contract>:<path>}. */
    private static boolean ofContract(JsonNode detail, String contract) {
        String subject = detail.path("subject").asText();
        return subject.equals(contract) || subject.startsWith(contract + ":");
    }

    private static String shortCommit(String commit) {
        return commit == null ? "" : commit.substring(0, Math.min(12, commit.length()));
    }

    private static String orEmpty(String s) {
        return s == null ? "" : s;
    }
}
